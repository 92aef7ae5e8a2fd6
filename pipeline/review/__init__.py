"""Stage 3: machine claims + ANNOTATIONS/<doc_id>.yaml -> updated ANNOTATIONS/<doc_id>.yaml.

The annotators' files are the project's gold standard. The merge rule:
  - a claim whose status is not `machine` (or that carries a note or a YAML
    comment) is never changed by the machine, except that its offsets follow
    its text when the document moves, and it is flagged `stale: true` while its
    sentence is not in the document (it is never dropped);
  - `machine` claims are refreshed from the extractor, or dropped when the
    extractor no longer finds them;
  - new machine claims are inserted in document order.
Every file is validated before any is written; each write is atomic.
"""

from pathlib import Path

from ..version import fingerprint
from ..files import read_jsonl
from ..ingest.reader import document_texts
from .merge import merge
from .yamlio import dump_file, load_file, new_file
from .validate import validate_file


def review_paths(annotations, documents):
    return {d["doc_id"]: Path(annotations) / f"{d['doc_id']}.yaml" for d in documents}


def load_reviews(annotations, documents, texts):
    """{doc_id: round-trip YAML data}; validates every existing file first (InputError on the first problem)."""
    loaded = {}
    for doc_id, path in review_paths(annotations, documents).items():
        if path.exists():
            data = load_file(path)
            validate_file(path, data, texts[doc_id])
            loaded[doc_id] = data
    return loaded


def stage_inputs(out, annotations):
    """What review, export and eval all start from: documents, machine claims, texts, validated reviews."""
    documents = read_jsonl(Path(out) / "documents.jsonl")
    machine = read_jsonl(Path(out) / "machine_claims.jsonl")
    texts = document_texts(documents)
    return documents, machine, texts, load_reviews(annotations, documents, texts)


def run(corpus, out, annotations):
    documents, claims, texts, reviews = stage_inputs(out, annotations)
    machine = {}
    for claim in claims:
        machine.setdefault(claim["doc_id"], []).append(claim)
    version = fingerprint()
    outputs = {}
    for document in documents:
        doc_id = document["doc_id"]
        data = reviews.get(doc_id) or new_file(doc_id)
        merge(data, machine.get(doc_id, []), texts[doc_id], document["sha256"], version)
        outputs[doc_id] = data
    paths = review_paths(annotations, documents)
    changed = 0
    for doc_id, data in outputs.items():
        changed += dump_file(paths[doc_id], data)
    reviewed = sum(1 for data in outputs.values() for c in data["claims"] if c.get("status") != "machine")
    print(f"review: {len(outputs)} annotation files ({changed} rewritten), {reviewed} reviewed claims kept -> {annotations}/")
    return outputs
