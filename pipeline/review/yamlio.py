"""Round-trip YAML: annotators' comments, key order and quoting survive a re-run."""

import hashlib
import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..errors import InputError, line_of  # noqa: F401  (line_of: validate and merge take it from here)
from ..files import atomic_open

HEADER = """\
Review file: correct the machine's claims here (README, "Annotator's guide").
status: machine | confirmed | corrected | rejected | added. Anything not
`machine` is never changed by a re-run; notes and comments are kept.
"""


def _yaml():
    yaml = YAML()          # round-trip
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def load_file(path):
    return load_bytes(path, Path(path).read_bytes())


def file_sha256(path):
    """sha256 of a file's bytes, None when there is no file: what a run read, to compare before replacing."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def load_bytes(path, raw):
    """Parse an annotation file from the bytes read (so the hash taken of them is of what was parsed)."""
    path = Path(path)
    try:
        data = _yaml().load(raw.decode("utf-8"))
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise InputError(path, f"not valid YAML: {err.problem or err.context}",
                         line=mark.line + 1 if mark else None) from None
    except (YAMLError, UnicodeDecodeError) as err:
        raise InputError(path, f"not valid YAML: {err}") from None
    return data


def new_file(doc_id):
    data = CommentedMap()
    data["doc_id"] = doc_id
    data["sha256"] = None
    data["extractor"] = None
    data["claims"] = CommentedSeq()
    data.yaml_set_start_comment(HEADER)
    return data


def dumps(data):
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    return buffer.getvalue()


class ChangedOnDisk(Exception):
    """The file is no longer what the run read: someone saved it meanwhile."""


def dump_file(path, data, expect=False):
    """Write atomically, and only when the content changed. Returns 1 if written.

    With `expect` (the sha256 the run read, or None for "there was no file"),
    the file is replaced only if it still has that hash, checked once before
    writing and again just before the rename; otherwise ChangedOnDisk is
    raised and the file is left as its last writer saved it.
    """
    path = Path(path)
    text = dumps(data)

    def unchanged():
        if expect is not False and file_sha256(path) != expect:
            raise ChangedOnDisk(path)

    unchanged()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return 0
    with atomic_open(path, before_replace=unchanged) as fh:
        fh.write(text)
    return 1
