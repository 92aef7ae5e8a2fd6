"""Tokenizer rules both pipelines share, so "0.5mg", "3x" and "6–8" split like "0.5 mg"."""

import re

from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

EXTRA_PREFIXES = [r"[~∼≈≤≥<>](?=[0-9.])"]                        # ~70%, ∼10% (tilde operator, PDF text), ≈2%, ≤2%
# a unit or magnitude ending a sentence: "5.6 mmol/L.", "$4M.", "35‰."
EXTRA_SUFFIXES = [r"(?<=/[A-Za-z])\.", r"(?<=/[A-Za-z]{2})\.", r"(?<=[0-9][A-Za-z])\.", r"(?<=[‰°])\."]
EXTRA_INFIXES = [
    r"(?<=[0-9])[–—‐-](?=[0-9$£€])",                             # 6–8, 5-6, $10–$20
    r"(?<=[0-9])(?=(?!(?:st|nd|rd|th|s)\b)[a-zA-Zµμ‰°º])",       # 0.5mg, 3x, 24h, 35‰ (not 4th, 1980s)
    r"(?<=[1-9])(?=s\b)",                                        # 3s, 7.7s (not 1990s, 30s)
    r"(?<=[A-Z]{2})(?=[0-9])",                                   # USD10m, RM79: a code glued to the amount
    r"(?<=[A-Za-z])[=<>≤≥](?=[0-9])",                            # x=39%, p<0.05
    r"(?<=[0-9])%(?=[–—‐-][0-9])", r"(?<=%)[–—‐-](?=[0-9])",     # 3%-4%
    r"(?<=[0-9])%(?=[A-Za-z])",                                  # 10%W/W, 30%solution (PDF text)
    r"(?<=[$£€])(?=[0-9])",                                      # the second $ of $10–$20
    r"(?<=[a-z]{2})\.(?=[A-Za-z]{2,})",                          # "30 years.was treated" (missing space)
    r"(?<=[a-zA-Zµμ])/(?=[0-9])",                                # "1,000 mg/60 kg", "CTC/7.5 ml": a unit per a stated amount
]


# Only text with a scheme or "www." is kept whole as a URL; spaCy's default also
# keeps "years.was" (a missing space in web comments) as one "domain" token.
URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)\S+$", re.IGNORECASE)


# spaCy's exceptions read "id" as "I'd" -> "i" + "d": a first-person "i" in "id Software"
# or "the id and the ego". Without the apostrophe, "id" is a word ("Id" and "I'd" stay split).
DROPPED_SPECIAL_CASES = ("id",)
UNIT_LETTERS = {"g.", "h.", "l.", "m.", "s."}


def number_friendly_tokenizer(nlp):
    infixes = list(nlp.Defaults.infixes) + EXTRA_INFIXES
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.tokenizer.prefix_search = compile_prefix_regex(list(nlp.Defaults.prefixes) + EXTRA_PREFIXES).search
    nlp.tokenizer.suffix_search = compile_suffix_regex(list(nlp.Defaults.suffixes) + EXTRA_SUFFIXES).search
    nlp.tokenizer.url_match = URL.match
    # "id" is a word, not "I'd" ("id Software"); "over 24h." and "5 g." end a sentence with a unit,
    # which spaCy would keep whole as an abbreviation.
    nlp.tokenizer.rules = {k: v for k, v in nlp.tokenizer.rules.items()
                           if k not in DROPPED_SPECIAL_CASES and k not in UNIT_LETTERS}
    return nlp


def plain_spaces(text):
    """Every white-space character -> ' ' (same length, so every offset holds).

    Web text carries no-break spaces and hard-wrapped lines; spaCy keeps both
    as tokens of their own, which breaks patterns like "9 of 16".
    """
    return "".join(" " if ch.isspace() else ch for ch in text)
