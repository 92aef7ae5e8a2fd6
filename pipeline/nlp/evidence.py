"""@Language.factory("evidence_label"): each sentence with a quantity becomes a labelled claim.

Claims are Spans in doc.spans["claims"] with extensions:
  evidence        "study-backed" | "anecdotal" | "unattributed"
  evidence_cues   the cues that decided it, e.g. ["source:journal:The Lancet", "first_person:I"]
  hedged          hedging or negation in the sentence, or an approximate quantity
  claim_sources   [{"text", "start", "end", "type", "canonical", "role", "cue"}] (doc character
                  offsets; a narrator known only from the comment header has null offsets)

Who is tied to each statement comes from `attribution`, what a sentence inherits
from `carryover` (doc.spans["scopes"]); this component gathers the facts of a
claim and picks its label from the ordered decision table in
patterns/evidence_label.yml (config `table`), with the cue lists of
patterns/evidence.yml (config `cues`). Records are made from these Spans at the
edge (pipeline/nlp/stage.py).
"""

from spacy.language import Language
from spacy.tokens import Span

from .attribution import SOURCE_TYPE_ROLE, SPAN_KEY as ATTRIBUTIONS
from .carryover import CITATION, RESEARCH_TYPES, SPAN_KEY as SCOPES
from .cues import cue_matcher, find_cues, load_cues
from .rulefiles import PATTERNS, RuleFiles, read_yaml
from .quantities import SPAN_KEY as QUANTITIES
from .sources import SPAN_KEY as SOURCES

CLAIMS = "claims"
SPECIFIC_TYPES = {"journal", "institution", "publication"}
NEGATORS = {"no", "not", "any", "without", "lack", "little"}
OPEN_QUOTE, CLOSE_QUOTE = "“", "”"      # curly single quotes double as apostrophes: not counted

for _name, _default in (("evidence", None), ("evidence_cues", None), ("hedged", None), ("claim_sources", None)):
    Span.set_extension(_name, default=_default, force=True)


@Language.factory(
    "evidence_label",
    assigns=["doc.spans", "span._.evidence", "span._.evidence_cues", "span._.hedged", "span._.claim_sources"],
    requires=["doc.spans"],
    default_config={"table": str(PATTERNS / "evidence_label.yml"), "cues": str(PATTERNS / "evidence.yml"),
                    "lexicon": str(PATTERNS / "reporting.yml")},
)
def make_evidence_label(nlp, name, table, cues, lexicon):
    return EvidenceLabeller(nlp.vocab, table, cues, lexicon)


def decide(rows, facts):
    """The label of the first row of the decision table whose facts all hold."""
    for row in rows:
        if all(not facts[w[4:]] if w.startswith("not ") else facts[w] for w in row["when"]):
            return row["label"]
    raise ValueError("evidence_label.yml: no row matched (the last row should have no conditions)")


def in_quote(doc, i):
    """Is token i inside quotation marks (curly or straight) within this doc?"""
    before = doc[:i].text
    return before.count(OPEN_QUOTE) > before.count(CLOSE_QUOTE) or before.count('"') % 2 == 1


def source_record(span, type_=None, cue=None):
    type_ = type_ or span.label_
    role = "narrator" if type_ == "narrator" else (span._.role or SOURCE_TYPE_ROLE.get(type_, "speaker"))
    return {"text": span.text, "start": span.start_char, "end": span.end_char,
            "type": type_, "canonical": span._.canonical or span.text, "role": role, "cue": cue or span._.cue}


def kind_of(source):
    return source["type"] if isinstance(source, dict) else source.label_


def text_of(source):
    return source["text"] if isinstance(source, dict) else source.text


def carried_source(source):
    """A carried source's record: a Span of this paragraph, or a dict from the paragraph before."""
    if isinstance(source, dict):
        return {k: source[k] for k in ("text", "start", "end", "type", "canonical", "role", "cue")}
    return source_record(source)


class EvidenceLabeller(RuleFiles):
    RULE_FILES = ("table", "cues", "lexicon")

    def __init__(self, vocab, table, cues, lexicon):
        self.keep_rule_files(locals())
        self.rows = read_yaml(table)["rows"]
        self.cues = load_cues(cues)
        self.matcher = cue_matcher(vocab, self.cues)
        self.experience_verbs = set(self.cues["experience_verbs"])
        words = read_yaml(lexicon)
        self.expert_words = set(words["expert_words"])
        self.third_person = {str(w) for w in words["pronouns"]["person"]}
        # "I"/"we" in quotation marks: the speaker's voice (first_person + first_person_plural)
        self.first_person = {str(w) for w in self.cues["first_person"] + self.cues["first_person_plural"]}
        self.research_cues = {str(w) for w in self.cues["research"] if " " not in str(w)} | {"tested", "measured"}

    def __call__(self, doc):
        context = doc._.context or {}
        in_comment = context.get("section") == "comment"
        author = context.get("author")
        last_person = None      # who speaks, for quotes and "he"/"she" sentences
        testimony = False       # a patient's testimony was introduced in this paragraph
        story = False           # the previous sentence told the narrator's own experience
        claims = []
        for scope in doc.spans[SCOPES]:
            sent = scope
            quantities = [q for q in doc.spans[QUANTITIES] if sent.start <= q.start < sent.end]
            found = find_cues(self.matcher, sent)
            new, referring, inherited = scope._.own_sources, scope._.referring, scope._.carried
            if referring and any(isinstance(s, dict) for s in inherited):
                inherited = []      # "The study found …" opening a paragraph names its study itself
            if quantities:
                claim = Span(doc, sent.start, sent.end, label="claim")
                personal = self.label(claim, new + (referring if not inherited else []), inherited, found,
                                      in_comment, author, last_person, testimony, story, scope._.ties)
                if claim._.evidence == "unattributed" and scope._.later is not None:
                    self.refer_back(claim, scope._.later)
                claims.append(claim)
                story = personal
            else:
                story = bool(found.get("first_person")) and (in_comment or story)
            persons = [s for s in doc.spans[SOURCES] if sent.start <= s.start < sent.end and s.label_ == "person"]
            if persons:
                last_person = persons[-1]
            testimony = testimony or bool(found.get("testimony"))
        doc.spans[CLAIMS] = claims
        return doc

    @staticmethod
    def refer_back(claim, ref):
        """A figure followed in its paragraph by "This study was…" / "The trial…" comes from that study."""
        claim._.evidence = "study-backed"
        claim._.claim_sources = [source_record(ref)]
        claim._.evidence_cues = [c for c in claim._.evidence_cues if not c.startswith("no source")] + \
            [f"context:study:{ref.text} (later in the paragraph)"]

    def label(self, claim, sources, inherited, found, in_comment, author, last_person, testimony, story, ties):
        """Set the claim's evidence, cues, hedged and sources; True if it is a personal account."""
        doc = claim.doc
        cues = []
        quoted = any(in_quote(doc, i) for i in range(claim.start, claim.end) if doc[i].lower_ in self.first_person)
        first = [t for t, _ in found.get("first_person", [])]
        if in_comment or quoted:
            first += [t for t, _ in found.get("first_person_plural", [])]
        hearsay = [t for t, _ in found.get("hearsay", [])]
        told = [t for t, _ in found.get("testimony", [])]
        if testimony and not told and any(t.lower_ in self.third_person for t in claim):
            told = ["(the patient of this paragraph)"]
        continues = story and not sources and (in_comment or self.quoted_story(claim))
        if continues and self.continues_story(claim):
            told = told + ["(the narrator's story goes on)"]
        research = self.research_words(claim, found)
        # First person inside a quotation is the speaker's voice (guide): an expert or official
        # speaking of their research or agency is not telling an anecdote.
        voice = self.quote_speaker(claim) if quoted else None
        if voice is not None and not in_comment and self.speaks_as_expert(claim, voice):
            cues.append(f"quote:expert:{voice.text}")
            first = []
        story_of = None if (first or hearsay or told or any(s.label_ in RESEARCH_TYPES for s in sources)) \
            else self.third_person_story(claim)
        if story_of is not None:
            told = [story_of.text]
        # Only the sentence's own specific source can outweigh a personal account.
        specific = [s for s in sources if s.label_ in SPECIFIC_TYPES or s.label_ == "study" and CITATION.search(s.text)]
        attributed = list(sources) + list(inherited)

        cues += [f"source:{s.label_}:{s.text}" for s in sources]
        cues += [f"context:{kind_of(s)}:{text_of(s)}" for s in inherited]
        personal = first or hearsay or told
        if personal:
            cues += [f"first_person:{t}" for t in first] + [f"hearsay:{t}" for t in hearsay] + [f"testimony:{t}" for t in told]
        if research:
            cues += [f"research:{t}" for t in research]

        records = [source_record(s, cue=ties.get(s)) for s in sources] + [carried_source(s) for s in inherited]
        evidence = decide(self.rows, {"personal": bool(personal), "specific_source": bool(specific),
                                      "attributed": bool(attributed), "research_word": bool(research)})
        if evidence == "anecdotal":
            records = [source_record(s, cue=ties.get(s)) for s in sources]   # a carried study is not the narrator's
            narrator = None
            if in_comment and author:
                narrator = {"text": author, "start": None, "end": None, "type": "narrator", "canonical": author,
                            "role": "narrator", "cue": None}
            elif story_of is not None:
                narrator = source_record(story_of, "narrator", cue=story_of.root.head.text)
            elif voice is not None:
                narrator = source_record(voice, "narrator", cue=ties.get(voice))
            elif (quoted or told) and last_person is not None:
                narrator = source_record(last_person, "narrator")
            persons = [r for r in records if r["type"] == "person"]
            if narrator is None and persons:
                narrator = dict(persons[-1], type="narrator", role="narrator")
            if narrator:
                records = [r for r in records if r["text"] != narrator["text"]] + [narrator]
                cues.append(f"narrator:{narrator['text']}")
        elif evidence == "unattributed":
            cues.append("no source and no personal experience")

        hedges = [t for t, _ in found.get("hedges", [])] + [t for t, _ in found.get("negations", [])]
        approx = [q.text for q in doc.spans[QUANTITIES]
                  if claim.start <= q.start < claim.end and q._.qualifier == "approx"]
        cues += [f"hedge:{t}" for t in hedges] + [f"approx:{t}" for t in approx]
        claim._.evidence = evidence
        claim._.evidence_cues = cues
        claim._.hedged = bool(hedges or approx)
        claim._.claim_sources = records
        return evidence == "anecdotal"

    @staticmethod
    def research_words(claim, found):
        """Research cues, less negated ones ("no research") and counted ones ("two trials")."""
        doc = claim.doc
        counted = {q._.unit for q in doc.spans[QUANTITIES] if claim.start <= q.start < claim.end and q.label_ == "count"}
        words = []
        for text, i in found.get("research", []):
            before = doc[i - 1].lower_ if i > 0 else ""
            singular = text.lower()[:-1] if text.lower().endswith("s") else text.lower()
            if before in NEGATORS or singular in counted:
                continue
            words.append(text)
        return words

    @staticmethod
    def quote_speaker(claim):
        """The named speaker of the quotation this claim sits in, or None."""
        for attr in claim.doc.spans.get(ATTRIBUTIONS, []):
            if attr.label_ == "quote" and attr.start < claim.end and claim.start < attr.end and attr._.source is not None:
                return attr._.source
        return None

    def speaks_as_expert(self, claim, speaker):
        """Expert words around the speaker (outside the quote, in the claim's sentence and the
        speaker's own) or research words inside the quote ("In our trial, …")."""
        doc = claim.doc
        expert = self.expert_words
        around = [t for t in list(claim) + list(speaker.sent) + list(speaker.root.subtree) if not in_quote(doc, t.i)]
        if any(t.lower_ in expert for t in around):
            return True
        return any(t.lower_ in self.research_cues for t in claim if in_quote(doc, t.i))

    def third_person_story(self, claim):
        """A named person as the subject of an experience verb ("X, a teacher in Ohio, lost 30
        pounds"), not described as an expert: the person whose story it is, or None."""
        for source in claim.doc.spans[SOURCES]:
            if source.label_ != "person" or not (claim.start <= source.start < claim.end):
                continue
            verb = source.root.head if source.root.dep_ in ("nsubj", "nsubjpass") else None
            if verb is None or verb.lemma_.lower() not in self.experience_verbs:
                continue
            described = [t for t in source.root.subtree if not (source.start <= t.i < source.end)]
            if not any(t.lower_ in self.expert_words for t in described):
                return source
        return None

    @staticmethod
    def quoted_story(claim):
        return in_quote(claim.doc, claim.start) or claim[0].text in (OPEN_QUOTE, '"')

    @staticmethod
    def continues_story(claim):
        """A sentence that goes on with the story: past tense, a pronoun subject, or a fragment."""
        words = [t for t in claim if not t.is_punct and not t.is_space]
        if len(words) <= 4:
            return True
        return any(t.tag_ in ("VBD",) and t.dep_ == "ROOT" for t in claim) or \
            any(t.dep_ in ("nsubj", "nsubjpass") and t.lower_ in ("it", "she", "he", "they", "this", "that") for t in claim)
