"""One review run at a time per annotations folder: an fcntl lock on ANNOTATIONS/.review.lock.

The lock is the kernel's (flock), so it is released when the process ends,
even on kill -9: a stale lock file never blocks anyone. A second run waits
for the first (PIPELINE_LOCK_WAIT seconds, default 600), then stops naming it.
"""

import fcntl
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError

LOCK_NAME = ".review.lock"
WAIT_ENV = "PIPELINE_LOCK_WAIT"


def _holder(fh):
    fh.seek(0)
    return fh.read().strip() or "unknown"


@contextmanager
def run_lock(annotations):
    path = Path(annotations) / LOCK_NAME
    wait = float(os.environ.get(WAIT_ENV, "600"))
    with open(path, "a+", encoding="utf-8") as fh:
        deadline, told = time.monotonic() + wait, False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    print(f"review: waiting for another review run (pid {_holder(fh)}) to finish with {path}",
                          file=sys.stderr)
                    told = True
                if time.monotonic() >= deadline:
                    raise InputError(path, f"another review run (pid {_holder(fh)}) is still using this folder "
                                           f"after {wait:g} s; try again when it has finished") from None
                time.sleep(0.1)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield path
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)
