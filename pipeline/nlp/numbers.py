"""Numbers written any way -> float; and a component that makes each number one token.

Cardinal words ("thirty-five", "one hundred and twenty") are parsed by the
`number-parser` library; digits, thousands separators, decimals, scale words
("1.5 million") and fractions ("1/4", "½", "two-thirds") are handled here
because number-parser does not read them.
"""

import re
import unicodedata
from functools import lru_cache

from number_parser import parse_number as _parse_words
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Token

_DIGITS = re.compile(r"^[+\-−]?((\d{1,3}(,\d{3})+|\d+)(\.\d+)?|\.\d+)$")
_DECIMAL_COMMA = re.compile(r"^\d{1,3},\d{1,2}$")      # "88,3%": a decimal comma (a thousands group has 3 digits)
_GROUP = re.compile(r"^\d{3}$")        # "700 000": a space as the thousands separator
_FRACTION = re.compile(r"^(\d+)/(\d+)$")
CARDINALS = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand", "million", "billion", "trillion",
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 10**12}
FRACTION_WORDS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4, "fourths": 4,
    "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8,
    "ninth": 9, "ninths": 9, "tenth": 10, "tenths": 10,
}
HYPHENS = {"-", "–", "‐"}
DIGIT_WORDS = {w: n for n, w in enumerate(("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"))}
DIGIT_WORDS["oh"] = 0
ADDED_FRACTIONS = {w: 1 / FRACTION_WORDS[w] for w in ("half", "quarter")}     # "two and a half", "one and a quarter"
NUMBER_INDEX = "numbers.indices"

Token.set_extension("num", default=None, force=True)        # the token's value, if it is a number
Token.set_extension("num_form", default="", force=True)   # "digits" | "words" | "fraction"
Token.set_extension("num_scale", default=None, force=True)  # 1e6 for "15 million": shared by "10 to 15 million"


def parse_digits(text):
    text = text.strip()
    if _DIGITS.match(text):
        return float(text.replace(",", "").replace("−", "-"))
    if _DECIMAL_COMMA.match(text):
        return float(text.replace(",", "."))
    m = _FRACTION.match(text)
    if m and int(m.group(2)) != 0:
        return int(m.group(1)) / int(m.group(2))
    if len(text) == 1 and unicodedata.category(text) == "No":
        try:
            return float(unicodedata.numeric(text))
        except (TypeError, ValueError):
            return None
    return None


@lru_cache(maxsize=8192)      # number-parser is slow per call and number words repeat
def parse_number(text):
    """Value of a number phrase ('2,000', 'Thirty-five', 'two-thirds', '1.5 million'), or None."""
    text = text.strip()
    value = parse_digits(text)
    if value is not None:
        return value
    words = re.split(r"[\s\-–‐]+", text.lower())
    if not words or not words[0]:
        return None
    if len(words) >= 3 and words[-1] in ADDED_FRACTIONS and "and" in words[-3:-1]:     # "two and a half"
        whole = parse_number(" ".join(words[:len(words) - 1 - words[::-1].index("and")]))
        return whole + ADDED_FRACTIONS[words[-1]] if whole is not None else None
    if "point" in words[1:-1] and all(w in DIGIT_WORDS for w in words[words.index("point") + 1:]):
        whole = parse_number(" ".join(words[:words.index("point")]))     # "thirty-eight point six"
        decimals = "".join(str(DIGIT_WORDS[w]) for w in words[words.index("point") + 1:])
        return round(whole + float("0." + decimals), len(decimals)) if whole is not None else None
    if len(words) >= 2 and words[-1] in FRACTION_WORDS:
        numerator = parse_number(" ".join(words[:-1]))
        return numerator / FRACTION_WORDS[words[-1]] if numerator is not None else None
    if len(words) >= 2 and words[-1] in SCALES:
        head = parse_digits(words[0]) if len(words) == 2 else None
        if head is not None:
            return head * SCALES[words[-1]]
    if all(w in CARDINALS or w == "and" for w in words) and words[0] in CARDINALS - set(SCALES):
        value = _parse_words(" ".join(words))
        return float(value) if value is not None else None
    return None


def _is_cardinal(token):
    if not token.like_num:      # C-level test first: most tokens stop here
        if token.text[:1] == "−":           # "−11%", "−20 °C": the minus sign (U+2212), which like_num does
            doc = token.doc                 # not know; not "kg −1", an exponent as PDF text keeps it
            nxt = doc[token.i + 1].text if token.i + 1 < len(doc) else ""
            return nxt in ("%", "°", "º") and parse_digits(token.text) is not None
        return len(token.text) == 1 and unicodedata.category(token.text) == "No"      # "½"
    return token.lower_ in CARDINALS or parse_digits(token.text) is not None


def _starts_group(doc, i):
    """Not "in 2020 100 patients" or "table 3 100": the token before is no number."""
    return i == 0 or doc[i - 1].like_num is False


def _is_fraction_word(token):
    return token.lower_ in FRACTION_WORDS and token.lower_ not in ("half", "halves")


_A = get_string_id("a")                              # word ids: no string made per token
_SCALE_IDS = frozenset(get_string_id(w) for w in SCALES)


def number_spans(doc):
    """(start, end, value, form, scale) for each maximal number phrase among `doc`'s tokens."""
    spans, i, n = [], 0, len(doc)
    while i < n:
        token = doc[i]
        if not _is_cardinal(token):
            if token.lower == _A and i + 1 < n and doc[i + 1].lower in _SCALE_IDS and _starts_group(doc, i) \
                    and not (i + 2 < n and _is_cardinal(doc[i + 2])):
                # "a thousand pupils", "a million people": the article is the number one (not "a thousand
                # 5-ml vials"); no scale to share, so "two to a thousand" is no shared-scale range
                spans.append((i, i + 2, float(SCALES[doc[i + 1].lower_]), "words", None))
                i += 2
                continue
            i += 1
            continue
        j = i + 1
        words = doc[i].lower_ in CARDINALS
        while j < n:
            t = doc[j]
            if words and t.lower_ in CARDINALS:
                j += 1
            elif words and t.text in HYPHENS and j + 1 < n and doc[j + 1].lower_ in CARDINALS and doc[j - 1].lower_ not in SCALES:
                j += 2
            elif words and t.lower_ == "and" and doc[j - 1].lower_ in SCALES and j + 1 < n and doc[j + 1].lower_ in CARDINALS - set(SCALES):
                j += 2
            elif not words and t.lower_ in SCALES and j == i + 1:
                j += 1
            elif (not words and j == i + 1 and _GROUP.match(t.text) and doc[j - 1].whitespace_ == " "
                  and doc[j - 1].text.isdigit() and len(doc[j - 1].text) <= 3 and _starts_group(doc, i)):
                j += 1          # "700 000"; further groups follow in the next turns
                while j < n and _GROUP.match(doc[j].text) and doc[j - 1].whitespace_ == " ":
                    j += 1
            else:
                break
        if words and j + 1 < n and doc[j].lower_ == "point" and doc[j + 1].lower_ in DIGIT_WORDS \
                and not (doc[i].lower_ == "one" and i > 0 and doc[i - 1].lower_ == "at"):   # "at one point six patients"
            j += 1                  # "thirty-eight point six": decimals read out digit by digit
            while j < n and doc[j].lower_ in DIGIT_WORDS:
                j += 1
        j = _added_fraction_end(doc, j)
        form = "words" if words else "digits"
        # "two-thirds", "one third": a cardinal word and a fraction word make a fraction.
        if words and j + 1 < n and doc[j].text in HYPHENS and _is_fraction_word(doc[j + 1]):
            j, form = j + 2, "fraction"
        elif words and j < n and _is_fraction_word(doc[j]):
            j, form = j + 1, "fraction"
        text = doc[i:j].text
        value = parse_number(text)
        if value is None and not words and j > i + 1 and all(_GROUP.match(t.text) or t.text.isdigit() for t in doc[i:j]):
            value = parse_number(text.replace(" ", ""))        # "700 000"
        if value is not None:
            if form != "fraction" and _FRACTION.match(text):
                form = "fraction"
            spans.append((i, j, value, form, _scale(doc[i:j], words)))
        i = j
    return spans


def _added_fraction_end(doc, j):
    """The end of "... and a half" / "and half" / "and a quarter" after a number ending at `j`, else `j`."""
    n = len(doc)
    if j < n and doc[j].lower_ == "and":
        k = j + 2 if j + 1 < n and doc[j + 1].lower_ in ("a", "an") else j + 1
        # not before "of": in "one in five children and a quarter of adults" the quarter is a second figure
        if k < n and doc[k].lower_ in ADDED_FRACTIONS and not (k + 1 < n and doc[k + 1].lower_ == "of"):
            return k + 1
    return j


def _scale(span, words):
    """The scale word a phrase ends with ("15 million", "five thousand"), so a range can share it."""
    last = span[-1].lower_
    return SCALES[last] if len(span) > 1 and last in SCALES else None


@Language.factory("numbers")
def make_numbers(nlp, name):
    return NumberMerger()


class NumberMerger:
    """Merge each multi-token number ("Thirty - five", "1.5 million") into one token with `_.num`."""

    def __call__(self, doc):
        spans = number_spans(doc)
        with doc.retokenize() as retokenizer:
            for start, end, value, form, scale in spans:
                if end - start > 1:
                    retokenizer.merge(doc[start:end], attrs={"_": {"num": value, "num_form": form, "num_scale": scale}})
        offset, indices = 0, []
        for start, end, value, form, scale in spans:
            token = doc[start - offset]
            token._.num, token._.num_form, token._.num_scale = value, form, scale
            indices.append(token.i)
            offset += end - start - 1
        doc.user_data[NUMBER_INDEX] = indices      # lets later components skip non-numbers cheaply
        return doc
