"""Stage 1: corpus/*.txt, *.html -> OUT/documents.jsonl (segments of each page).

A web page's extracted text is written to OUT/text/<doc_id>.txt, and that is the
record's `path`: every later stage reads documents the same way.
"""

from pathlib import Path

from tqdm import tqdm

from ..files import read_jsonl, write_jsonl, write_text
from .html import build_record, is_page, read_page
from .reader import corpus_files, load_manifest, read_document
from .segment import furniture_warning, segment


def ingest_document(path, manifest_entry=None):
    text, encoding, sha = read_document(path)
    entry = manifest_entry or {}
    segments, found_title = segment(text, title_hint=entry.get("title"))
    furniture_warning(path, text, segments)
    return {
        "doc_id": Path(path).stem,
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
    comments = sum(1 for r in records for s in r["segments"] if s["kind"] == "comment")
    pages = sum(1 for r in records if r["format"] == "html")
    print(f"ingest: {len(records)} documents ({pages} web pages), {comments} comment segments "
          f"-> {Path(out) / 'documents.jsonl'}")
    return records


def load_documents(out):
    return read_jsonl(Path(out) / "documents.jsonl")
