"""Stage 1: corpus/*.txt -> OUT/documents.jsonl (segments of each page)."""

import sys
from pathlib import Path

from tqdm import tqdm

from ..files import read_jsonl, write_jsonl
from .reader import corpus_files, load_manifest, read_document
from .segment import segment


def ingest_document(path, manifest_entry=None):
    text, encoding, sha = read_document(path)
    entry = manifest_entry or {}
    segments, found_title = segment(text, title_hint=entry.get("title"),
                                    warn=lambda line, message: print(f"warning: {path}:{line}: {message}", file=sys.stderr))
    return {
        "doc_id": Path(path).stem,
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
    files = corpus_files(corpus)
    manifest = load_manifest(corpus)
    records = [ingest_document(p, manifest.get(p.stem))
               for p in tqdm(files, desc="ingest", unit="doc", disable=len(files) < 50)]
    write_jsonl(Path(out) / "documents.jsonl", records)
    comments = sum(1 for r in records for s in r["segments"] if s["kind"] == "comment")
    print(f"ingest: {len(records)} documents, {comments} comment segments -> {Path(out) / 'documents.jsonl'}")
    return records


def load_documents(out):
    return read_jsonl(Path(out) / "documents.jsonl")
