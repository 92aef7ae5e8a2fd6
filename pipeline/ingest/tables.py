"""Corpora as tables: one JSONL file, one Parquet file, or a folder of Parquet
files, a row per document: `doc_id` and `text` (or `html`), optionally `title`,
`url`, `outlet`, `language`.

Rows stream through one at a time (JSONL line by line, Parquet in batches of
CHUNK_ROWS), so memory is bounded by the chunk, not the corpus. Each document's
text is written as UTF-8 to OUT/text/<doc_id>.txt and its documents.jsonl record
points there (`path`), with `format: "txt"` and `source: "<file>#<row>"`, so
every later stage reads it like a file from a folder.

A bad row (bad JSON, no doc_id, a duplicate, neither text nor html) stops the
run naming the file and line (JSONL) or 1-based row (Parquet): the texts are
staged in a temporary folder and moved into OUT/text only when every row is
good, just before documents.jsonl is renamed into place.
"""

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from tqdm import tqdm

from ..errors import InputError
from ..files import iter_jsonl, write_jsonl
from . import comment_segments, document_record

CHUNK_ROWS = 1024                      # Parquet rows decoded at once
TABLE_SUFFIXES = (".jsonl", ".parquet")
COLUMNS = ("doc_id", "text", "html", "title", "url", "outlet", "language")
_UNSAFE_ID = re.compile(r"[\x00-\x1f/\\]|^\.")     # doc_id names files: OUT/text, OUT/cache, annotations


def is_table_corpus(corpus):
    """A .jsonl or .parquet file, or a folder of .parquet files (and no .txt documents)."""
    corpus = Path(corpus)
    if corpus.is_dir():
        return not any(corpus.glob("*.txt")) and any(corpus.rglob("*.parquet"))
    return corpus.suffix in TABLE_SUFFIXES


def table_rows(corpus):
    """(file, row number, row dict) of every row, in file order (a folder's files sorted by path)."""
    corpus = Path(corpus)
    if not corpus.exists():
        raise InputError(corpus, "corpus file not found (set CORPUS=file.jsonl, file.parquet or a folder)")
    files = sorted(corpus.rglob("*.parquet")) if corpus.is_dir() else [corpus]
    for path in files:
        rows = iter_jsonl(path) if path.suffix == ".jsonl" else _parquet_rows(path)
        for n, row in rows:
            yield path, n, row


def _parquet_rows(path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as err:
        raise InputError(path, f"not a readable Parquet file ({err})") from None
    names = table.schema_arrow.names
    if "doc_id" not in names or not {"text", "html"} & set(names):
        raise InputError(path, f"needs the columns doc_id and text (or html); it has: {', '.join(names)}")
    batches = table.iter_batches(batch_size=CHUNK_ROWS, columns=[c for c in COLUMNS if c in names])
    n = 0
    while True:
        try:
            batch = next(batches, None)
        except pa.ArrowException as err:
            raise InputError(path, f"unreadable after row {n} ({err})") from None
        if batch is None:
            return
        for row in batch.to_pylist():
            n += 1
            yield n, row


def _doc_id(corpus, path, n, row, seen):
    if not isinstance(row, dict):
        raise InputError(path, 'expected an object {"doc_id": ..., "text": ...}', line=n)
    doc_id = row.get("doc_id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise InputError(path, "missing doc_id (every row needs a doc_id and a text or html)", line=n, field="doc_id")
    if _UNSAFE_ID.search(doc_id) or len(doc_id) > 200:
        raise InputError(path, f"doc_id {doc_id!r} cannot name a file: no '/', '\\', control characters, "
                         "leading '.', at most 200 characters", line=n, field="doc_id")
    if doc_id in seen:
        raise InputError(path, f"duplicate doc_id {doc_id!r} (first on {_first_row(corpus, doc_id)})",
                         line=n, field="doc_id")
    seen.add(doc_id)                          # the one thing kept per row: duplicates can be anywhere
    return doc_id


def _first_row(corpus, doc_id):
    """Where a duplicated doc_id first stands: read again, only on that error, so no row keeps its place."""
    for path, n, row in table_rows(corpus):
        if isinstance(row, dict) and str(row.get("doc_id")) == doc_id:
            return f"{path.name}:{n}"


def _content(path, n, row, field):
    value = row.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(path, f"{field} must be a string, not {type(value).__name__}", line=n, field=field)
    if not value.strip():
        raise InputError(path, f"empty document (no {field})", line=n, field=field)
    return value


def html_record(html, doc_id, path, n, row, staging, text_dir):
    """An `html` row through the HTML ingest; its extracted text staged like a text row's."""
    from .html import build_record      # here: html imports this package's reader, and trafilatura is slow to load

    entry = {key: row.get(key) for key in ("title", "url", "outlet", "language")}
    record, text = build_record(html, doc_id, f"{path}#{n}", text_dir.parent, entry)
    with open(os.path.join(staging, f"{doc_id}.txt"), "w", encoding="utf-8") as fh:
        fh.write(text)
    return record


def ingest_table(corpus, out):
    """Stream a table corpus into OUT/documents.jsonl and OUT/text/; returns the number of documents."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    text_dir = out / "text"
    staging = Path(tempfile.mkdtemp(prefix=".text.", dir=out))
    counts = {"documents": 0, "comments": 0, "pages": 0}

    def records():
        seen = set()
        for path, n, row in tqdm(table_rows(corpus), desc="ingest", unit="doc", delay=2):
            doc_id = _doc_id(corpus, path, n, row, seen)
            text, html = _content(path, n, row, "text"), _content(path, n, row, "html")
            if text is not None:
                record = _text_record(path, n, row, doc_id, text, staging, text_dir)
            elif html is not None:
                record = html_record(html, doc_id, path, n, row, staging, text_dir)
                counts["pages"] += 1
            else:
                raise InputError(path, "neither text nor html", line=n)
            counts["documents"] += 1
            counts["comments"] += comment_segments(record)
            yield record
        # Every row was good: publish the texts before write_jsonl renames documents.jsonl over the old one.
        text_dir.mkdir(exist_ok=True)
        for staged in os.scandir(staging):
            os.replace(staged.path, os.path.join(text_dir, staged.name))

    try:
        write_jsonl(out / "documents.jsonl", records())
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"ingest: {counts['documents']} documents ({counts['pages']} web pages), {counts['comments']} comment "
          f"segments -> {out / 'documents.jsonl'}")
    return counts["documents"]


def _text_record(path, n, row, doc_id, text, staging, text_dir):
    for key in ("title", "url", "outlet", "language"):
        if row.get(key) is not None and not isinstance(row[key], str):
            raise InputError(path, f"{key} must be a string, not {type(row[key]).__name__}", line=n, field=key)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise InputError(path, f"text is not valid Unicode ({err.reason})", line=n, field="text") from None
    name = f"{doc_id}.txt"              # plain string paths: pathlib interns every part it parses, for good
    with open(os.path.join(staging, name), "wb") as fh:
        fh.write(data)
    entry = {key: row.get(key) for key in ("title", "outlet", "language")}
    record = document_record(doc_id, os.path.join(text_dir, name), text, "utf-8", hashlib.sha256(data).hexdigest(),
                             entry)
    return {**record, "format": "txt", "source": f"{path}#{n}", "url": row.get("url")}
