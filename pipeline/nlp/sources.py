"""@Language.factory("sources"): who a figure may be attributed to, in doc.spans["sources"].

Mentions come from three places, most specific first:
  1. the span_ruler patterns in patterns/sources.jsonl (journals, institutions,
     publications, "et al." and author–year citations), run as the
     "source_ruler" component;
  2. the model's PERSON and ORG entities (ORG only when it looks like an
     institution or is a known abbreviation);
  3. described studies: noun chunks headed by a research word ("a small 2006
     NIMH study", "a recent clinical trial").
Abbreviations found on the whole document by scispaCy's AbbreviationDetector
(passed in doc._.context["abbreviations"]) make "NIMH" and "National
Institute of Mental Health" one source (Span._.canonical).
"""

from spacy.language import Language
from spacy.tokens import Doc, Span

from .rulefiles import PATTERNS, RuleFiles, read_rules, read_yaml
from .spanfilter import ranked_spans_filter


SPAN_KEY = "sources"
TRIM_START = {"the", "a", "an", "journal", "in", "of"}
TRIM_END = {"journal", "'s", "’s"}

Span.set_extension("canonical", default=None, force=True)
Span.set_extension("attributed", default=False, force=True)   # tied to a statement (component "attribution")
Doc.set_extension("context", default=None, force=True)


@Language.factory("sources", default_config={"mentions_key": "source_mentions",
                                             "lexicon": str(PATTERNS / "reporting.yml"),
                                             "spans_filter": {"@misc": "claims.ranked_spans_filter.v1"}})
def make_sources(nlp, name, mentions_key, lexicon, spans_filter):
    """`mentions_key`: the doc.spans key the source ruler (a span_ruler) writes its matches to;
    `lexicon`: the word lists (study_heads, institution_words) of patterns/reporting.yml;
    `spans_filter`: which of overlapping mentions (given best first) are kept."""
    return SourceFinder(nlp.vocab, mentions_key, lexicon, spans_filter)


class SourceFinder(RuleFiles):
    RULE_FILES = ("lexicon",)

    def __init__(self, vocab, mentions_key, lexicon=PATTERNS / "reporting.yml", spans_filter=ranked_spans_filter):
        self.keep_rule_files(locals())
        self.vocab, self.mentions_key, self.spans_filter = vocab, mentions_key, spans_filter
        words = read_yaml(lexicon)
        self.study_heads = {str(w) for w in words["study_heads"]}
        self.institution_words = {str(w) for w in words["institution_words"]}

    def looks_institutional(self, name):
        return bool({w.lower() for w in name.split()} & self.institution_words)

    def __call__(self, doc):
        context = doc._.context or {}
        abbreviations = context.get("abbreviations") or {}
        candidates = []
        for span in doc.spans.get(self.mentions_key, []):
            if span.id_ == "named-trial" and self.looks_institutional(abbreviations.get(doc[span.start].text, "")):
                continue        # "a NIDA survey": NIDA is the institution behind it, not the survey's name
            start, end = self.trim(span)
            if end > start:
                candidates.append((0, Span(doc, start, end, label=span.label_)))
        for ent in doc.ents:
            end = ent.end
            while end > ent.start + 1 and doc[end - 1].is_lower:      # "Maria K. truly" -> "Maria K."
                end -= 1
            label = self.entity_type(Span(doc, ent.start, end, label=ent.label_), abbreviations)
            if label:
                candidates.append((1, Span(doc, ent.start, end, label=label)))
        for token in doc if abbreviations else ():          # no abbreviation defined: no token to look up
            long_form = abbreviations.get(token.text)
            if long_form and token.is_upper and len(token.text) > 1 and self.looks_institutional(long_form):
                candidates.append((1, Span(doc, token.i, token.i + 1, label="institution")))
        for chunk in self.study_chunks(doc):
            candidates.append((2, chunk))
        # Most specific first ("NIMH" over "a small 2006 NIMH study"), then the longest.
        candidates.sort(key=lambda c: (c[0], -(c[1].end - c[1].start), c[1].start))
        chosen = sorted(self.spans_filter([], [span for _, span in candidates]), key=lambda s: s.start)
        for span in chosen:
            span._.canonical = abbreviations.get(span.text, span.text)
            span._.attributed = span.label_ in ("journal", "study")      # the rest: component "attribution"
        doc.spans[SPAN_KEY] = chosen
        return doc

    @staticmethod
    def trim(span):
        start, end = span.start, span.end
        doc = span.doc
        while start < end and doc[start].lower_ in TRIM_START:
            start += 1
        while end > start and doc[end - 1].lower_ in TRIM_END:
            end -= 1
        return start, end

    def entity_type(self, ent, abbreviations):
        words = {t.lower_ for t in ent}
        if ent.label_ == "PERSON":
            # One capitalised word is too often a drug or a brand to be trusted alone.
            return "person" if len(ent) >= 2 and all(t.is_title or t.is_upper or t.is_punct for t in ent) else None
        if ent.label_ == "ORG":
            if words & self.institution_words or self.looks_institutional(abbreviations.get(ent.text, "")):
                return "institution"
        return None

    def study_chunks(self, doc):
        """Described studies: noun chunks headed by a research word ("a recent clinical trial")."""
        if not doc.has_annotation("DEP"):
            return
        for chunk in doc.noun_chunks:
            head = chunk.root.lower_
            if head not in self.study_heads:                # first: most chunks are not about research
                continue
            described = head != "research" or any(t.dep_ == "amod" for t in chunk)   # "medical research", not "research"
            counted = any(t._.num is not None for t in chunk)                    # "two appropriate trials" is a count
            if described and not counted:
                yield Span(doc, chunk.start, chunk.end, label="study")
