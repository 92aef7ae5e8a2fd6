"""The link stage's rule file (rules.yml), read once."""

from pathlib import Path

import yaml

RULES_FILE = Path(__file__).with_name("rules.yml")


def load_rules(path=RULES_FILE):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


RULES = load_rules()
