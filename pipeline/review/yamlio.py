"""Round-trip YAML: annotators' comments, key order and quoting survive a re-run."""

import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..errors import InputError
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
    path = Path(path)
    try:
        data = _yaml().load(path.read_text(encoding="utf-8"))
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


def dump_file(path, data):
    """Write atomically, and only when the content changed. Returns 1 if written."""
    path = Path(path)
    text = dumps(data)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return 0
    with atomic_open(path) as fh:
        fh.write(text)
    return 1


def line_of(node, key=None, index=None):
    """1-based line of a mapping key or list item in the loaded YAML, when known."""
    try:
        if key is not None:
            return node.lc.key(key)[0] + 1
        if index is not None:
            return node.lc.item(index)[0] + 1
        return node.lc.line + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return None
