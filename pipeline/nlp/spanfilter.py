"""How overlapping readings are settled: a span filter in spaCy's `misc` registry.

spaCy's span_ruler takes a `spans_filter` (e.g. "spacy.first_longest_spans_filter.v1")
that turns overlapping spans into the ones kept. Our components take one the same
way, named in config.cfg (`spans_filter = {"@misc": "claims.ranked_spans_filter.v1"}`),
so another rule of choice is a registered function, not an edit of the component.

Ours is "ranked": the component hands the spans over best first (quantities: the
longest, then KIND_RANK; sources: the most specific kind of mention, then the
longest), and the filter keeps each span that overlaps none kept before it.
"""

from itertools import chain

import spacy


def ranked_spans_filter(existing, spans):
    """The spans of `existing` then those of `spans`, in the order given, each kept
    unless it shares a token with one kept before it (spaCy's spans_filter signature)."""
    taken, kept = set(), []
    for span in chain(existing, spans):
        tokens = range(span.start, span.end)
        if not taken.intersection(tokens):
            taken.update(tokens)
            kept.append(span)
    return kept


@spacy.registry.misc("claims.ranked_spans_filter.v1")
def make_ranked_spans_filter():
    return ranked_spans_filter
