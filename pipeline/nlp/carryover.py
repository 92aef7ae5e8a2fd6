"""@Language.factory("carryover"): which research each sentence inherits from the sentences around it.

ConText-style: a sentence that introduces research opens a forward scope; the
scope ends at a terminator (a new source, a first-person turn), after
`max_sentences` sentences without a mention of the research, or at the end of
the paragraph unless the next paragraph's first sentence goes on with it.
Backward: an impersonal "This study…" later in the paragraph gives its study to
an earlier figure without a source. Rules: patterns/carryover.yml (config `rules`).

Output: doc.spans["scopes"], one Span per sentence (label "scope") with
  _.own_sources  the sources the sentence names or is tied to (attribution) itself
  _.referring    its "the study"/"this trial" mentions
  _.carried      what it inherits: Spans of this paragraph, or source dicts carried from
                 the previous paragraph (offsets relative to this Doc, so negative)
  _.later        the "This study…" mention after it in the paragraph, or None
Paragraphs of one document share doc._.context["thread"] (a dict), which is how
a scope crosses a paragraph break; nlp/stage.py processes a document's paragraphs in order.
"""

import re

from spacy.language import Language
from spacy.tokens import Span

from .attribution import SPAN_KEY as ATTRIBUTIONS
from .cues import cue_matcher, find_cues
from .rulefiles import PATTERNS, RuleFiles, read_yaml
from .sources import SPAN_KEY as SOURCES

SPAN_KEY = "scopes"
RESEARCH_TYPES = {"journal", "institution", "study"}
CITATION = re.compile(r"\bet al\b|\(\d{4}\)|\b(19|20)\d{2}\b|\bby [A-Z]")

for _name in ("own_sources", "referring", "carried", "later", "ties"):
    Span.set_extension(_name, default=None, force=True)


@Language.factory(
    "carryover",
    assigns=["doc.spans", "span._.own_sources", "span._.referring", "span._.carried", "span._.later", "span._.ties"],
    requires=["doc.spans"],
    default_config={"rules": str(PATTERNS / "carryover.yml")},
)
def make_carryover(nlp, name, rules):
    return CarryOver(nlp.vocab, rules)


def ties(doc, sent):
    """{source Span: cue} of the statements in `sent` that `attribution` tied to a source."""
    tied = {}
    for attr in sorted(doc.spans.get(ATTRIBUTIONS, []), key=len):      # the verb's own clause before a sentence
        if attr._.kind == "report" and attr._.source is not None and attr.start < sent.end and sent.start < attr.end:
            tied.setdefault(attr._.source, attr._.cue)
    return tied


def carried_record(span, offset):
    """A source of this paragraph as the next paragraph inherits it (file offsets kept in 'file_start')."""
    return {"text": span.text, "type": span.label_, "canonical": span._.canonical or span.text,
            "role": span._.role, "cue": span._.cue, "file_start": offset + span.start_char,
            "file_end": offset + span.end_char}


def continuation_words(rules=PATTERNS / "carryover.yml"):
    """Words that make a paragraph's first sentence go on with the research before it."""
    return {str(w) for w in read_yaml(rules)["forward"]["continues"]}


def opening_continues(text, words=None):
    """Cheap test (no parse) used by the extract plan: does this paragraph's first sentence
    hold a continuation word? Only then is the paragraph before it worth the model as context."""
    words = words or continuation_words()
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].lower()
    tokens = set(re.findall(r"[\w'-]+", first))
    return any(w in tokens if " " not in w else w in first for w in words)


class CarryOver(RuleFiles):
    RULE_FILES = ("rules",)

    def __init__(self, vocab, rules):
        self.keep_rule_files(locals())
        self.rules = read_yaml(rules)
        forward = self.rules["forward"]
        self.max_sentences = forward["max_sentences"]
        self.across = forward["across_paragraphs"]
        self.continues = continuation_words(rules)
        self.terminators = set(self.rules["terminators"])
        self.definite = re.compile(r"^(%s)\b" % "|".join(self.rules["backward"]["referring"]), re.I)
        self.matcher = cue_matcher(vocab)

    def __call__(self, doc):
        context = doc._.context or {}
        in_comment = context.get("section") == "comment"
        carried, since = self.carried_in(doc, context), 0
        scopes = []
        first_sentence = True
        story = False           # a comment's first-person story: its later sentences are the commenter's too
        for sent in doc.sents:
            tied = ties(doc, sent)
            own = [s for s in doc.spans[SOURCES] if sent.start <= s.start < sent.end and s._.attributed]
            own += [s for s in tied if s not in own]
            found = find_cues(self.matcher, sent)
            referring = [s for s in own if s.label_ == "study" and self.definite.match(s.text)
                         and not CITATION.search(s.text)]
            new = [s for s in own if s not in referring]
            first_person = bool(found.get("first_person")) and not in_comment
            if first_sentence and carried and not self.goes_on(sent, new, first_person):
                carried = []
            first_sentence = False
            if "new_source" in self.terminators and any(s.label_ != "person" for s in new):
                inherited = []
            elif "first_person" in self.terminators and first_person:
                inherited, carried = [], []
            else:
                inherited = carried if since < self.max_sentences else []
            scope = Span(doc, sent.start, sent.end, label="scope")
            scope._.own_sources, scope._.referring, scope._.carried, scope._.ties = new, referring, inherited, tied
            story = story or (in_comment and bool(found.get("first_person")))
            personal = bool(found.get("first_person")) or story
            scopes.append((scope, not personal))
            since += 1
            introduces = [s for s in new if s.label_ in RESEARCH_TYPES]
            if not personal:
                if introduces or (new and found.get("research")):
                    carried = [s for s in new if s.label_ != "person"] or carried
                    since = 0
                elif referring and not carried:
                    carried, since = referring[:1], 0    # "The study enrolled 200. Half got…": a study from before
                elif referring or found.get("research"):
                    since = 0                            # still describing the same research
        self.refer_back(scopes)
        self.carry_out(doc, context, carried if since < self.max_sentences else [])
        doc.spans[SPAN_KEY] = [scope for scope, _ in scopes]
        return doc

    def goes_on(self, sent, new, first_person):
        """Does a paragraph's first sentence continue the research of the paragraph before?"""
        return not new and not first_person and opening_continues(sent.text, self.continues)

    @staticmethod
    def refer_back(scopes):
        """(scope, impersonal?) pairs: "I think the study is wrong" refers to no figure."""
        for n, (scope, _) in enumerate(scopes):
            if scope._.own_sources or scope._.carried:
                continue
            scope._.later = next((later._.referring[0] for later, impersonal in scopes[n + 1:]
                                  if impersonal and later._.referring), None)

    def carried_in(self, doc, context):
        """What the previous paragraph of the same document left in scope, if it is the one right before."""
        thread = context.get("thread")
        if not self.across or thread is None or thread.get("paragraph") != context.get("paragraph", -2) - 1 \
                or thread.get("segment") != context.get("segment"):
            return []
        offset = context.get("offset", 0)
        return [dict(r, start=r["file_start"] - offset, end=r["file_end"] - offset) for r in thread.get("carried", [])]

    @staticmethod
    def carry_out(doc, context, carried):
        thread = context.get("thread")
        if thread is None:
            return
        offset = context.get("offset", 0)
        thread["paragraph"], thread["segment"] = context.get("paragraph"), context.get("segment")
        thread["carried"] = [c if isinstance(c, dict) else carried_record(c, offset) for c in carried]
