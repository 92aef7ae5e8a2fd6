"""Currency codes, symbols and names from babel's CLDR data (ISO 4217), not a hand list.

`currency_words()` gives two maps for the quantities component:
  case_sensitive - ISO codes ("EUR", "MYR") and letter symbols ("RM", "A$", "US$"), as written;
  lowered        - sign symbols ("€", "₪") and English names ("yuan", "shekels", "chinese yuan").
Ambiguous words ("dollar", "pound", "cent") are settled in lexicon.yml, which wins.

The maps are read from `currencies.json`, a snapshot of what `from_babel()` derives. Deriving them at run time
parses every CLDR locale, and babel keeps each one: 1.5 s and about 90 MB in every process (each fork-pool and
Dask worker). `make currencies` rewrites the snapshot after a babel upgrade; a test fails
while it differs from the installed babel, and the file is part of the extractor fingerprint.
"""

import json
from functools import lru_cache
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("currencies.json")

# Codes that are ordinary English words in capitals ("TOP 10", "ALL 5") and
# currency names' last words that are common English words ("won", "real").
_NOT_CODES = {"ALL", "TOP", "CUP", "MOP", "BOB", "PEN", "GEL", "MAD", "SOS", "TRY", "CVE", "BAM", "ERN", "GHC"}
_NOT_NAMES = {"won", "real", "mark", "rand", "dram", "kip", "som", "pound", "pounds", "dollar", "dollars",
              "rupee", "rupees", "peso", "pesos", "franc", "francs", "dinar", "dinars", "shilling", "shillings",
              "krona", "kronor", "krone", "kroner", "rial", "rials", "riyal", "riyals", "lira", "lire", "crown", "crowns",
              "unit", "units", "value", "gold", "silver", "platinum", "palladium", "fund", "(1990–2000)"}


@lru_cache(maxsize=1)
def currency_words():
    """(case_sensitive, lowered), from the snapshot."""
    maps = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return maps["case_sensitive"], maps["lowered"]


def from_babel():
    """(case_sensitive, lowered), derived from the installed babel's CLDR data."""
    from babel import Locale
    from babel.core import get_global
    from babel.numbers import get_territory_currencies

    en = Locale("en")
    codes = {c for c in en.currencies if len(c) == 3 and c.isalpha() and c.isupper()}
    case_sensitive, lowered, last_words = {}, {}, {}
    for code in sorted(codes):
        if code not in _NOT_CODES:
            case_sensitive[code] = code
    for code, symbol in en.currency_symbols.items():
        if code in codes and symbol != code:
            _add_symbol(symbol, code, case_sensitive, lowered)
    # the symbol used at home ("RM" in Malaysia, "R$" in Brazil, "₪" in Israel)
    languages = get_global("territory_languages")
    for territory in sorted(en.territories):
        if not territory.isalpha():
            continue
        try:
            current = get_territory_currencies(territory)
        except Exception:           # territories CLDR lists without currency data
            continue
        for lang in list(languages.get(territory, {}))[:1]:
            try:
                locale = Locale.parse(f"{lang}_{territory}")
            except Exception:
                continue
            for code in current[:1]:
                symbol = locale.currency_symbols.get(code)
                if symbol and code in codes and symbol != code:
                    _add_symbol(symbol, code, case_sensitive, lowered)
    for code in sorted(codes):          # sorted: the first code to claim a shared name must not vary by run
        for name in dict.fromkeys((en.currencies.get(code) or "", _plural_name(code))):
            name = name.lower()
            if not name or "(" in name:
                continue
            lowered.setdefault(name, code)          # "chinese yuan"
            last = name.split()[-1]
            last_words.setdefault(last, set()).add(code)
    for word, found in last_words.items():
        if len(found) == 1 and word not in _NOT_NAMES and word.isalpha():
            lowered.setdefault(word, found.pop())    # "yuan", "shekels", "ringgit"
    return case_sensitive, lowered


def _plural_name(code):
    from babel.numbers import get_currency_name
    return get_currency_name(code, count=2, locale="en")


# Letter symbols that are also common abbreviations or formula parts ("CF3", "5 Ft", "Br").
_NOT_SYMBOLS = {"Ft", "Br", "Ar", "Db", "KM", "FC", "CF", "Bs", "FG", "MK", "RF", "Kz", "Le", "Nu", "So"}


def _add_symbol(symbol, code, case_sensitive, lowered):
    if symbol in _NOT_SYMBOLS:
        return
    if any(ch.isalpha() for ch in symbol):
        if len(symbol) >= 2 and not symbol.isdigit():
            case_sensitive.setdefault(symbol, code)     # "RM", "A$", "CA$"; never one letter ("R", "K")
    else:
        lowered.setdefault(symbol, code)                # "€", "₪", "₹"; "$" is settled in lexicon.yml


def write_snapshot(path=SNAPSHOT):
    case_sensitive, lowered = from_babel()
    path.write_text(json.dumps({"case_sensitive": case_sensitive, "lowered": lowered}, ensure_ascii=False,
                               indent=0) + "\n", encoding="utf-8")
    return path
