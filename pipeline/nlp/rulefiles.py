"""Reading the data files under patterns/."""

import json
from functools import lru_cache
from pathlib import Path

from ruamel.yaml import YAML

PATTERNS = Path(__file__).with_name("patterns")


def rule_path(path):
    """Where a rule file named in config is: a bare file name is one of patterns/, a path is yours.

    config.cfg names the project's rule files by bare name, so the config a
    packaged pipeline carries (python -m pipeline package) holds no path of
    the machine it was written on.
    """
    path = Path(path)
    return PATTERNS / path if len(path.parts) == 1 else path


def read_rules(path):
    """One JSON object per line (blank lines and // comments skipped); errors name the file and line."""
    rules = []
    path = rule_path(path)
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip() and not line.lstrip().startswith("//"):
                try:
                    rules.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise ValueError(f"{path}:{n}: not valid JSON ({err.msg})") from None
    return rules


@lru_cache(maxsize=8)
def read_yaml(path):
    return YAML(typ="safe").load(rule_path(path).read_text(encoding="utf-8"))
