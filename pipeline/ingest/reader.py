"""Read corpus files safely: clear errors for what cannot be a document."""

import codecs
import hashlib
import sys
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..errors import InputError, line_of

FALLBACK_ENCODING = "cp1252"   # what scraped pages that are not UTF-8 almost always are
_SNIFF = 8192
CORPUS_SUFFIXES = (".txt", ".html", ".htm")     # .html/.htm (and .txt that is HTML) go through html.py
# A byte-order mark names the encoding. The mark is not part of the text: the
# recorded encoding ("utf-8-sig", "utf-16") drops it on every later read too,
# so all offsets count from the first character after it.
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_MANIFEST_TEXT = ("title", "outlet", "language")


def corpus_files(corpus):
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise InputError(corpus, "corpus folder not found (set CORPUS=folder or --corpus)")
    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in CORPUS_SUFFIXES and p.is_file())
    if not files:
        raise InputError(corpus, "no .txt or .html documents in the corpus folder")
    seen = {}
    for p in files:
        if p.stem in seen:
            raise InputError(p, f"same document id as {seen[p.stem].name}: rename one of them")
        seen[p.stem] = p
    return files


def decode(path, data):
    """Text of a document as read, and the encoding used.

    UTF-8 is expected; a byte-order mark (UTF-8 or UTF-16) decides. Bytes that are not UTF-8 are decoded as cp1252 with a
    warning, and the encoding is recorded so every later stage reads the same
    text (offsets depend on it). Binary files are rejected.
    """
    for bom, name in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)          # the codec drops the mark: offsets start after it
            except UnicodeDecodeError as err:
                raise InputError(path, f"starts with a {name} byte-order mark but is not {name} (byte {err.start})") from None
            if not text.strip():
                raise InputError(path, "empty document (no text)")
            return text, name
    if b"\x00" in data[:_SNIFF]:
        raise InputError(path, "binary file (NUL bytes): only plain-text documents can be processed")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        try:
            text, encoding = data.decode(FALLBACK_ENCODING), FALLBACK_ENCODING
        except UnicodeDecodeError:
            raise InputError(path, f"not UTF-8 (byte {err.start}) and not {FALLBACK_ENCODING} either", line=line) from None
        print(f"warning: {path}:{line}: not UTF-8; decoded as {FALLBACK_ENCODING}", file=sys.stderr)
    if not text.strip():
        raise InputError(path, "empty document (no text)")
    return text, encoding


def read_document(path, encoding=None):
    """(text, encoding, sha256) of one file; `encoding` forces a known decoding."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror}") from None
    sha = hashlib.sha256(data).hexdigest()
    if encoding:
        return data.decode(encoding), encoding, sha
    text, used = decode(path, data)
    return text, used, sha


def load_manifest(corpus):
    """What is known of each document, by doc_id; {} when there is no manifest.

    Each entry is a mapping (or empty) whose title, outlet and language are
    text or null; anything else is an error naming the line.
    """
    path = Path(corpus) / "manifest.yaml"
    if not path.exists():
        return {}
    try:
        data = YAML().load(path.read_text(encoding="utf-8")) or {}      # round-trip: keeps line numbers
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(path, f"not valid YAML: {getattr(err, 'problem', err)}",
                         line=mark.line + 1 if mark else None) from None
    docs = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(docs, dict):
        raise InputError(path, "expected a mapping 'documents: {doc_id: {title, outlet, language}}'", field="documents",
                         line=line_of(data, key="documents") if isinstance(data, dict) and "documents" in data else None)
    manifest = {}
    for doc_id, entry in docs.items():
        entry = {} if entry is None else entry
        if not isinstance(entry, dict):
            raise InputError(path, f"must be a mapping with {', '.join(_MANIFEST_TEXT)} (not {entry!r})",
                             line=line_of(docs, key=doc_id), field=f"documents.{doc_id}")
        for key in _MANIFEST_TEXT:
            if entry.get(key) is not None and not isinstance(entry[key], str):
                raise InputError(path, f"{key} must be text or null (not {entry[key]!r})",
                                 line=line_of(entry, key=key), field=f"documents.{doc_id}.{key}")
        manifest[str(doc_id)] = {str(k): str(v) if isinstance(v, str) else v for k, v in entry.items()}
    return manifest


def document_texts(documents):
    """{doc_id: text} for ingest records, decoded as ingest decoded them."""
    return {d["doc_id"]: read_document(d["path"], encoding=d.get("encoding"))[0] for d in documents}
