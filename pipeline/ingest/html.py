"""A saved web page -> the document's text, its metadata and its segments.

The article body and metadata come from trafilatura (its XML-like output keeps
<p>, <head>, <list> apart, so paragraphs become blank-line-separated text and
headings lines of their own); the comment thread comes from the markup
(comments.py), cut out of the page first so no comment is also article. The
extracted text is what every later stage reads: OUT/text/<doc_id>.txt.

    Title

    Article paragraph…

    Heading

    Article paragraph…

    Comments

    Comment 1 by Ann, 2022-04-22

    Comment text…

    Comment 2 by Bob, reply to comment 1
    …
"""

import codecs
import hashlib
import re
import sys
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import Extractor, use_config

from ..errors import InputError
from ..files import write_text
from .comments import clean, find_comments
from .layouts import first_match, load_layouts
from .reader import BOMS, decode

HTML_SUFFIXES = (".html", ".htm")
_SNIFF = 4096
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_LOOKS_HTML = re.compile(r"^(\ufeff|\xef\xbb\xbf)?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b",
                         re.IGNORECASE | re.DOTALL)
# Labels browsers read as windows-1252 (the WHATWG encoding standard), which is what such pages are.
_AS_CP1252 = {"ascii", "latin-1", "iso8859-1", "cp1252"}
_BLOCKS = {"p", "quote", "head", "list", "table"}
# Never text (trafilatura drops <script> itself, and reads the metadata in JSON-LD ones).
NEVER_TEXT = ("style", "template", "noscript", "svg", "iframe", "object", "canvas")


def _html_parser():
    """lxml.html's parser with its element-class lookup done in C.

    lxml.html picks each element's class in a Python callback, which cost ~10% of
    ingest (every element that Python touches, in our walks and trafilatura's); a
    namespace lookup gives the same classes (FormElement for <form> and the like,
    HtmlElement otherwise, lxml.html's comment/PI/entity classes) without it.
    """
    lookup = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity))
    lookup.get_namespace(None).update(lxml.html.HtmlElementClassLookup._default_element_classes)
    parser = lxml.html.HTMLParser()
    parser.set_element_class_lookup(lookup)
    return parser


_PARSER = _html_parser()


@lru_cache(maxsize=1)
def _config():
    """trafilatura settings: no minimum size (its fallback for short pages flattens every
    paragraph into one), metadata dates only (no guessing from the text)."""
    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return config


@lru_cache(maxsize=1)
def _options(today):
    """bare_extraction's options for our settings, built once per `today` rather than per page:
    building them reads the config file's values (~6% of ingest), and they hold today's
    date (trafilatura accepts no page date after it), hence the key."""
    return Extractor(config=_config(), output_format="python", comments=False, tables=True, with_metadata=True)


def looks_like_html(text):
    """True for text that is a web page (a doctype or <html>/<head>/<body> first)."""
    return bool(_LOOKS_HTML.match(text[:_SNIFF]))


def decode_page(data, path):
    """(text, encoding) of a page's bytes: BOM, then <meta charset>, then UTF-8 / cp1252 as for .txt."""
    if isinstance(data, str):
        return data, "utf-8"
    for bom, name in BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name       # the codec drops the mark, as for .txt
    m = _META_CHARSET.search(data[:_SNIFF])
    if not m:
        return decode(path, data)
    label = m.group(1).decode("ascii")
    try:
        encoding = codecs.lookup(label).name
    except LookupError:
        raise InputError(path, f"<meta charset={label!r}> names an unknown encoding",
                         line=data[: m.start()].count(b"\n") + 1) from None
    if encoding in _AS_CP1252:
        encoding = "cp1252"
    elif encoding.startswith("utf-16"):
        encoding = "utf-8"      # found as ASCII bytes without a BOM: the label is wrong, as browsers assume
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as err:
        raise InputError(path, f"the page says <meta charset={label!r}> but byte {err.start} is not {encoding}; "
                         "re-save it in its real encoding", line=data[: err.start].count(b"\n") + 1) from None


def _parse(text, path):
    text = _XML_DECLARATION.sub("", text, count=1)       # lxml refuses str input that declares an encoding
    if "\x00" in text[:_SNIFF]:
        raise InputError(path, "binary file (NUL bytes), not a web page")
    if not text.strip():
        raise InputError(path, "empty page (no markup, no text)")
    try:
        return lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as err:
        raise InputError(path, f"not readable as HTML: {err}") from None


def _language(tree):
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        for meta in tree.iterfind(".//meta"):
            if (meta.get("http-equiv") or "").lower() == "content-language" or meta.get("property") == "og:locale":
                lang = meta.get("content")
                break
    primary = (lang or "").strip().replace("_", "-").split("-")[0].lower()     # "en-GB" -> "en"
    return primary or None


def _text_of(el):
    lines = (clean(line) for line in "".join(_inline(el)).split("\n"))
    return "\n".join(line for line in lines if line)


def _inline(el):
    """Text of a trafilatura block: <lb/> is a line break, list items and table rows lines."""
    if el.tag in ("code", "graphic"):
        yield el.tail or ""
        return
    if el.tag == "row":                       # a table row is a line, its non-empty cells apart
        cells = (clean(" ".join(cell.itertext())) for cell in el if cell.tag == "cell")
        yield "\n" + " | ".join(c for c in cells if c) + "\n" + (el.tail or "")
        return
    if el.tag == "item":
        yield "\n"
    yield el.text or ""
    for child in el:
        yield from _inline(child)
    if el.tag == "lb":
        yield "\n"
    yield el.tail or ""


def article_paragraphs(body):
    """Blank-line paragraphs of trafilatura's body: one per <p>, <head>, <quote>, <list>, <table>."""
    out = []
    for el in body.iterchildren():
        if el.tag in ("code", "graphic"):
            continue
        text = _text_of(el) if el.tag in _BLOCKS else clean(" ".join(el.itertext()))
        if text:
            out.append(text)
    return out


def extract_page(html, source, title_hint=None):
    """(metadata, article paragraphs, comments, source encoding, comment dialect) of a page."""
    text, encoding = decode_page(html, source)
    tree = _parse(text, source)
    language = _language(tree)
    comments, dialect = find_comments(tree)
    etree.strip_elements(tree, *NEVER_TEXT, with_tail=False)
    for hidden in tree.xpath("//*[@hidden]"):
        hidden.drop_tree()
    result = trafilatura.bare_extraction(tree, options=_options(datetime.now().astimezone().strftime("%Y-%m-%d")))
    paragraphs = article_paragraphs(result.body) if result is not None and result.body is not None else []
    said = {p for c in comments for p in c.paragraphs}
    paragraphs = [p for p in paragraphs if p not in said]      # a comment is never also article text
    author = (result.author or "").strip(" ·|,;-–—") if result else ""      # a byline's trailing separator
    meta = {"title": title_hint or (result.title if result else None), "author": author or None,
            "date": result.date if result else None, "site_name": result.sitename if result else None,
            "url": result.url if result else None, "language": language}
    if meta["title"] is None:
        heading = tree.find(".//h1")
        meta["title"] = clean(heading.text_content()) if heading is not None else None
    return meta, paragraphs, comments, encoding, dialect


class _Builder:
    """Text and segments grown together, so offsets are exact by construction."""

    def __init__(self):
        self.parts, self.segments, self.pos = [], [], 0

    def add(self, kind, text, **comment):
        piece = text + "\n\n"
        seg = {"kind": kind, "start": self.pos, "end": self.pos + len(piece), "author": None, "index": None,
               "parent": None, "date": None, **comment}
        last = self.segments[-1] if self.segments else None
        if last and last["kind"] == kind and (kind != "comment" or last["index"] == seg["index"]):
            last["end"] = seg["end"]                  # same kind (same comment): one segment
        else:
            self.segments.append(seg)
        self.parts.append(piece)
        self.pos += len(piece)

    def text(self):
        if not self.segments:
            return ""
        self.segments[-1]["end"] -= 1                 # one newline at the end
        return "".join(self.parts)[:-1]


def _comment_header(n, comment):
    bits = [f"Comment {n}" + (f" by {comment.author}" if comment.author else "")]
    if comment.date:
        bits.append(comment.date)
    if comment.parent is not None:
        bits.append(f"reply to comment {comment.parent + 1}")
    return ", ".join(bits)


def compose(title, paragraphs, comments, rules=None):
    """(text, segments): title, article (furniture lines that slipped through kept as furniture), comments."""
    rules = rules or load_layouts()
    out = _Builder()
    if title:
        out.add("title", title)
    in_references = False
    for n, p in enumerate(paragraphs):
        if n == 0 and title and p.lower() == title.lower():
            continue                                  # the page's <h1> repeats the title
        in_references = in_references or bool(first_match(rules.references_start, p))
        furniture = first_match(rules.furniture, p) or first_match(rules.comments_start, p) \
            or first_match(rules.banners, p)
        out.add("references" if in_references else "furniture" if furniture else "article", p)
    if comments:
        out.add("furniture", "Comments")
    for n, comment in enumerate(comments, 1):
        out.add("furniture", _comment_header(n, comment))
        for p in comment.paragraphs:
            out.add("comment", p, author=comment.author or "Anonymous", index=n,
                    parent=comment.parent + 1 if comment.parent is not None else None, date=comment.date)
    return out.text(), out.segments


def text_path(out_dir, doc_id):
    return Path(out_dir) / "text" / f"{doc_id}.txt"


def build_record(html, doc_id, source, out_dir, manifest_entry=None):
    """(documents.jsonl record, extracted text) of a page, nothing written."""
    entry = manifest_entry or {}
    meta, paragraphs, comments, encoding, _ = extract_page(html, source, entry.get("title"))
    meta["url"] = meta["url"] or entry.get("url")       # no canonical link: where make fetch found it
    text, segments = compose(meta["title"], paragraphs, comments)
    if not any(s["kind"] in ("article", "comment", "references") for s in segments):
        raise InputError(source, "no article text and no comments found in the page (empty body, or only "
                                 "scripts, styles and navigation)")
    data = html.encode(encoding) if isinstance(html, str) else html
    return {
        "doc_id": doc_id,
        "path": str(text_path(out_dir, doc_id)),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "encoding": "utf-8",
        "title": meta["title"],
        "outlet": entry.get("outlet") or meta["site_name"],
        "language": entry.get("language") or meta["language"],
        "chars": len(text),
        "format": "html",
        "source": str(source),
        "source_sha256": hashlib.sha256(data).hexdigest(),
        "source_encoding": encoding,
        "meta": meta,
        "segments": segments,
    }, text


def page_record(html, doc_id, source, out_dir, manifest_entry=None):
    """The documents.jsonl record of one page (str or bytes), its text written to OUT/text/<doc_id>.txt."""
    record, text = build_record(html, doc_id, source, out_dir, manifest_entry)
    write_text(record["path"], text)
    return record


def is_page(path):
    """A .html/.htm file, or a .txt file that is really a saved web page (with a notice)."""
    path = Path(path)
    if path.suffix.lower() in HTML_SUFFIXES:
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF)
    except OSError:
        return False                          # the .txt reader reports it
    if looks_like_html(head.decode("latin-1")):
        print(f"notice: {path}: this .txt file is a web page (HTML); reading it as one", file=sys.stderr)
        return True
    return False


def read_page(path):
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror}") from None
