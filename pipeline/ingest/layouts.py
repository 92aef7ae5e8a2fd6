"""Load layouts.yml into compiled regular expressions (once per process)."""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ruamel.yaml import YAML

from ..errors import InputError

DEFAULT_LAYOUTS = Path(__file__).with_name("layouts.yml")


@dataclass(frozen=True)
class Layouts:
    banners: tuple
    furniture: tuple
    article_end: tuple
    comments_start: tuple
    bylines: tuple
    references_start: tuple
    reference_entry: tuple
    noise: tuple
    headers: tuple
    after_name: tuple
    numbered: re.Pattern
    reply_to: tuple
    greetings: frozenset
    signoffs: frozenset
    max_name_words: int
    max_name_chars: int
    prose_words: int
    lookahead_lines: int


def _compile(path, key, patterns):
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as err:
            raise InputError(path, f"bad regular expression {pattern!r}: {err}", field=key) from None
    return tuple(compiled)


@lru_cache(maxsize=4)
def load_layouts(path=DEFAULT_LAYOUTS):
    data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
    c = data["comments"]
    return Layouts(
        banners=_compile(path, "banners", data["banners"]),
        furniture=_compile(path, "furniture", data["furniture"]),
        article_end=_compile(path, "article_end", data["article_end"]),
        comments_start=_compile(path, "comments_start", data["comments_start"]),
        bylines=_compile(path, "bylines", data["bylines"]),
        references_start=_compile(path, "references_start", data["references_start"]),
        reference_entry=_compile(path, "reference_entry", data["reference_entry"]),
        noise=_compile(path, "comments.noise", c["noise"]),
        headers=_compile(path, "comments.headers", c["headers"]),
        after_name=_compile(path, "comments.after_name", c["after_name"]),
        numbered=_compile(path, "comments.numbered", [c["numbered"]])[0],
        reply_to=_compile(path, "comments.reply_to", c["reply_to"]),
        greetings=frozenset(w.lower() for w in c["greetings"]),
        signoffs=frozenset(w.lower() for w in c["signoffs"]),
        max_name_words=int(data["max_name_words"]),
        max_name_chars=int(data["max_name_chars"]),
        prose_words=int(c["prose_words"]),
        lookahead_lines=int(data["lookahead_lines"]),
    )


def first_match(patterns, line):
    for pattern in patterns:
        m = pattern.search(line)
        if m:
            return m
    return None
