"""Atomic writes and JSONL: no reader ever sees a half-written file."""

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import jsonlines

from .errors import InputError


@contextmanager
def atomic_open(path, mode="w", encoding="utf-8"):
    """Write to a temporary file beside `path`, then rename it over `path`.

    On any exception the temporary file is removed and `path` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding, newline=None if "b" in mode else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path, text):
    with atomic_open(path) as fh:
        fh.write(text)


def write_jsonl(path, records):
    with atomic_open(path) as fh:
        with jsonlines.Writer(fh, compact=True, sort_keys=False,
                              dumps=lambda o: json.dumps(o, ensure_ascii=False)) as writer:
            for record in records:
                writer.write(record)


def read_jsonl(path):
    path = Path(path)
    if not path.exists():
        raise InputError(path, "not found: run the earlier stage first (make extract does all stages)", exit_code=1)
    return [record for _, record in iter_jsonl(path)]


def iter_jsonl(path):
    """(line number, record) of each non-blank line, one at a time: memory stays flat on any file size."""
    with Path(path).open(encoding="utf-8") as fh:
        n = 0
        try:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as err:
                    raise InputError(path, f"not valid JSON ({err.msg})", line=n) from None
        except UnicodeDecodeError:
            raise InputError(path, "not UTF-8", line=n + 1) from None
