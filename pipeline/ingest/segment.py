"""Split a page into title, article, comments, references and furniture.

The page is read line by line through a small state machine (title ->
article -> after-article furniture -> comments); every decision about what a
line *is* comes from layouts.yml. The result covers the text exactly: each
character belongs to one segment, offsets are into the text as read.
"""

import difflib
import re
import sys
from dataclasses import dataclass, field

from .layouts import first_match, load_layouts

_TERMINAL = ".,!?:;"
MAX_TITLE = 300           # characters: a longer first line is text, not a title
TITLE_LINES = 40          # non-blank lines searched for the manifest's title
TITLE_LIKENESS = 0.85     # difflib ratio a line needs to be taken for the manifest's title


def _words(line):
    """A line compared for titles: lower case, words only ("Ketamine: A Cure?" == "ketamine a cure")."""
    return " ".join(re.findall(r"\w+", line.casefold()))


_WORD = re.compile(r"^[\w'’.\-]+$")
_INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")


def _initialled(s):
    """A name ending in an initial ("Priya K."), every word capitalised: not a sentence's full stop."""
    return bool(_INITIAL.search(s)) and all(w[0].isupper() for w in s.split())


@dataclass
class Line:
    start: int      # offset of the first character
    end: int        # offset after the last non-newline character
    text: str       # the line without its newline

    @property
    def stripped(self):
        return self.text.strip()

    @property
    def indent(self):
        return len(self.text) - len(self.text.lstrip(" \t\u00a0"))

    @property
    def blank(self):
        return not self.stripped


@dataclass
class Comment:
    author: str | None
    date: str | None
    indent: int
    number: int | None
    body_lines: list = field(default_factory=list)   # numbers of the lines of its text
    parent: "Comment | None" = None
    reply_to_author: str | None = None


def split_lines(text):
    lines, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        lines.append(Line(pos, pos + len(body), body))
        pos += len(raw)
    return lines


def is_name(line_text, rules):
    """A short line that can be a person's name or handle (not a sentence)."""
    s = line_text.strip()
    if not s or len(s) > rules.max_name_chars or s[-1] in _TERMINAL and not _initialled(s):
        return False
    words = s.split()
    if len(words) > rules.max_name_words or not all(_WORD.match(w) for w in words):
        return False
    if words[0].lower().strip(",") in rules.greetings or s.lower() in rules.signoffs:
        return False
    return any(ch.isalpha() for ch in s)


class _Segmenter:
    def __init__(self, text, rules, title_hint, warn=None):
        self.text, self.rules, self.title_hint = text, rules, title_hint
        self.warn = warn or (lambda line, message: None)
        self.lines = split_lines(text)
        self.kind = [None] * len(self.lines)     # per line: kind, or None = inherit
        self.cut = {}                            # line -> offset where its comment body starts
        self.comments = []
        self.title = None

    # -- article part -------------------------------------------------------
    def find_title(self):
        """Index of the title line (lines before it are banners); -1 when there is none."""
        if self.title_hint and self.title_hint.strip():
            i = self.hinted_title(self.title_hint)
            if i is not None:
                return self.take_title(i)
            self.warn(1, f"the manifest's title {self.title_hint.strip()!r} is not in the text; "
                         f"the title is taken from the text")
        for i, line in enumerate(self.lines):
            s = line.stripped
            if not s:
                continue
            if first_match(self.rules.banners, s) or first_match(self.rules.furniture, s):
                self.kind[i] = "furniture"
                continue
            if len(s) > MAX_TITLE:
                self.warn(i + 1, f"no title: the first line of text is {len(s):,} characters long, "
                                 f"so it is read as article")
                return i - 1
            return self.take_title(i)
        return len(self.lines)

    def hinted_title(self, hint):
        """The line that is the manifest's title: equal once case, punctuation and spacing are
        ignored, else the closest near the top (difflib ratio >= TITLE_LIKENESS)."""
        wanted = _words(hint)
        candidates = [i for i, line in enumerate(self.lines) if not line.blank][:TITLE_LINES]
        for i in candidates:
            if _words(self.lines[i].stripped) == wanted:
                return i
        scored = [(difflib.SequenceMatcher(None, wanted, _words(self.lines[i].stripped)).ratio(), -i)
                  for i in candidates if len(self.lines[i].stripped) <= 2 * len(hint) + 10]
        best = max(scored, default=None)
        return -best[1] if best and best[0] >= TITLE_LIKENESS else None

    def take_title(self, i):
        for j in range(i):
            if not self.lines[j].blank:
                self.kind[j] = "furniture"
        self.kind[i] = "title"
        self.title = self.lines[i].stripped
        return i

    def classify(self):
        r = self.rules
        i = self.find_title() + 1
        state, article_seen = "article", False
        while i < len(self.lines):
            line = self.lines[i]
            s = line.stripped
            if not s:
                i += 1
                continue
            if state != "comments" and first_match(r.comments_start, s):
                self.kind[i] = "furniture"
                if self.comments_follow(i):
                    self.fold_trailing_tags(i)
                    state = "comments"
            elif state == "article" and not article_seen and self.byline(i):
                self.kind[i] = "furniture"
                meta = self.meta_after(i)
                if meta and is_name(s, r):
                    self.kind[meta[0]] = "furniture"
                    i = meta[0]
            elif state == "article" and self.strong_header(i):
                state = "comments"
                continue                       # re-read this line as a comment header
            elif state == "comments":
                i = self.comment_line(i)
                continue
            elif s.lower() == (self.title or "").lower():
                self.kind[i] = "furniture"     # the title repeated by the page template
            elif state == "article" and first_match(r.article_end, s):
                self.fold_trailing_tags(i)
                self.kind[i] = "furniture"
                state = "after_article"
            elif state == "after_article":
                self.kind[i] = "furniture"
            elif first_match(r.references_start, s) or first_match(r.reference_entry, s):
                self.kind[i] = "references"
                state = "references"
            elif state == "references":
                self.kind[i] = "references"
            elif first_match(r.furniture, s):
                self.kind[i] = "furniture"
            else:
                self.kind[i] = "article"
                article_seen = True
            i += 1

    def next_lines(self, i, n):
        """Numbers of the next `n` non-blank lines after line i."""
        found = []
        for j in range(i + 1, len(self.lines)):
            if not self.lines[j].blank:
                found.append(j)
                if len(found) == n:
                    break
        return found

    def looks_like_comment_zone(self, j):
        r, s = self.rules, self.lines[j].stripped
        return bool(first_match(r.headers, s) or r.numbered.match(s) or first_match(r.noise, s)
                    or first_match(r.comments_start, s) or is_name(s, r) and self.meta_after(j)
                    or self.name_over_prose(j))

    def comments_follow(self, i):
        """A comment counter is trusted past the middle of the page, or when headers/a form follow it.

        "80 Comments" or "View comments" near the top of a news page links to a
        thread further down; taking it for the thread would make the whole
        article furniture.
        """
        if 2 * self.lines[i].start >= len(self.text):
            return True
        return any(self.looks_like_comment_zone(j) for j in self.next_lines(i, self.rules.lookahead_lines))

    def byline(self, i):
        """Before the article's first line, a 'Published by NAME at DATE' or name + date line is
        the byline, unless more headers follow soon (then it opens a forum thread)."""
        s = self.lines[i].stripped
        if not (first_match(self.rules.bylines, s) or self.strong_header(i)):
            return False
        meta = self.meta_after(i)
        after = meta[0] if meta and is_name(s, self.rules) else i
        return not any(self.strong_header(j) for j in self.next_lines(after, self.rules.lookahead_lines))

    def fold_trailing_tags(self, i):
        """Short label lines just before the comments or share bar are tags, not prose."""
        j = i - 1
        while j >= 0:
            if self.lines[j].blank:
                j -= 1
                continue
            if self.kind[j] == "article" and is_name(self.lines[j].text, self.rules):
                self.kind[j] = "furniture"
                j -= 1
                continue
            break

    # -- comment part -------------------------------------------------------
    def strong_header(self, i):
        """Forum/Disqus/news headers are unmistakable even without a 'Comments' line."""
        s = self.lines[i].stripped
        if first_match(self.rules.headers, s):
            return True
        return is_name(s, self.rules) and self.meta_after(i) is not None

    def meta_after(self, i):
        j = i + 1
        while j < len(self.lines) and self.lines[j].blank:
            j += 1
        if j < len(self.lines):
            m = first_match(self.rules.after_name, self.lines[j].stripped)
            if m:
                return j, m
        return None

    def new_comment(self, i, author, date, number=None):
        comment = Comment(author=author, date=date, indent=self.lines[i].indent, number=number)
        self.comments.append(comment)
        return comment

    def comment_line(self, i):
        r, line = self.rules, self.lines[i]
        s = line.stripped
        m = first_match(r.headers, s)
        if m:
            self.kind[i] = "furniture"
            groups = m.groupdict()
            comment = self.new_comment(i, groups.get("author"), groups.get("date"))
            return self.skip_meta(i + 1, comment)
        numbered = r.numbered.match(s)
        if numbered:
            number, rest = int(numbered["number"]), numbered["rest"]
            next_meta = self.meta_after(i)
            if is_name(rest, r):
                self.kind[i] = "furniture"
                comment = self.new_comment(i, rest.strip(), None, number)
                if next_meta:
                    comment.date = next_meta[1].groupdict().get("date")
                    self.kind[next_meta[0]] = "furniture"
                    return next_meta[0] + 1
                return i + 1
            comment = self.new_comment(i, None, None, number)
            self.kind[i] = "comment"
            self.cut[i] = line.start + line.text.index(rest)
            comment.body_lines.append(i)
            return i + 1
        meta = self.meta_after(i) if is_name(s, r) else None
        if meta:
            self.kind[i] = self.kind[meta[0]] = "furniture"
            self.new_comment(i, s, meta[1].groupdict().get("date"))
            return meta[0] + 1
        if self.name_over_prose(i):
            self.kind[i] = "furniture"
            self.new_comment(i, s, None)
            return i + 1
        if first_match(r.noise, s) or not self.comments:
            self.kind[i] = "furniture"
            return i + 1
        current = self.comments[-1]
        self.kind[i] = "comment"
        current.body_lines.append(i)
        reply = first_match(r.reply_to, s)
        if reply and current.reply_to_author is None:
            current.reply_to_author = reply["author"].strip()
        return i + 1

    def name_over_prose(self, i):
        """A bare name line opening a block and running straight into a sentence ("Priya K." then
        "I think you've got the numbers backwards."): the header of a comment copied without its date."""
        r, lines = self.rules, self.lines
        if not is_name(lines[i].stripped, r) or i == 0 or not lines[i - 1].blank or i + 1 >= len(lines):
            return False
        body = lines[i + 1].stripped
        return bool(body) and not is_name(body, r) and not first_match(r.noise, body) \
            and not first_match(r.headers, body) and (body[-1] in ".!?" or len(body.split()) >= r.prose_words)

    def skip_meta(self, j, comment):
        """Date/profile lines right after a header belong to the header."""
        while j < len(self.lines):
            if not self.lines[j].blank:
                m = first_match(self.rules.after_name, self.lines[j].stripped)
                if not m:
                    break
                self.kind[j] = "furniture"
                comment.date = comment.date or m.groupdict().get("date")
            j += 1
        return j

    def split_lost_headers(self):
        """A numbered thread that jumps from n to n+2 lost comment n+1's header.

        Scrapers drop the name line of some comments; the orphaned text then
        follows comment n after a double blank line. Split it off as its own
        (anonymous) comment rather than credit it to the wrong author.
        """
        result = []
        for k, comment in enumerate(self.comments):
            result.append(comment)
            nxt = self.comments[k + 1] if k + 1 < len(self.comments) else None
            if not (nxt and comment.number and nxt.number and nxt.indent == comment.indent
                    and nxt.number == comment.number + 2 and comment.body_lines):
                continue
            gap_at = None
            for a, b in zip(comment.body_lines, comment.body_lines[1:]):
                if b - a >= 3 and all(self.lines[x].blank for x in range(a + 1, b)):
                    gap_at = b
            if gap_at is None:
                continue
            orphan = Comment(author=None, date=None, indent=comment.indent, number=comment.number + 1)
            orphan.body_lines = [x for x in comment.body_lines if x >= gap_at]
            comment.body_lines = [x for x in comment.body_lines if x < gap_at]
            result.append(orphan)
        self.comments = result

    def find_signatures(self):
        """An anonymous comment signed on its last line ("Blue Heron") takes that name."""
        for comment in self.comments:
            if comment.author or len(comment.body_lines) < 2:
                continue
            last = comment.body_lines[-1]
            before = comment.body_lines[-2]
            if last - before >= 2 and is_name(self.lines[last].text, self.rules):
                comment.author = self.lines[last].stripped

    def thread(self):
        """Parents from indentation (numbered threads) and from quote/@ replies."""
        stack = []
        for comment in self.comments:
            while stack and stack[-1].indent >= comment.indent:
                stack.pop()
            comment.parent = stack[-1] if stack else None
            stack.append(comment)
            if comment.parent is None and comment.reply_to_author:
                wanted = comment.reply_to_author.lower()
                for earlier in self.comments:
                    if earlier is comment:
                        break
                    if (earlier.author or "").lower() == wanted:
                        comment.parent = earlier

    # -- output -------------------------------------------------------------
    def segments(self):
        self.classify()
        self.split_lost_headers()
        self.find_signatures()
        self.thread()
        owner = {}
        for comment in self.comments:
            for ln in comment.body_lines:
                owner[ln] = comment
        index_of = {id(c): n for n, c in enumerate(self.comments, 1)}
        pieces = []   # (start, end, key)
        for i, line in enumerate(self.lines):
            kind = self.kind[i]
            end = self.lines[i + 1].start if i + 1 < len(self.lines) else len(self.text)
            if kind == "comment" and i in owner:
                key = ("comment", id(owner[i]))
                if i in self.cut:
                    pieces.append((line.start, self.cut[i], ("furniture",)))
                    pieces.append((self.cut[i], end, key))
                    continue
            elif kind is None:
                key = None
            else:
                key = (kind,)
            pieces.append((line.start, end, key))
        segments = []
        for start, end, key in pieces:
            if start == end:
                continue
            if key is None:                     # blank line: stays with what precedes it
                key = segments[-1]["_key"] if segments else ("furniture",)
            if segments and segments[-1]["_key"] == key:
                segments[-1]["end"] = end
                continue
            segments.append({"_key": key, "kind": key[0], "start": start, "end": end,
                             "author": None, "index": None, "parent": None, "date": None})
        by_id = {id(c): c for c in self.comments}
        for seg in segments:
            key = seg.pop("_key")
            if key[0] == "comment":
                comment = by_id[key[1]]
                seg.update(author=comment.author or "Anonymous", index=index_of[key[1]],
                           parent=index_of[id(comment.parent)] if comment.parent else None,
                           date=comment.date)
        return segments


def segment(text, title_hint=None, rules=None, warn=None):
    """Segments covering `text`: dicts with kind, start, end, author, index, parent, date.

    A comment interrupted by furniture (a "Reply" button mid-thread) yields
    several segments with the same index. `warn(line, message)` hears about a
    manifest title not found and a first line too long to be a title.
    """
    seg = _Segmenter(text, rules or load_layouts(), title_hint, warn)
    segments = seg.segments()
    return segments, seg.title


FURNITURE_WARN_SHARE = 0.5


def furniture_warning(path, text, segments):
    """Warn when more than half a document is furniture, naming the line its biggest stretch starts on.

    Such a document has most likely been misread (a counter or share bar near
    the top taken for the end of the article); the warning says where to look.
    """
    total = sum(1 for ch in text if not ch.isspace())
    furniture = [s for s in segments if s["kind"] == "furniture"]
    size = {id(s): sum(1 for ch in text[s["start"]:s["end"]] if not ch.isspace()) for s in furniture}
    if not total or sum(size.values()) <= FURNITURE_WARN_SHARE * total:
        return None
    biggest = max(furniture, key=lambda s: size[id(s)])
    start = biggest["start"] + len(text[biggest["start"]:biggest["end"]]) - len(text[biggest["start"]:biggest["end"]].lstrip())
    line = text.count("\n", 0, start) + 1
    first = text[start:].split("\n", 1)[0].strip()
    share = sum(size.values()) / total
    message = (f"warning: {path}:{line}: {share:.0%} of the document is furniture (never read for claims), "
               f"most of it from the line {first[:80]!r} on; if that is article text, see pipeline/ingest/layouts.yml")
    print(message, file=sys.stderr)
    return message
