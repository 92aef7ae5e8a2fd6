"""The link stage's rule file (rules.yml), read once."""

from pathlib import Path

import yaml

RULES_FILE = Path(__file__).with_name("rules.yml")


def load_rules(path=RULES_FILE):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


RULES = load_rules()


def key_words(phrases):
    """The longest word of each phrase, in lower case ("a separate" -> "separate"). A case-insensitive
    pattern whose every match holds one of the phrases cannot match a text whose lower case holds none of
    these words: the cheap test before such a pattern, read from the same rules, so a phrase added there
    is tested too."""
    return tuple(sorted({max(p.lower().split(), key=len) for p in phrases}))


def holds_any(text, lowered, words):
    """May `text` (`lowered`: its lower case) match a pattern whose phrases' key words are `words`? A text
    with any character outside ASCII always may: a case-insensitive regex reads "ſ" as "s" and "ı" or "İ"
    as "i", which lower() does not."""
    return not text.isascii() or any(w in lowered for w in words)
