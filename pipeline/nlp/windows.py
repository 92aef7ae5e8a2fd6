"""A Matcher that reads only the token windows where one of its patterns can match.

spaCy's Matcher walks every token of a Doc with every pattern, and reads each
token's extension attributes (`_.qclass`) in Python first: on a long paragraph
with two numbers that is thousands of tokens read for nothing. Every quantity
pattern, though, has a token it cannot match without (a number, a unit, "half",
"every"), and none is longer than a known number of tokens. So:

- each pattern gets an **anchor**: one of its required (not optional) tokens,
  read from the pattern itself — an extension class (`{"_": {"qclass": ...}}`),
  a word (`LOWER`, `ORTH`/`TEXT`) or a `SHAPE`;
- a match of that pattern holds its anchor token, and reaches at most as many
  tokens before and after it as the pattern's specs allow (`?` one, `{0,8}`
  eight), which is kept per anchor (a number opens longer patterns than "every"); so
- matching the windows around the anchors, merged where they overlap, finds
  exactly the matches of the whole Doc, in the same order (windows are disjoint
  and read left to right; a match cannot start in one window and end in another).

A pattern with no usable anchor, or one that can grow without bound (`*`, `+`,
`{2,}`), makes the matcher read the whole Doc, as before. The anchors and the
reach come from the pattern files, so a rule added there is windowed without
code. `tests/test_windows.py` checks the matches against the whole-Doc Matcher.
"""

import re

from spacy.attrs import LOWER, ORTH, SHAPE
from spacy.matcher import Matcher

_COUNT = re.compile(r"^\{(\d*),?(\d*)\}$")
WORD_ATTRS = {"LOWER": LOWER, "ORTH": ORTH, "TEXT": ORTH, "SHAPE": SHAPE}
# Anchors tried in this order of selectivity: a class (0), a word (1), a shape (2), a weak class (3),
# punctuation (4: "." ends every sentence).
_ATTR_RANK = {"LOWER": 1, "ORTH": 1, "TEXT": 1, "SHAPE": 2}


def reach(spec):
    """The most tokens one pattern spec can take, or None when it has no bound."""
    op = spec.get("OP")
    if op in (None, "!", "1", "?"):
        return 1
    if op in ("*", "+"):
        return None
    m = _COUNT.match(op)
    if not m:
        return None
    low, high = m.groups()
    if "," not in op:
        return int(low)
    return int(high) if high else None


def required(spec):
    """A spec that every match of its pattern must use on exactly one token."""
    op = spec.get("OP")
    if op in (None, "1", "+"):
        return True
    m = _COUNT.match(op or "")
    return bool(m and m.group(1) and int(m.group(1)) >= 1)


def _values(value):
    """The set of values an attribute spec accepts, or None when it is not a plain set (NOT_IN, REGEX...)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict) and set(value) == {"IN"}:
        return {str(v) for v in value["IN"]}
    return None


class WindowedMatcher:
    """matcher(doc, classes) -> the (match_id, start, end) of Matcher(doc), from the anchored windows only.

    `classes` ({token index: value}) are the values of the `extension`
    attribute the caller has written (tokens not in it hold `default`), so that
    anchors on the extension are found without reading a single token.
    `weak` values are too common to anchor a pattern on, when it has another way.
    """

    def __init__(self, vocab, extension, default="", weak=(), validate=True):
        self.vocab = vocab
        self.matcher = Matcher(vocab, validate=validate)
        self.extension, self.default, self.weak = extension, default, set(weak)
        # extension value -> (before, after): the farthest a match anchored on it reaches either side
        self.class_anchors = {}
        self.word_anchors = {attr: {} for attr in (LOWER, ORTH, SHAPE)}      # attribute id -> {hash: reach}
        self.whole_doc = False                  # a pattern without anchor or bound: read all

    def __len__(self):
        return len(self.matcher)

    def add(self, key, patterns):
        self.matcher.add(key, patterns)
        for pattern in patterns:
            self._anchor(pattern)

    def _anchor(self, pattern):
        reaches = [reach(spec) for spec in pattern]
        best = None         # (rank, position, kind, values)
        for n, spec in enumerate(pattern):
            if not required(spec):
                continue
            for rank, kind, values in self._choices(spec):
                if best is None or rank < best[0]:
                    best = (rank, n, kind, values)
        if best is None or None in reaches:
            self.whole_doc = True
            return
        _, n, kind, values = best
        here = (sum(reaches[:n]), sum(reaches[n + 1:]))
        table = self.class_anchors if kind == "class" else self.word_anchors[kind]
        for value in values:
            key = value if kind == "class" else self.vocab.strings.add(value)
            before, after = table.get(key, (0, 0))
            table[key] = (max(before, here[0]), max(after, here[1]))

    @property
    def before(self):
        """The farthest any match reaches before its anchor."""
        return max((b for table in (self.class_anchors, *self.word_anchors.values()) for b, _ in table.values()),
                   default=0)

    @property
    def after(self):
        return max((a for table in (self.class_anchors, *self.word_anchors.values()) for _, a in table.values()),
                   default=0)

    def _choices(self, spec):
        """(rank, kind, values) for each constraint of one spec that can anchor it."""
        ext = spec.get("_") or {}
        values = _values(ext.get(self.extension)) if self.extension in ext else None
        if values and self.default not in values:
            yield (3 if values & self.weak else 0), "class", values
        for name, attr in WORD_ATTRS.items():
            values = _values(spec.get(name))
            if values:
                if name == "LOWER":
                    values = {v.lower() for v in values}
                punctuation = name != "SHAPE" and not all(any(c.isalnum() for c in v) for v in values)
                yield 4 if punctuation else _ATTR_RANK[name], attr, values

    def windows(self, doc, classes):
        """Disjoint (start, end) token windows, left to right, that hold every match."""
        if self.whole_doc:
            return [(0, len(doc))] if len(doc) else []
        reach = {}          # anchor token -> (before, after): the widest of the patterns it anchors
        for i, value in classes.items():
            if value in self.class_anchors:
                reach[i] = self.class_anchors[value]
        attrs = [attr for attr, table in self.word_anchors.items() if table]
        if attrs and len(doc):
            tables = [self.word_anchors[attr] for attr in attrs]
            for i, row in enumerate(doc.to_array(attrs).tolist()):
                for value, table in zip(row if len(attrs) > 1 else (row,), tables):
                    if value in table:
                        b, a = table[value]
                        if i in reach:
                            b, a = max(b, reach[i][0]), max(a, reach[i][1])
                        reach[i] = (b, a)
        out = []
        for i in sorted(reach):
            before, after = reach[i]
            start, end = max(0, i - before), min(len(doc), i + after + 1)
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        return out

    def __call__(self, doc, classes):
        found = []
        for start, end in self.windows(doc, classes):
            if start == 0 and end == len(doc):
                found.extend(self.matcher(doc))
            else:
                found.extend((key, start + s, start + e) for key, s, e in self.matcher(doc[start:end]))
        return found
