"""Reader comments from a page's markup: author, date, parent and paragraphs of each.

The selectors live in comment_markup.yml (one dialect per family of page
templates); this module only applies them. A comment nested in another
comment's element is its reply; a forum post quoting an earlier author
replies to that author's latest post. JSON-LD `Comment` objects are read when
no markup dialect finds anything.
"""

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree
from ruamel.yaml import YAML

from ..errors import InputError

DEFAULT_MARKUP = Path(__file__).with_name("comment_markup.yml")

# Elements whose text is never prose, and elements that end a paragraph.
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "button", "form",
                       "input", "select", "textarea", "nav", "img", "video", "audio", "object", "head"})
BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr",
                        "section", "article", "aside", "header", "footer", "main", "figure", "figcaption",
                        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "details", "summary"})
_HAS_CLASS = re.compile(r"has-class\(\s*'([^']+)'\s*\)")
_BLANK_LINE = re.compile(r"\n *\n")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
_WROTE = re.compile(r"\s*(wrote|said|says)\s*:?\s*$|^\s*quote from\s+|\s*:\s*$", re.IGNORECASE)


@dataclass
class PageComment:
    author: str | None
    date: str | None
    paragraphs: list
    parent: int | None = None            # position in the page's comment list (0-based), or None
    key: object = field(default=None, repr=False)


@dataclass(frozen=True)
class Dialect:
    name: str
    item: etree.XPath
    author: tuple
    date: tuple
    body: tuple
    drop: etree.XPath | None
    quote_of: etree.XPath | None
    remove: etree.XPath | None


@dataclass(frozen=True)
class Furniture:
    classes: frozenset
    ids: frozenset
    roles: frozenset

    def find(self, tree):
        """Elements to cut (a plain walk: several times faster than the same test in XPath)."""
        found = []
        for el in tree.iter(tag=etree.Element):
            cls = el.get("class")
            if cls and not self.classes.isdisjoint(cls.split()) or el.get("id") in self.ids \
                    or el.get("role") in self.roles:
                found.append(el)
        return found


@dataclass(frozen=True)
class Markup:
    dialects: tuple
    furniture: Furniture
    json_ld: dict


def _xpath(path, where, expression):
    """Compile one selector; has-class('x') becomes the XPath 1.0 idiom for a class word."""
    translated = _HAS_CLASS.sub(r"(contains(@class, '\1') and contains(concat(' ', normalize-space(@class), ' '), ' \1 '))",
                                expression)        # the cheap test first: most elements fail it
    try:
        return etree.XPath(translated)
    except etree.XPathSyntaxError as err:
        raise InputError(path, f"bad XPath {expression!r}: {err}", field=where) from None


def _xpaths(path, where, value):
    return tuple(_xpath(path, where, e) for e in ([value] if isinstance(value, str) else value or []))


@lru_cache(maxsize=4)
def load_markup(path=DEFAULT_MARKUP):
    data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
    dialects = []
    for n, d in enumerate(data["dialects"]):
        where = f"dialects[{n}]"
        optional = {k: _xpath(path, f"{where}.{k}", d[k]) if d.get(k) else None for k in ("drop", "quote_of", "remove")}
        dialects.append(Dialect(name=d["name"], item=_xpath(path, f"{where}.item", d["item"]),
                                author=_xpaths(path, f"{where}.author", d.get("author")),
                                date=_xpaths(path, f"{where}.date", d.get("date")),
                                body=_xpaths(path, f"{where}.body", d.get("body")), **optional))
    furniture = Furniture(*(frozenset(data["furniture"].get(k) or ()) for k in ("classes", "ids", "roles")))
    return Markup(tuple(dialects), furniture, dict(data["json_ld"]))


def clean(text):
    return _SPACES.sub(" ", text or "").strip()


def paragraphs(root, skip=frozenset()):
    """Blank-line paragraphs of an element's visible text; <br> is a line break inside one.

    Elements in `skip` (nested comments, buttons, quotes) are left out, their tails
    kept; `root` itself is always read.
    """
    out, buf = [], []

    def flush():                      # two <br> in a row (an empty line) end a paragraph too
        joined = "".join(buf)
        buf.clear()
        if not joined.strip():
            return
        for chunk in _BLANK_LINE.split(joined):
            text = "\n".join(line for line in map(clean, chunk.split("\n")) if line)
            if text:
                out.append(text)

    def walk(el):
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if tag is not None and tag not in SKIP_TAGS and (el is root or el not in skip):
            block = tag in BLOCK_TAGS
            if block:
                flush()
            if tag == "br":
                buf.append("\n")
            buf.append(_SPACES.sub(" ", el.text or ""))
            for child in el:
                walk(child)
            if block:
                flush()
        if el is not root:
            buf.append(_SPACES.sub(" ", el.tail or ""))

    walk(root)
    flush()
    return out


def _value(node):
    """Text of an XPath result: an attribute/text string, or an element's text."""
    if isinstance(node, str):
        return clean(node)
    return clean(" ".join(paragraphs(node)))


def _owner(el, items):
    """The nearest comment element at or above `el`."""
    while el is not None and el not in items:
        el = el.getparent()
    return el


def _own(xpath, item, items):
    """Results of `xpath` inside `item` that do not belong to a comment nested in it."""
    return [n for n in xpath(item) if _owner(n.getparent() if isinstance(n, str) else n, items) is item]


def _first(xpaths, item, items):
    for xpath in xpaths:
        for node in _own(xpath, item, items):
            value = _value(node)
            if value:
                return value[:200]
    return None


def _author_name(text):
    return _WROTE.sub("", text or "").strip() or None


def from_markup(tree, dialect):
    """Comments that `dialect` finds in `tree`, in page order."""
    found = dialect.item(tree)
    items = set(found)
    comments, by_element = [], {}
    for item in found:
        dropped = set(dialect.drop(item)) if dialect.drop is not None else set()
        skip = items | dropped
        bodies = []
        for xpath in dialect.body:
            bodies = [n for n in _own(xpath, item, items) if not isinstance(n, str)
                      and not any(a in dropped for a in n.iterancestors())]      # not a signature's text
            if bodies:
                break
        bodies = [b for b in bodies if not any(a in bodies for a in b.iterancestors())]
        if not bodies:                          # no body element: the item's text without its header
            bodies = [item]
            skip = skip | {n if not isinstance(n, str) else n.getparent()
                           for xpath in dialect.author + dialect.date for n in _own(xpath, item, items)}
        texts = [p for body in bodies for p in paragraphs(body, skip=skip)]
        parent_el = _owner(item.getparent(), items)
        while parent_el is not None and parent_el not in by_element:       # an ancestor without text
            parent_el = _owner(parent_el.getparent(), items)
        comment = PageComment(author=_author_name(_first(dialect.author, item, items)),
                              date=_first(dialect.date, item, items), paragraphs=texts,
                              parent=by_element.get(parent_el))
        if dialect.quote_of is not None and comment.parent is None:
            quoted = [_author_name(_value(q)) for q in _own(dialect.quote_of, item, items)]
            comment.parent = _latest_by(comments, quoted[0]) if quoted and quoted[0] else None
        if texts:
            by_element[item] = len(comments)
            comments.append(comment)
    return comments


def _latest_by(comments, author):
    wanted = author.lower()
    for n in range(len(comments) - 1, -1, -1):
        if (comments[n].author or "").lower() == wanted:
            return n
    return None


# -- JSON-LD ------------------------------------------------------------------
def _types(obj):
    t = obj.get("@type")
    return {t} if isinstance(t, str) else set(t) if isinstance(t, list) else set()


def _ld_text(value):
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, list):
        value = next((v for v in map(_ld_text, value) if v), None)
    return clean(str(value)) if value not in (None, "") else None


def _ld_paragraphs(text):
    if "<" in text and ">" in text:
        try:
            return paragraphs(etree.fromstring(f"<div>{text}</div>", etree.HTMLParser()))
        except (etree.ParserError, ValueError):
            pass
    return [p for p in (clean(chunk) for chunk in re.split(r"\n\s*\n", text)) if p]


def from_json_ld(tree, rules):
    """schema.org Comment objects in the page's JSON-LD blocks, replies by nesting or parentItem."""
    comments, ids = [], {}

    def visit(obj, parent):           # parent: index of the comment whose replies these are
        if isinstance(obj, list):
            for x in obj:
                visit(x, parent)
            return
        if not isinstance(obj, dict):
            return
        me = parent
        if _types(obj) & set(rules["types"]):
            body = obj.get(rules["body"])
            texts = _ld_paragraphs(str(body)) if body else []
            if texts:
                date = next((obj[k] for k in rules["date"] if obj.get(k)), None)
                comments.append(PageComment(author=_ld_text(obj.get(rules["author"])), date=_ld_text(date),
                                            paragraphs=texts, parent=parent, key=obj.get(rules["parent"])))
                me = len(comments) - 1
                for key in ("@id", "url"):
                    if isinstance(obj.get(key), str):
                        ids[obj[key]] = me
        for key, value in obj.items():
            if key != rules["parent"]:
                visit(value, me if key == rules["replies"] else None)

    for script in tree.iterfind(".//script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            visit(json.loads(script.text), None)
        except json.JSONDecodeError:
            continue                          # a broken blob is the site's problem, not a comment
    for comment in comments:
        ref = comment.key
        ref = ref.get("@id") or ref.get("url") if isinstance(ref, dict) else ref
        if comment.parent is None and isinstance(ref, str) and ref in ids:
            comment.parent = ids[ref]
        comment.key = None
    return comments


def find_comments(tree, markup=None):
    """(comments, dialect name or None) and the page with the thread and its furniture cut out.

    The tree is modified in place: the chosen dialect's containers and the
    furniture selectors are removed, so the article extractor never sees them.
    """
    markup = markup or load_markup()
    comments, name, dialect = [], None, None
    for candidate in markup.dialects:
        comments = from_markup(tree, candidate)
        if comments:
            name, dialect = candidate.name, candidate
            break
    if not comments:
        comments = from_json_ld(tree, markup.json_ld)
        name = "json-ld" if comments else None
    cut = markup.furniture.find(tree) + (list(dialect.remove(tree)) if dialect and dialect.remove is not None else [])
    for el in cut:
        if el.getparent() is not None:
            el.drop_tree()
    return comments, name
