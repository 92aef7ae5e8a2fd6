"""The plain data of each annotation file as it was last read, so the stages that only read the files
(link, export, eval) do not parse again a file that review has just written or that a reader has
already parsed.

An entry holds what `load_review` gives for one file (parsed, re-anchored to its document,
validated). It stands for the file while these stay the same: the file's bytes, the document (its
sha256 and the text ingest decoded), and review's code. Review writes the entry of each file it
writes whose data is plain, such as machine claims and claims loaded without ruamel's own types.
A reader writes the entry of any file it had to parse. Entries live in OUT/cache/annotations/; a
missing or unreadable entry only means that the file is parsed.
"""

import hashlib
import json
import math
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarbool import ScalarBoolean

from ..errors import InputError
from ..files import atomic_open
from .state import code_digest
from .yamlio import PlainMap, PlainSeq

FOLDER = "annotations"
# ruamel writes a NEL (U+0085) as it is, and a YAML reader takes it for a line break, which folds
# to a space: a text holding one does not read back as written, so its file is parsed by its reader.
NEL = "\x85"


def plain_copy(data):
    """`data` as the JSON-ready dicts, lists and scalars a plain read of its YAML text gives (ruamel's
    scalar types as the builtin ones they stand for), or None when it holds anything else (a date,
    a tagged or ordered map, a text with a NEL or a lone surrogate, a non-finite float, a key that
    is not text, a structure that holds itself): such a file is parsed by its next reader instead."""
    try:
        return _plain(data)
    except (_NotPlain, RecursionError):
        return None


class _NotPlain(Exception):
    pass


_MAPS = (dict, PlainMap, CommentedMap)
_SEQS = (list, PlainSeq, CommentedSeq)


def _plain(data):
    kind = type(data)
    if data is None or kind is bool:
        return data
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            raise _NotPlain from None
        if NEL in data:
            raise _NotPlain
        return str(data)
    if isinstance(data, float):
        if not math.isfinite(data):
            raise _NotPlain
        return float(data)
    if isinstance(data, ScalarBoolean):         # an int to Python, a boolean in the file
        return bool(data)
    if isinstance(data, int):                   # int, or ruamel's (a hex or octal one) as the int it reads as
        return int(data)
    tagged = getattr(getattr(data, "tag", None), "value", None) is not None
    if kind in _MAPS and not tagged:
        if any(type(key) is not str for key in data):
            raise _NotPlain
        return {key: _plain(value) for key, value in data.items()}
    if kind in _SEQS and not tagged:
        return [_plain(item) for item in data]
    raise _NotPlain


class ParsedFiles:
    """OUT/cache/annotations/<doc_id>.json: {"key": what the data stands for, "data": plain data}."""

    def __init__(self, out):
        self.folder = Path(out) / "cache" / FOLDER

    @staticmethod
    def key(file_sha256, document_sha256, text):
        text_sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return [file_sha256, document_sha256, text_sha, code_digest()]

    def get(self, doc_id, key):
        try:
            entry = json.loads((self.folder / f"{doc_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry.get("data") if isinstance(entry, dict) and entry.get("key") == key else None

    def put(self, doc_id, key, data, already_plain=False):
        """Keep `data` as the file's parse under `key` (`already_plain`: plain_copy's result already)."""
        plain = data if already_plain else plain_copy(data)
        if plain is None:
            return
        text = json.dumps({"key": key, "data": plain}, ensure_ascii=False)
        try:
            with atomic_open(self.folder / f"{doc_id}.json", sync=False) as fh:
                fh.write(text)
        except (OSError, InputError, ValueError):
            pass                    # a parse not kept (no room, no folder) is only parsed again next time
