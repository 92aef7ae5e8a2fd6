"""Annotation files as YAML: round-trip for the review stage (annotators' comments, key order and
quoting survive a re-run), plain data for the stages that only read them.

Memory is what shapes this module: ruamel builds a node graph of a whole
document to load or dump it (about 45 KB a claim to dump, over 80 KB to load),
which a long article's file turns into gigabytes. So a file is dumped a claim
at a time (the same text, tested), and read-only stages parse libyaml's event
stream into plain data, with no node graph at all.
"""

import hashlib
import io
from pathlib import Path

import yaml as libyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode

from ..errors import InputError, line_of  # noqa: F401  (line_of: validate and merge take it from here)
from ..files import atomic_open

HEADER = """\
Review file: correct the machine's claims here (README, "Annotator's guide").
status: machine | confirmed | corrected | rejected | added. Anything not
`machine` is never changed by a re-run; notes and comments are kept.
"""


def _yaml():
    yaml = YAML()          # round-trip
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def load_file(path):
    return load_bytes(path, Path(path).read_bytes())


def file_sha256(path):
    """sha256 of a file's bytes, None when there is no file: what a run read, to compare before replacing."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def load_bytes(path, raw):
    """Parse an annotation file from the bytes read (so the hash taken of them is of what was parsed)."""
    path = Path(path)
    try:
        data = _yaml().load(raw.decode("utf-8"))
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise InputError(path, f"not valid YAML: {err.problem or err.context}",
                         line=mark.line + 1 if mark else None) from None
    except (YAMLError, UnicodeDecodeError) as err:
        raise InputError(path, f"not valid YAML: {err}") from None
    return data


def _implicit_first(resolver):
    """The characters some implicit (non-str) YAML type can start with: any other plain scalar is a str."""
    return frozenset(ch for ch in resolver.versioned_resolver if ch is not None)


def new_file(doc_id):
    data = CommentedMap()
    data["doc_id"] = doc_id
    data["sha256"] = None
    data["extractor"] = None
    data["claims"] = CommentedSeq()
    data.yaml_set_start_comment(HEADER)
    return data


def _dump(data, yaml=None):
    buffer = io.StringIO()
    (yaml or _yaml()).dump(data, buffer)
    return buffer.getvalue()


def _claim_at_a_time(data):
    """A file of the usual shape (its claims last, no comment on the `claims:` key itself)
    can be dumped as its header, then each claim as a one-item list with its own comments."""
    claims = data.get("claims") if isinstance(data, CommentedMap) else None
    return isinstance(claims, CommentedSeq) and len(claims) > 0 and list(data)[-1] == "claims" \
        and "claims" not in data.ca.items and claims.ca.comment is None and not claims.ca.end


# -- machine claims written without ruamel's emitter -------------------------------------------
# A claim no annotator touched is plain data (our str, int, float, bool, None; no comments, tags,
# anchors or flow style). ruamel spends ~2 ms emitting one; this writes the same text in a few
# microseconds, and gives up (None: ruamel writes that claim) on anything it is not sure of.
# tests/test_review.py checks it against ruamel on random claims and on every file it makes.
_INDICATOR_FIRST = frozenset("#,[]{}&*!|>'\"%@`")      # ruamel quotes a str starting with one
_BEFORE_SPACE = frozenset("-?:")                       # ... or with one of these alone or before a space
_STR_TAG = "tag:yaml.org,2002:str"
_WRITER_RESOLVER = _yaml().resolver         # the round-trip dumper's: whether it must quote a str
_IMPLICIT_FIRST = _implicit_first(_WRITER_RESOLVER)


def _printable(value):
    """One line of characters ruamel writes as they are (no breaks, controls, BOM or surrogates)."""
    if value.isascii():
        return value.isprintable()
    return not any(not (" " <= ch <= "~" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"
                        or ch >= "\U00010000") or ch in "\ufeff\u2028\u2029" for ch in value)


def _plain_text(value):
    """The printable scalar unquoted, or None where ruamel would quote it."""
    if value[0] in _INDICATOR_FIRST or value[0] == " " or value[-1] in " :" or value.startswith(("...", "---")) \
            or (value[0] in _BEFORE_SPACE and (len(value) == 1 or value[1] == " ")) or ": " in value or " #" in value:
        return None
    if value[0] in _IMPLICIT_FIRST and str(_WRITER_RESOLVER.resolve(ScalarNode, value, (True, False))) != _STR_TAG:
        return None
    return value


def _double_quoted(value):
    """A text with line breaks (a comment copied with its own wrapping), as ruamel double-quotes it:
    backslash and quote escaped, each break written \\n. Any other character ruamel escapes (a tab,
    NEL, no-break space, line or paragraph separator, BOM, a control) leaves it to ruamel: `_printable`
    refuses all of them but the no-break space, which it allows outside double quotes."""
    if "\xa0" in value or not all(_printable(line) for line in value.split("\n") if line):
        return None
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"' if len(escaped) <= 3900 else None     # ruamel wraps a longer line


def _str_text(value):
    """As ruamel writes a str: plain where it can, else in single quotes unless the text holds one
    (ruamel then double-quotes: left to it, as is anything long enough to fold or not printable);
    a text with line breaks double-quoted (`_double_quoted`)."""
    if value == "":
        return "''"
    if len(value) > 3900:
        return None
    if "\n" in value:
        return _double_quoted(value)
    if not _printable(value):
        return None
    plain = _plain_text(value)
    if plain is not None:
        return plain
    return None if "'" in value else f"'{value}'"


def _scalar_text(value):
    kind = type(value)
    if kind is str:
        return _str_text(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        text = repr(value)
        return text if "e" not in text and "n" not in text else None       # no exponent, inf or nan
    return None


def _untouched(node):
    """A map or list from our own code, or loaded but with no comment, anchor, tag or flow style."""
    if type(node) not in (dict, list, CommentedMap, CommentedSeq):
        return False
    if type(node) in (dict, list):
        return True
    ca = node.ca
    return not (ca.comment or ca.end or ca.items or getattr(ca, "pre", None)) and node.fa.flow_style() is None \
        and node.anchor.value is None and node.tag.value is None


def _mapping_lines(node, indent, lines, first_prefix=None):
    pad = " " * indent
    for n, (key, value) in enumerate(node.items()):
        if type(key) is not str or not key or not _printable(key) or _plain_text(key) is None:
            return False
        head = (first_prefix if n == 0 and first_prefix is not None else pad) + key + ":"
        if value is None:
            lines.append(head)
        elif isinstance(value, (dict, list)):
            if not _untouched(value):
                return False
            if not value:
                lines.append(head + (" {}" if isinstance(value, dict) else " []"))
                continue
            lines.append(head)
            if isinstance(value, dict):
                if not _mapping_lines(value, indent + 2, lines):
                    return False
            elif not _sequence_lines(value, indent + 2, lines):
                return False
        else:
            text = _scalar_text(value)
            if text is None:
                return False
            lines.append(f"{head} {text}")
    return True


def _sequence_lines(node, dash, lines):
    """Items at `dash` columns (ruamel's offset=2 inside sequence=4), their content two further."""
    for item in node:
        prefix = " " * dash + "- "
        if isinstance(item, dict):
            if not item or not _untouched(item) or not _mapping_lines(item, dash + 2, lines, first_prefix=prefix):
                return False
        elif isinstance(item, list) or item is None:
            return False
        else:
            text = _scalar_text(item)
            if text is None:
                return False
            lines.append(prefix + text)
    return True


def fast_claim_text(claim):
    """The text ruamel writes for the one-item list [claim] under `claims:`, or None."""
    lines = []
    if not isinstance(claim, dict) or not _untouched(claim) or not claim \
            or not _mapping_lines(claim, 4, lines, first_prefix="  - "):
        return None
    return "\n".join(lines) + "\n"


def dumps(data):
    """The file's text; a claim at a time where the shape allows (the same text as one dump:
    tests/test_review.py checks it on every file its property test makes)."""
    if not _claim_at_a_time(data):
        return _dump(data)
    head = CommentedMap((k, v) for k, v in data.items() if k != "claims")
    head.ca.comment = data.ca.comment
    head.ca.items.update(data.ca.items)
    yaml = _yaml()
    pieces, claims = [_dump(head, yaml), "claims:\n"], data["claims"]
    for n, claim in enumerate(claims):
        text = None if n in claims.ca.items else fast_claim_text(claim)
        if text is None:
            one = CommentedSeq([claim])
            if n in claims.ca.items:
                one.ca.items[0] = claims.ca.items[n]
            text = _dump(one, yaml)
        pieces.append(text)
    return "".join(pieces)


class ChangedOnDisk(Exception):
    """The file is no longer what the run read: someone saved it meanwhile."""


def dump_file(path, data, expect=False, yaml_text=None):
    """Write atomically, and only when the content changed. Returns 1 if written.
    `yaml_text`: dumps(data), when the caller has it already.

    With `expect` (the sha256 the run read, or None for "there was no file"),
    the file is replaced only if it still has that hash, checked once before
    writing and again just before the rename; otherwise ChangedOnDisk is
    raised and the file is left as its last writer saved it.
    """
    path = Path(path)
    text = dumps(data) if yaml_text is None else yaml_text

    def unchanged():
        if expect is not False and file_sha256(path) != expect:
            raise ChangedOnDisk(path)

    unchanged()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return 0
    with atomic_open(path, before_replace=unchanged) as fh:
        fh.write(text)
    return 1


# -- plain data for the stages that only read (link, export, eval) ------------------------------
class _Lines:
    """What errors.line_of reads from ruamel's `.lc`: 0-based lines of the node, its keys, its items."""
    __slots__ = ("line", "keys", "items")

    def __init__(self, line):
        self.line, self.keys, self.items = line, {}, []

    def key(self, key):
        return self.keys[key], 0

    def item(self, index):
        return self.items[index], 0


class PlainMap(dict):
    __slots__ = ("lc",)


class PlainSeq(list):
    __slots__ = ("lc",)


_EVENTS = getattr(libyaml, "CSafeLoader", libyaml.SafeLoader)    # libyaml's C parser where PyYAML has it
_SAFE = YAML(typ="safe", pure=True)          # its resolver and constructor: YAML 1.2's safe rules
_RESOLVER, _CONSTRUCT = _SAFE.resolver, _SAFE.constructor
_READ_IMPLICIT_FIRST = _implicit_first(_RESOLVER)
_DOCUMENT_EVENTS = (libyaml.StreamStartEvent, libyaml.StreamEndEvent, libyaml.DocumentEndEvent)


_QUOTED = frozenset("'\"|>")                # quoted and block scalars are strings, whatever they say
_PLAIN_VALUES = {}                           # a plain untagged scalar's value depends on its text alone


def _scalar(event):
    """A scalar's value by YAML 1.2's safe rules (ruamel's), so it equals a round-trip load's value."""
    explicit = event.tag not in (None, "!")
    if not explicit:
        if event.style in _QUOTED:
            return event.value
        if not event.style:                  # plain: '' from libyaml's C parser, None from PyYAML's own
            value = event.value
            if value and value[0] not in _READ_IMPLICIT_FIRST:
                return value                 # no implicit type starts with this character: a str
            if value in _PLAIN_VALUES:
                return _PLAIN_VALUES[value]
    tag = event.tag if explicit else str(_RESOLVER.resolve(ScalarNode, event.value, event.implicit))
    make = _CONSTRUCT.yaml_constructors.get(tag)
    if make is None:
        raise libyaml.MarkedYAMLError(problem=f"the tag {tag} is not allowed here", problem_mark=event.start_mark)
    value = make(_CONSTRUCT, ScalarNode(tag, event.value, style=event.style))
    if not explicit and not event.style and len(_PLAIN_VALUES) < 100_000 and len(event.value) < 40:
        _PLAIN_VALUES[event.value] = value
    return value


def _events_to_data(events):
    stack, anchors, root, documents = [], {}, None, 0     # stack: [container, key waiting for its value]
    for event in events:
        if isinstance(event, _DOCUMENT_EVENTS):
            continue
        if isinstance(event, libyaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise libyaml.MarkedYAMLError(problem="expected a single document in the stream",
                                              problem_mark=event.start_mark)
            continue
        line = event.start_mark.line
        if isinstance(event, (libyaml.MappingEndEvent, libyaml.SequenceEndEvent)):
            value, _ = stack.pop()
        elif isinstance(event, libyaml.AliasEvent):
            if event.anchor not in anchors:
                raise libyaml.MarkedYAMLError(problem=f"found undefined alias {event.anchor!r}",
                                              problem_mark=event.start_mark)
            value = anchors[event.anchor]
        elif isinstance(event, libyaml.ScalarEvent):
            value = _scalar(event)
        else:                                                 # a mapping or a sequence starts
            value = PlainMap() if isinstance(event, libyaml.MappingStartEvent) else PlainSeq()
            value.lc = _Lines(line)
        if getattr(event, "anchor", None) and not isinstance(event, libyaml.AliasEvent):
            anchors[event.anchor] = value
        if isinstance(event, (libyaml.MappingStartEvent, libyaml.SequenceStartEvent)):
            _attach(stack, value, line, event)
            stack.append([value, _NO_KEY])
            continue
        if isinstance(event, (libyaml.MappingEndEvent, libyaml.SequenceEndEvent)):
            if not stack:
                root = value
            continue
        if not stack:
            root = value
        else:
            _attach(stack, value, line, event)
    return root


_NO_KEY = object()


def _attach(stack, value, line, event):
    """Put a finished (or just opened) value into the container on top of the stack."""
    if not stack:
        return
    top = stack[-1]
    container = top[0]
    if isinstance(container, PlainSeq):
        container.append(value)
        container.lc.items.append(line)
    elif top[1] is _NO_KEY:                                   # this value is a key
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            raise libyaml.MarkedYAMLError(problem="a mapping key must be a plain value", problem_mark=event.start_mark)
        if value in container:
            raise libyaml.MarkedYAMLError(problem=f"found duplicate key {value!r}", problem_mark=event.start_mark)
        top[1] = value
        container.lc.keys[value] = line
    else:
        container[top[1]] = value
        top[1] = _NO_KEY


def load_plain_bytes(path, raw):
    """An annotation file as plain dicts and lists (with the line numbers validation names), for a
    stage that never writes it back. Anything libyaml refuses is parsed again by ruamel, whose
    message (and data, should it accept what libyaml did not) is the review stage's."""
    try:
        return _events_to_data(libyaml.parse(raw.decode("utf-8"), Loader=_EVENTS))
    except (libyaml.YAMLError, UnicodeDecodeError, ValueError, TypeError):
        return load_bytes(path, raw)
