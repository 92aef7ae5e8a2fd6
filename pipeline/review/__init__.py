"""Stage 3: machine claims + ANNOTATIONS/<doc_id>.yaml -> updated ANNOTATIONS/<doc_id>.yaml.

The annotators' files are the project's gold standard. The merge rule:
  - a claim whose status is not `machine` (or that carries a note or a YAML
    comment) is never changed by the machine, except that its offsets follow
    its text when the document moves, and it is flagged `stale: true` while its
    sentence is not in the document (it is never dropped);
  - `machine` claims are refreshed from the extractor, or dropped when the
    extractor no longer finds them;
  - new machine claims are inserted in document order.
Each file is re-anchored to its document first and validated second, every
file before any is written. A run holds ANNOTATIONS/.review.lock, and replaces
a file only if it is still what the run read; a file saved meanwhile is read,
validated and merged again, so no save is ever lost.
"""

import hashlib
import os
import sys
import time
from pathlib import Path

from ..errors import InputError
from ..files import TEMP_SUFFIX
from ..version import fingerprint
from .lock import run_lock
from .merge import merge, reanchor_file
from .parsed import ParsedFiles, plain_copy
from .state import ReviewState, input_key
from .validate import validate_file
from .yamlio import ChangedOnDisk, dump_file, dumps, load_bytes, load_plain_bytes, new_file

ATTEMPTS = 5         # merges of one file in a run, when an annotator keeps saving it
PAUSE_ENV = "PIPELINE_REVIEW_PAUSE"


def review_paths(annotations, documents):
    return {d["doc_id"]: Path(annotations) / f"{d['doc_id']}.yaml" for d in documents}


def load_review(path, text, sha256, loader=load_bytes, parsed=None):
    """(data, sha256 of the bytes parsed) of one annotation file, re-anchored to `text`, then validated.

    (None, None) when there is no file. `loader`: round-trip data (review writes it back), or
    load_plain_bytes for the stages that only read; these pass `parsed` (a ParsedFiles), whose
    entry for the same bytes, document and code stands for the parse, and is written after one.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None, None
    digest = hashlib.sha256(raw).hexdigest()
    if parsed is None:
        return _anchored(path, loader(path, raw), text, sha256), digest
    key, doc_id = parsed.key(digest, sha256, text), Path(path).stem
    data = parsed.get(doc_id, key)
    if data is None:
        data = _anchored(path, loader(path, raw), text, sha256)
        parsed.put(doc_id, key, data)
    return data, digest


def _anchored(path, data, text, sha256):
    """A file's data re-anchored to its document's text, then validated (InputError names file and line)."""
    reanchor_file(path, data, text, sha256)
    validate_file(path, data, text)
    return data


def load_reviews(annotations, documents, texts, out=None):
    """{doc_id: plain data} for a stage that only reads the files; re-anchors and validates every
    existing file first (InputError on the first). With `out`, files already parsed are taken from
    OUT/cache/annotations/ (review.parsed)."""
    parsed = ParsedFiles(out) if out is not None else None
    return {doc_id: data for doc_id, (data, _) in _read_all(annotations, documents, texts, load_plain_bytes, parsed).items()
            if data is not None}


def _read_all(annotations, documents, texts, loader=load_bytes, parsed=None):
    sha = {d["doc_id"]: d["sha256"] for d in documents}
    return {doc_id: load_review(path, texts[doc_id], sha[doc_id], loader, parsed)
            for doc_id, path in review_paths(annotations, documents).items()}


def remember_parse(parsed, path, data, yaml_text, text, sha256):
    """Leave for the readers what their parse of the file just written (`yaml_text`) would give
    (review.parsed): the plain data, anchored and checked as load_review does. A file holding
    anything but plain data, or one the checks refuse, is left to its reader to parse (and report)."""
    plain = plain_copy(data)
    if plain is None:
        return
    try:
        _anchored(path, plain, text, sha256)
    except InputError:
        return
    key = parsed.key(hashlib.sha256(yaml_text.encode("utf-8")).hexdigest(), sha256, text)
    parsed.put(Path(path).stem, key, plain, already_plain=True)


def sweep_temp_files(annotations, started):
    """Remove temporary files an earlier, killed run left (older than this run, which holds the lock)."""
    for path in Path(annotations).glob(f".*.yaml.*{TEMP_SUFFIX}"):
        try:
            if path.stat().st_mtime < started:
                path.unlink()
        except FileNotFoundError:
            pass


def warn_orphans(annotations, documents):
    known = {d["doc_id"] for d in documents}
    for path in sorted(Path(annotations).glob("*.yaml")):
        if path.stem not in known:
            print(f"warning: {path}: no document {path.stem!r} in this run's corpus; the file is kept as it is",
                  file=sys.stderr)


def _pause_for_test():
    """Only for the concurrency test: with PIPELINE_REVIEW_PAUSE=DIR, after reading and merging every
    file, create DIR/paused and wait for DIR/resume (at most 60 s) before writing."""
    folder = os.environ.get(PAUSE_ENV)
    if not folder:
        return
    (Path(folder) / "paused").touch()
    deadline = time.monotonic() + 60
    while not (Path(folder) / "resume").exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def run(corpus, out, annotations, workspace=None):
    from ..workspace import Workspace

    started = time.time()
    ws = workspace or Workspace(out, annotations)
    documents, claims, texts = ws.documents, ws.machine_claims, ws.texts
    Path(annotations).mkdir(parents=True, exist_ok=True)
    with run_lock(annotations):
        sweep_temp_files(annotations, started)
        warn_orphans(annotations, documents)
        machine = {}
        for claim in claims:
            machine.setdefault(claim["doc_id"], []).append(claim)
        version = fingerprint()
        paths = review_paths(annotations, documents)

        def merged(document, data):
            doc_id = document["doc_id"]
            return merge(data or new_file(doc_id), machine.get(doc_id, []), texts[doc_id], document["sha256"], version)

        state, parsed = ReviewState(out), ParsedFiles(out)
        keys = {d["doc_id"]: input_key(d, machine.get(d["doc_id"], []), version) for d in documents}
        kept = {d["doc_id"]: state.unchanged(d["doc_id"], paths[d["doc_id"]], keys[d["doc_id"]]) for d in documents}
        todo = [d for d in documents if kept[d["doc_id"]] is None]
        read = _read_all(annotations, todo, texts)
        outputs = {d["doc_id"]: merged(d, read[d["doc_id"]][0]) for d in todo}
        _pause_for_test()
        changed, reviewed = 0, {doc_id: entry["reviewed"] for doc_id, entry in kept.items() if entry}
        for document in todo:
            doc_id = document["doc_id"]
            data, expect = outputs[doc_id], read[doc_id][1]
            for _ in range(ATTEMPTS):
                try:
                    yaml_text = dumps(data)
                    wrote = dump_file(paths[doc_id], data, expect=expect, yaml_text=yaml_text)
                    changed += wrote
                    break
                except ChangedOnDisk:
                    print(f"review: {paths[doc_id]} was saved during this run; merging the saved version",
                          file=sys.stderr)
                    fresh, expect = load_review(paths[doc_id], texts[doc_id], document["sha256"])
                    data = outputs[doc_id] = merged(document, fresh)
            else:
                raise InputError(paths[doc_id], f"changed {ATTEMPTS} times during this run; not replaced "
                                                f"(your last save is kept): run review again")
            remember_parse(parsed, paths[doc_id], data, yaml_text, texts[doc_id], document["sha256"])
            reviewed[doc_id] = sum(1 for c in data["claims"] if c.get("status") != "machine")
            # Only a file the merge left as it was is a fixed point: merging it again gives the same bytes.
            state.settle(doc_id, expect, keys[doc_id], reviewed[doc_id], settled=not wrote)
        state.save([d["doc_id"] for d in documents])
    ws.annotations_rewritten()
    reviewed = sum(reviewed.values())
    print(f"review: {len(documents)} annotation files ({changed} rewritten, {len(documents) - len(todo)} unchanged "
          f"since the last run), {reviewed} reviewed claims kept -> {annotations}/")
    return outputs
