"""Stage 1: corpus/*.txt (or a JSONL/Parquet table of documents) -> OUT/documents.jsonl (segments of each page)."""

from pathlib import Path

from tqdm import tqdm

from ..files import read_jsonl, write_jsonl
from .reader import corpus_files, load_manifest, read_document
from .segment import segment


def ingest_document(path, manifest_entry=None):
    text, encoding, sha = read_document(path)
    return document_record(Path(path).stem, path, text, encoding, sha, manifest_entry)


def document_record(doc_id, path, text, encoding, sha, entry=None):
    """The documents.jsonl record of one text, read from `path`; `entry` as in manifest.yaml."""
    entry = entry or {}
    segments, found_title = segment(text, title_hint=entry.get("title"))
    return {
        "doc_id": doc_id,
        "path": str(path),
        "sha256": sha,
        "encoding": encoding,
        "title": entry.get("title") or found_title,
        "outlet": entry.get("outlet"),
        "language": entry.get("language"),
        "chars": len(text),
        "segments": segments,
    }


def run(corpus, out):
    """Ingest a folder of .txt files (returns the records), or a table corpus (returns the document count)."""
    from .tables import ingest_table, is_table_corpus     # here: tables builds on document_record below

    if is_table_corpus(corpus):
        return ingest_table(corpus, out)
    files = corpus_files(corpus)
    manifest = load_manifest(corpus)
    records = [ingest_document(p, manifest.get(p.stem))
               for p in tqdm(files, desc="ingest", unit="doc", disable=len(files) < 50)]
    write_jsonl(Path(out) / "documents.jsonl", records)
    summary(len(records), sum(comment_segments(r) for r in records), out)
    return records


def comment_segments(record):
    return sum(1 for s in record["segments"] if s["kind"] == "comment")


def summary(documents, comments, out):
    print(f"ingest: {documents} documents, {comments} comment segments -> {Path(out) / 'documents.jsonl'}")


def load_documents(out):
    return read_jsonl(Path(out) / "documents.jsonl")
