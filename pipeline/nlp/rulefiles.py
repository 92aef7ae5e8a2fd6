"""Reading the data files under patterns/."""

import json
import shutil
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


class RuleFiles:
    """Mixin for a component built from rule files: they travel with a packaged pipeline.

    The class names the __init__ arguments that are rule files (RULE_FILES), and
    its __init__ starts with `self.keep_rule_files(locals())`. `nlp.to_disk(DIR)`
    (python -m pipeline package DIR) then copies each file into DIR/<component>/,
    and `spacy.load(DIR)` builds the component again from those copies, so a
    package holds its rules, and an edit to a rule file there takes effect there.
    """

    RULE_FILES = ()

    def keep_rule_files(self, arguments):
        """Remember __init__'s arguments (`arguments`: its locals() before anything else)."""
        self._init_arguments = {k: v for k, v in arguments.items() if k not in ("self", "__class__")}
        self.rule_files = {k: self._init_arguments[k] for k in self.RULE_FILES if self._init_arguments.get(k)}

    def _packaged(self, path):
        names = {setting: rule_path(file).name for setting, file in self.rule_files.items()}
        if len(set(names.values())) < len(names):
            raise ValueError(f"{type(self).__name__}: two rule files of one name cannot share a package folder: {names}")
        return {setting: Path(path) / name for setting, name in names.items()}

    def to_disk(self, path, exclude=()):
        Path(path).mkdir(parents=True, exist_ok=True)
        for setting, target in self._packaged(path).items():
            source = rule_path(self.rule_files[setting])
            if not (target.exists() and target.samefile(source)):
                shutil.copyfile(source, target)

    def from_disk(self, path, exclude=()):
        packaged = {setting: str(target) for setting, target in self._packaged(path).items()}
        self.__init__(**{**self._init_arguments, **packaged})
        return self
