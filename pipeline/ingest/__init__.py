"""Stage 1: corpus/*.txt, *.html (or a JSONL/Parquet table of documents) -> OUT/documents.jsonl.

A web page's extracted text, and a table row's text, is written to
OUT/text/<doc_id>.txt, and that is the record's `path`: every later stage
reads documents the same way.
"""

import sys
from pathlib import Path

from tqdm import tqdm

from ..files import read_jsonl, write_jsonl, write_text
from .html import build_record, is_page, read_page
from .reader import corpus_files, load_manifest, read_document
from .segment import furniture_warning, segment


def ingest_document(path, manifest_entry=None):
    text, encoding, sha = read_document(path)
    return document_record(Path(path).stem, path, text, encoding, sha, manifest_entry)


def document_record(doc_id, path, text, encoding, sha, entry=None):
    """The documents.jsonl record of one text, read from `path`; `entry` as in manifest.yaml."""
    entry = entry or {}
    segments, found_title = segment(text, title_hint=entry.get("title"),
                                    warn=lambda line, message: print(f"warning: {path}:{line}: {message}", file=sys.stderr))
    furniture_warning(path, text, segments)
    return {
        "doc_id": doc_id,
        "path": str(path),
        "sha256": sha,
        "encoding": encoding,
        "title": entry.get("title") or found_title,
        "outlet": entry.get("outlet"),
        "language": entry.get("language"),
        "chars": len(text),
        "format": "txt",
        "source": str(path),
        "segments": segments,
    }


def ingest_file(path, manifest_entry=None, out="output"):
    """(record, extracted text to write or None) of one corpus file, nothing written."""
    if is_page(path):
        return build_record(read_page(path), Path(path).stem, path, out, manifest_entry)
    return ingest_document(path, manifest_entry), None


def run(corpus, out):
    """Ingest a folder of .txt files (returns the records), or a table corpus (returns the document count)."""
    from .tables import ingest_table, is_table_corpus     # here: tables builds on document_record below

    if is_table_corpus(corpus):
        return ingest_table(corpus, out)
    files = corpus_files(corpus)
    manifest = load_manifest(corpus)
    fetched = Path(corpus) / "fetched.jsonl"               # written by make fetch: the page's URL
    for page in read_jsonl(fetched) if fetched.exists() else []:
        manifest.setdefault(page["doc_id"], {}).setdefault("url", page.get("final_url") or page.get("url"))
    done = [ingest_file(p, manifest.get(p.stem), out)
            for p in tqdm(files, desc="ingest", unit="doc", disable=len(files) < 50)]
    for record, text in done:                 # only once every file was read: bad input writes nothing
        if text is not None:
            write_text(record["path"], text)
    records = [record for record, _ in done]
    write_jsonl(Path(out) / "documents.jsonl", records)
    summary(records, out)
    return records


def comment_segments(record):
    return sum(1 for s in record["segments"] if s["kind"] == "comment")


def summary(records, out):
    pages = sum(1 for r in records if r.get("format") == "html")
    print(f"ingest: {len(records)} documents ({pages} web pages), {sum(map(comment_segments, records))} comment "
          f"segments -> {Path(out) / 'documents.jsonl'}")


def load_documents(out):
    return read_jsonl(Path(out) / "documents.jsonl")
