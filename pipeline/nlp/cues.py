"""Cue lists of patterns/evidence.yml as spaCy PhraseMatchers (one label per list)."""

import spacy
from spacy.matcher import PhraseMatcher

from .rulefiles import PATTERNS, read_yaml

CUES_FILE = PATTERNS / "evidence.yml"
PHRASE_LISTS = ("research", "first_person", "first_person_plural", "hearsay", "testimony", "hedges", "negations")


def load_cues(path=CUES_FILE):
    return read_yaml(path)


def cue_matcher(vocab, cues=None):
    cues = cues or load_cues()
    tokenizer = spacy.blank("en").tokenizer
    matcher = PhraseMatcher(vocab, attr="LOWER")
    for name in PHRASE_LISTS:
        matcher.add(name, [tokenizer(str(phrase)) for phrase in cues[name]])
    return matcher


def find_cues(matcher, span):
    """{list name: [(matched text, token index)]} for the cues inside `span` (doc offsets)."""
    found = {}
    for match_id, start, end in matcher(span):
        name = span.doc.vocab.strings[match_id]
        found.setdefault(name, []).append((span.doc[start:end].text, start))
    return found
