"""Atomic writes and JSONL: no reader ever sees a half-written file."""

import errno
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import jsonlines

from .errors import InputError


TEMP_SUFFIX = ".tmp"           # temporary files are ".<name>.<random>.tmp" beside their target
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def temp_prefix(path):
    return f".{Path(path).name}."


def _mode_for(path):
    """An existing file keeps its permissions; a new one gets what the user's umask allows (mkstemp gives 0600)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextmanager
def atomic_open(path, mode="w", encoding="utf-8", before_replace=None, sync=True):
    """Write to a temporary file beside `path`, then rename it over `path`.

    On any exception the temporary file is removed and `path` is untouched.
    `before_replace()` runs after the data is on disk, just before the rename;
    if it raises, nothing is replaced. A full disk is a clear InputError.
    sync=False skips the fsync, for a cache whose torn entry after a crash only means a miss.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding, newline=None if "b" in mode else "") as fh:
            yield fh
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException as err:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(err, OSError) and err.errno in _FULL:
            raise InputError(path, f"cannot write: {os.strerror(err.errno)} (disk full?); "
                                   f"the previous file, if any, is unchanged") from None
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
