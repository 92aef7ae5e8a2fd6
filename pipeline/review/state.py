"""What the last review run wrote, so a file whose inputs did not change is not parsed again.

Review is a function of an annotation file's bytes, the document (its ingest
record, which holds the text's sha256), the machine claims for it, the
extractor's fingerprint and review's own code. When all of these are what they
were when the last run merged the file and found nothing to change (the file is
a fixed point of the merge), merging again would give the same bytes: the file
is left alone, unread by ruamel. That is most files of a
corpus when an annotator saved one, and it keeps a re-run of one very long
document from paying ruamel's round trip when nothing changed.

The state lives in OUT/cache/.review-state.json; a missing or unreadable state
only means every file is merged, as before.
"""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from ..files import atomic_open
from .yamlio import file_sha256

NAME = ".review-state.json"
_CODE = sorted(Path(__file__).parent.glob("*.py")) + [Path(__file__).parents[1] / name for name in
                                                   ("records.py", "vocab.py", "schemacheck.py", "errors.py")]


@lru_cache(maxsize=1)
def code_digest():
    digest = hashlib.sha256()
    for path in _CODE:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def input_key(document, machine_claims, version):
    """A digest of everything besides the file that the merge of one document reads."""
    payload = json.dumps([document, machine_claims, version, code_digest()], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


class ReviewState:
    """{doc_id: {"file": sha256 of the file as the last run left it, "inputs": input_key, "reviewed": n}}."""

    def __init__(self, out):
        self.path = Path(out) / "cache" / NAME
        try:
            self.entries = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(self.entries, dict):
                self.entries = {}
        except (OSError, ValueError):
            self.entries = {}

    def unchanged(self, doc_id, path, key):
        """The entry of a file that is byte for byte what the last run left, with the same inputs; else None."""
        entry = self.entries.get(doc_id)
        if (isinstance(entry, dict) and entry.get("inputs") == key and isinstance(entry.get("reviewed"), int)
                and entry.get("file") == file_sha256(path)):
            return entry
        return None

    def settle(self, doc_id, read_sha, key, reviewed, settled):
        """Remember a file the merge did not change (a fixed point), by the sha256 of the bytes the run
        read (not of the file now: a save since then must not pass for merged); forget one it rewrote."""
        if settled and read_sha:
            self.entries[doc_id] = {"file": read_sha, "inputs": key, "reviewed": reviewed}
        else:
            self.entries.pop(doc_id, None)

    def save(self, doc_ids):
        self.entries = {d: self.entries[d] for d in doc_ids if d in self.entries}
        with atomic_open(self.path) as fh:
            json.dump(self.entries, fh, sort_keys=True)
