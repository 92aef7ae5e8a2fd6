"""@Language.factory("attribution"): who each statement comes from.

Results, as Spans:
  doc.spans["attributions"]  one Span per attributed statement (the content: the
                             reporting verb's clause, or one sentence of a quote), with
                             _.speaker (the mention as written: "he", "the agency",
                             "Ann Lee"), _.antecedent (the named mention it stands for,
                             or None), _.cue (the reporting word or phrase), _.role
                             (vocab.SOURCE_ROLES), _.kind ("report" | "cognition"),
                             _.source (the Span of doc.spans["sources"] it is tied to).
  doc.spans["sources"]       every source the parse ties to a statement gets
                             _.attributed, _.role and _.cue; a named speaker that
                             the `sources` component did not find is added.

Rules are data: the reporting-word lists in patterns/reporting.yml and the
rules of patterns/attribution.jsonl (config entries `lexicon` and `patterns`):
DependencyMatcher patterns ("pattern"), word rules found in one pass over the
words ("inherit", "noun_verb", "before_to": `word_rules`) and spaCy Matcher
patterns over a line's words ("tokens": sign-offs, interview titles). Quotes: a
quotation's speaker is the reporting verb outside it in a sentence it shares
("“…,” X said" / X said: “…”), else the sentence right after or before it that
only frames it ("That was how X put it") or a sign-off after it ("— X"), else the
speaker last named with a reporting verb just before it; every sentence of the
quotation carries that speaker.

Pronouns and descriptions are resolved by the function named in config
`resolver` (default "salience_antecedent.v1", below): the seam where a
coreference component can plug in its own registered resolver.
"""

import re
from collections import defaultdict

import numpy

from spacy import registry
from spacy.attrs import DEP, LEMMA, LOWER, TAG
from spacy.language import Language
from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Span

from .rulefiles import PATTERNS, RuleFiles, read_rules, read_yaml
from .sources import SPAN_KEY as SOURCES

SPAN_KEY = "attributions"
QUOTES = re.compile(r"“[^“”]*”|``[^\"“”`]*(?:''|\")|\"[^\"]*\"")      # “…”, ``…" (PTB-style), "…"
NAMED_ENTS = {"PERSON", "ORG", "GPE", "NORP", "FAC"}
ORG_ENTS = {"ORG", "GPE", "NORP", "FAC"}
MENTION_LEFT = {"det", "amod", "compound", "poss", "nmod", "nummod", "case", "quantmod"}
SOURCE_TYPE_ROLE = {"journal": "publication", "publication": "publication", "study": "research",
                    "narrator": "narrator"}

for _name in ("speaker", "antecedent", "source", "cue", "role", "kind"):
    Span.set_extension(_name, default=None, force=True)


def load_lexicon(path, cues=PATTERNS / "evidence.yml"):
    """reporting.yml's lists, the derived verb sets, and the first-person words of evidence.yml."""
    lexicon = dict(read_yaml(path))
    first = read_yaml(cues)
    words = first["first_person"] + first["first_person_plural"]
    lexicon["pronouns"] = dict(lexicon["pronouns"], first=[str(w) for w in words])
    lexicon["speech_and_research"] = sorted(set(lexicon["speech"]) | set(lexicon["research"]))
    lexicon["reporting_verbs"] = sorted(set(lexicon["speech_and_research"]) | set(lexicon["cognition"]))
    lexicon["reporting_verb_set"] = set(lexicon["reporting_verbs"])
    lexicon["cognition_only"] = set(lexicon["cognition"]) - set(lexicon["speech_and_research"])
    return lexicon


def expand(value, lexicon):
    """Replace every "@name" in a pattern by the word list of that name."""
    if isinstance(value, dict):
        return {k: expand(v, lexicon) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, lexicon) for v in value]
    if isinstance(value, str) and value.startswith("@"):
        return sorted(set(lexicon[value[1:]]))
    return value


@registry.misc("salience_antecedent.v1")
def make_salience_antecedent():
    """The nearest compatible named mention before a pronoun or description.

    he/she/him/her -> the nearest PERSON; "the agency/company/…" -> the nearest
    organisation; "the researchers/the study/…" -> the last study named, else
    the last research body; "the official/the doctor/…" -> the nearest PERSON.
    Looked for within `antecedent_window` sentences of the paragraph. A named
    mention stands for itself; anything else unresolved gives None.
    """
    return salience_antecedent


def mention_class(mention, lexicon):
    root = mention.root
    if is_named(mention):
        return "named"
    word = root.lower_
    for name in ("person", "first", "plural"):
        if word in lexicon["pronouns"][name] and len(mention) == 1:
            return name
    for name in ("research", "organisation", "person"):
        if root.lemma_.lower() in lexicon["descriptions"][name] or word in lexicon["descriptions"][name]:
            return "described_" + name
    return None


def is_named(span):
    return any(t.pos_ == "PROPN" or (t.ent_type_ in NAMED_ENTS and not t.is_lower) for t in span) \
        and span.root.pos_ not in ("PRON",)


def salience_antecedent(doc, mention, lexicon, sources):
    cls = mention_class(mention, lexicon)
    if cls == "named":
        return mention
    if cls is None or cls in ("first", "plural"):
        return None
    sents = list(doc.sents)
    here = next(n for n, s in enumerate(sents) if s.start <= mention.start < s.end)
    window_start = sents[max(0, here - lexicon["antecedent_window"])].start
    before = [s for s in sources if window_start <= s.start and s.end <= mention.start]
    persons = [e for e in doc.ents if e.label_ == "PERSON" and window_start <= e.start and e.end <= mention.start]
    persons += [s for s in before if s.label_ == "person"]
    if cls in ("person", "described_person"):
        return max(persons, key=lambda s: s.end, default=None)
    if cls == "described_research":
        studies = [s for s in before if s.label_ == "study" and s.start != mention.start]
        if studies:
            return max(studies, key=lambda s: s.end)
        itself = next((s for s in sources if s.start == mention.start and s.end == mention.end), None)
        if itself is not None:                      # "Clinical trials show …": the study is its own source
            return itself
    orgs = [s for s in before if s.label_ in ("institution", "publication", "journal")]
    orgs += [e for e in doc.ents if e.label_ in ("ORG",) and window_start <= e.start and e.end <= mention.start]
    return max(orgs, key=lambda s: s.end, default=None)


@Language.factory(
    "attribution",
    assigns=["doc.spans", "span._.speaker", "span._.antecedent", "span._.cue", "span._.role", "span._.attributed"],
    requires=["doc.spans", "token.dep", "doc.ents"],
    default_config={"lexicon": str(PATTERNS / "reporting.yml"), "patterns": str(PATTERNS / "attribution.jsonl"),
                    "cues": str(PATTERNS / "evidence.yml"), "resolver": {"@misc": "salience_antecedent.v1"}},
)
def make_attribution(nlp, name, lexicon, patterns, cues, resolver):
    return Attribution(nlp.vocab, lexicon, patterns, resolver, cues)


def cue_words(vocab, anchors):
    """Where a DependencyMatcher pattern's cue node can be: a function giving, per token of a doc, whether
    it is a word some cue needs (its LEMMA or LOWER), or None when a cue is not pinned to words."""
    words = {"LEMMA": set(), "LOWER": set()}
    for attrs in anchors:
        pinned = [(attr, value) for attr, value in attrs.items() if attr in words]
        if not pinned:
            return None
        attr, value = pinned[0]
        words[attr].update(value["IN"] if isinstance(value, dict) else [value])
    lemmas, lowers = ({vocab.strings.add(w) for w in words[attr]} for attr in ("LEMMA", "LOWER"))

    def cues(doc):                  # set lookups: numpy.isin sorts, which costs more on a paragraph's words
        return numpy.array([lemma in lemmas or lower in lowers
                            for lemma, lower in doc.to_array([LEMMA, LOWER]).tolist()], dtype=bool)
    return cues


class CueSentenceMatcher(DependencyMatcher):
    """spaCy's DependencyMatcher, reading only the sentences that hold a cue word.

    The matcher looks for every node's token pattern over the whole doc and walks
    each found token's ancestors to its root; that was most of `attribution`'s time,
    and most sentences hold no reporting word. A dependency tree never crosses a
    sentence, so a match lies inside one sentence whose root is every token's root:
    the node tokens are looked for only in the sentences given (spaCy's Matcher on a
    Span), grouped under the sentence's root. The matches are the DependencyMatcher's
    (tests/test_attribution.py compares them); this overrides one of its private
    methods, so that test guards a spaCy upgrade.
    """

    def matches_in(self, doc, sentences):
        self.sentences = sentences
        try:
            return self(doc)
        finally:
            self.sentences = None

    def _get_keys_to_position_maps(self, doc):
        if getattr(self, "sentences", None) is None:
            return super()._get_keys_to_position_maps(doc)
        positions = defaultdict(lambda: defaultdict(list))
        for sent in self.sentences:
            root = positions[sent.root.i]
            for match_id, start, _ in self._matcher(sent):        # offsets within the sentence
                root[match_id].append(sent.start + start)
        return positions


class Attribution(RuleFiles):
    RULE_FILES = ("lexicon", "patterns", "cues")

    def __init__(self, vocab, lexicon, patterns, resolver, cues=PATTERNS / "evidence.yml"):
        self.keep_rule_files(locals())
        self.lexicon = load_lexicon(lexicon, cues)
        self.speech = set(self.lexicon["speech"])
        self.titles = set(self.lexicon["descriptions"]["person"])
        self.resolve = resolver
        self.rules = {}
        self.matcher = CueSentenceMatcher(vocab)
        self.lines = Matcher(vocab)                 # rules with a "tokens" pattern: sign-offs, headlines
        self.line_marks = []                        # per "tokens" rule: words one of which a match needs
        self.inherit = []                           # rules with "inherit": (rule, {dep: verbs or None})
        self.noun_verbs, self.before_to = [], []    # rules with "noun_verb" / "before_to": (rule, words)
        anchors = []                                # each DependencyMatcher pattern's "cue" node
        for rule in read_rules(patterns):
            self.rules[rule["id"]] = rule
            if "inherit" in rule:
                self.inherit.append((rule, {dep: set(words) or None
                                            for dep, words in expand(rule["inherit"], self.lexicon).items()}))
            elif "noun_verb" in rule:
                self.noun_verbs.append((rule, set(expand(rule["noun_verb"]["words"], self.lexicon))))
            elif "before_to" in rule:
                self.before_to.append((rule, set(expand(rule["before_to"], self.lexicon))))
            elif "tokens" in rule:
                tokens = expand(rule["tokens"], self.lexicon)
                self.lines.add(rule["id"], [tokens], greedy="LONGEST")
                marks = [spec["ORTH"]["IN"] if isinstance(spec["ORTH"], dict) else [spec["ORTH"]]
                         for spec in tokens if "ORTH" in spec and "OP" not in spec]
                self.line_marks.extend(marks[-1:] or [[""]])      # a word each match needs ("" if none)
            else:
                pattern = expand(rule["pattern"], self.lexicon)
                self.matcher.add(rule["id"], [pattern])
                anchors.append(next(spec["RIGHT_ATTRS"] for spec in pattern if spec["RIGHT_ID"] == "cue"))
        self.cue_words = cue_words(vocab, anchors)
        strings = vocab.strings                     # the word rules' dependency labels, tags and words, as ids
        self.word_rule_ids = ({strings.add(dep) for _, rule_deps in self.inherit for dep in rule_deps},
                              {strings.add(rule["noun_verb"]["tag"]) for rule, _ in self.noun_verbs},
                              {strings.add(word) for _, words in self.before_to for word in words})
        self.line_gate = re.compile("|".join(re.escape(w) for words in self.line_marks for w in words))

    def __call__(self, doc):
        sources = list(doc.spans.get(SOURCES, []))
        if not doc.has_annotation("DEP"):
            doc.spans[SPAN_KEY] = []
            return doc
        found = self.matches(doc, sources)
        text = doc.text
        found += self.token_rules(doc, text)
        found += self.quotations(doc, found, text)
        found += self.credits(doc) if ":" in text else []     # every credit has its colon
        attributions = []
        for (start, end), found_attr in self.one_per_content(found).items():
            attr = Span(doc, start, end, label=found_attr["label"])
            for key in ("speaker", "cue", "role", "kind"):
                setattr(attr._, key, found_attr[key])
            attributions.append(attr)
        for attr in attributions:
            attr._.antecedent = self.antecedent(doc, attr, sources, attributions)
        self.mark_sources(doc, attributions, sources)
        doc.spans[SPAN_KEY] = sorted(attributions, key=lambda a: (a.start, a.end))
        return doc

    @staticmethod
    def one_per_content(found):
        """One attribution per content span (Span extensions are keyed by offsets): a report
        before a cognition verb ("…we feared,” she said"), the first found otherwise."""
        best = {}
        for attr in found:
            key = (attr["start"], attr["end"])
            if key not in best or (best[key]["kind"] == "cognition" and attr["kind"] == "report"):
                best[key] = attr
        return best

    # -- reporting verbs and phrases -------------------------------------------------
    def matches(self, doc, sources):
        """Attributions as plain dicts (start, end of the content; label, speaker, cue, role, kind)."""
        found, seen = [], set()
        for rule, cue, head in self.pattern_matches(doc) + self.word_rules(doc):
            if (cue.i, head.i) in seen:
                continue
            seen.add((cue.i, head.i))
            speaker = self.mention(doc, head, sources)
            content = self.content(doc, cue, speaker, rule.get("content", "clause"))
            kind = rule.get("kind", "report")
            if kind == "by_lemma":          # one pattern for all reporting verbs: the matcher is the costly part
                kind = "cognition" if cue.lemma_ in self.lexicon["cognition_only"] else "report"
            found.append({"start": content.start, "end": content.end, "label": rule["id"], "speaker": speaker,
                          "cue": self.cue_text(doc, cue), "role": rule["role"], "kind": kind,
                          "frames": self.frames_only(cue) and cue.lemma_ in self.speech,
                          "verb": rule.get("content", "clause") == "clause"})
        return found

    def pattern_matches(self, doc):
        """(rule, cue token, source head token) of the DependencyMatcher's matches."""
        found = []
        for match_id, token_ids in self.best_subjects(doc):
            rule = self.rules[doc.vocab.strings[match_id]]
            nodes = {spec["RIGHT_ID"]: doc[i] for spec, i in zip(rule["pattern"], token_ids)}
            found.append((rule, nodes["cue"], nodes["source"]))
        return found

    def word_rules(self, doc):
        """(rule, cue, source head) for the rules of attribution.jsonl without a pattern, found in one
        pass over the words (each DependencyMatcher pattern costs about as much as this whole pass):
        "inherit": a reporting verb with no subject of its own takes the subject of the verb it hangs
        off ("X arrived and said …", up a chain of conjuncts; "X went on to say …"; "X was quoted as
        saying …"); "noun_verb": a reporting word the tagger read as a noun, with a subject of its own
        ("The agency notes, “…”"); "before_to": a word whose "to" object is the speaker ("according
        to X", "a quote attributed to X"; "According to X the …" with no comma, the name read as a verb)."""
        found = []
        deps, tags, lowers = self.word_rule_ids
        for i, (dep, tag, lower) in enumerate(doc.to_array([DEP, TAG, LOWER]).tolist()):   # no Token made per word
            if dep in deps:
                found += self.inherited(doc[i])
            elif tag in tags:
                cue = doc[i]
                subject = self.subject(cue)
                found += [(rule, cue, subject) for rule, words in self.noun_verbs
                          if subject is not None and cue.lemma_ in words]
            elif lower in lowers:
                cue = doc[i]
                to = next((c for c in cue.children if c.lower_ == "to"), None)
                source = next((c for c in to.children if c.dep_ in ("pobj", "pcomp")), None) if to is not None else None
                found += [(rule, cue, source) for rule, words in self.before_to
                          if source is not None and cue.lower_ in words]
        return found

    def inherited(self, cue):
        if cue.pos_ != "VERB" or cue.tag_ == "VBN" or cue.lemma_ not in self.lexicon["reporting_verb_set"] \
                or self.subject(cue):
            return []
        found = []
        for rule, deps in self.inherit:
            if cue.dep_ not in deps:
                continue
            verb = cue.head
            if cue.dep_ == "pcomp":
                if verb.lower_ not in rule.get("through", ()):
                    continue
                verb = verb.head
            while cue.dep_ == "conj" and verb.dep_ == "conj" and self.subject(verb) is None:
                verb = verb.head                    # "X arrived, smiled and said"
            subject = self.subject(verb)
            if subject is not None and (deps[cue.dep_] is None or verb.lemma_ in deps[cue.dep_]):
                found.append((rule, cue, subject))
        return found

    @staticmethod
    def subject(verb):
        return next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")), None)

    def best_subjects(self, doc):
        """The matches, one speaker per reporting verb where the parse offers several.

        A verb with two subjects ("Rural clinics, said Ann Lee, now …": the inverted
        "said X" the parser reads as a second subject) keeps the named one; a subject
        the parser labelled otherwise (rule "x-says-unlabelled": "Ann Lee, QC, said")
        counts only when the verb has no subject at all. Then a person before an organisation
        ("Ann Lee, SC, said"), the nearer before the farther.
        """
        by_cue = {}
        if self.cue_words is None:
            found = self.matcher(doc)
        else:
            cues = self.cue_words(doc)
            if not cues.any():
                return                                  # no word any pattern's cue could be: no match
            found = self.matcher.matches_in(doc, [s for s in doc.sents if cues[s.start:s.end].any()])
        for match_id, token_ids in sorted(found, key=lambda m: m[1]):
            rule = self.rules[doc.vocab.strings[match_id]]
            if rule.get("subject") is None:
                yield match_id, token_ids
                continue
            ids = [spec["RIGHT_ID"] for spec in rule["pattern"]]
            cue_i = token_ids[ids.index("cue")]
            if rule["subject"] == "unlabelled" and token_ids[ids.index("source")] > cue_i:
                continue                                # an unlabelled name counts before the verb only
            by_cue.setdefault(cue_i, []).append((rule, match_id, token_ids))
        for cue_i, options in by_cue.items():
            def rank(option):
                rule, _, token_ids = option
                head = doc[token_ids[[spec["RIGHT_ID"] for spec in rule["pattern"]].index("source")]]
                return (rule["subject"] == "labelled", is_named(doc[head.i:head.i + 1]), head.ent_type_ == "PERSON",
                        -abs(head.i - cue_i))
            _, match_id, token_ids = max(options, key=rank)
            yield match_id, token_ids

    @staticmethod
    def cue_text(doc, cue):
        if cue.lower_ == "according" and cue.i + 1 < len(doc):
            return "according to"
        return cue.text

    def mention(self, doc, head, sources):
        """The speaker's mention as written: the noun phrase the source token heads, with a title
        in apposition on either side ("the county's health officer, Luis Ortega", "Malaysia's
        Prime Minister, Najib Razak"); `core()` finds the name inside it."""
        if head.tag_ in ("WP", "WDT") and head.head.dep_ == "relcl":      # "X, who said": X
            head = head.head.head
        known = next((span for span in sources if span.start <= head.i < span.end), None)
        if known is None:
            known = next((e for e in doc.ents if e.start <= head.i < e.end and e.label_ in NAMED_ENTS), None)
        start, end = (known.start, known.end) if known is not None else (head.i, head.i + 1)
        for child in head.lefts:
            if child.dep_ in MENTION_LEFT:
                start = min(start, child.left_edge.i)
        for child in head.rights:
            if child.dep_ in ("compound", "flat") and child.i == end:
                end += 1
            elif child.dep_ == "appos" and child.left_edge.i <= end + 1:              # "X, the clinic's director"
                clause = {t.i for r in child.subtree if r.dep_ == "relcl" for t in r.subtree}   # not "…, who led it"
                words = [t.i for t in child.subtree if not t.is_punct and t.i not in clause]
                end = max([end] + [i + 1 for i in words])
        # "Title, Name said": a title noun phrase the parser left outside the name's phrase
        if start >= 2 and doc[start - 1].text == "," and doc[start - 2].lemma_.lower() in self.titles \
                and doc[start - 2].head.i not in range(start, end):
            start = doc[start - 2].left_edge.i
        if known is not None and (start, end) == (known.start, known.end):
            return known
        return Span(doc, start, end)

    @staticmethod
    def core(doc, mention, sources):
        """The named span inside a longer mention (a source, else a PERSON/ORG entity), or None."""
        def within(span):
            return mention.start <= span.start and span.end <= mention.end and len(span) < len(mention)
        inside = [s for s in sources if within(s)]
        inside += [e for e in doc.ents if e.label_ in ("PERSON", "ORG") and within(e)]
        people = [s for s in inside if s.label_ in ("person", "PERSON")]
        return max(people or inside, key=lambda s: (s.end - s.start, -s.start), default=None)

    @staticmethod
    def content(doc, cue, speaker, mode):
        """What is attributed. mode "clause": the reporting verb's clause ("said [that …]",
        "“[…],” he said"), else what follows the verb in its subtree ("show [a 40% drop]");
        "rest": the sentence outside the cue's phrase ("[…], according to X"); "sentence"."""
        sent = cue.sent
        if mode == "rest":
            phrase = {t.i for t in cue.subtree}
            before = [t for t in sent if t.i < cue.i and t.i not in phrase and not t.is_punct]
            after = [t for t in sent if t.i > cue.i and t.i not in phrase and not t.is_punct]
            side = max(before, after, key=len)
            return doc[side[0].i:side[-1].i + 1] if side else sent
        said = [c for c in cue.children if c.dep_ in ("ccomp", "xcomp") and c.i != speaker.root.i]
        if mode == "sentence" or (cue.pos_ not in ("VERB", "AUX") and not said):   # a noun read for a verb keeps its clause
            return sent
        if cue.dep_ == "advcl" and not said and any(c.dep_ == "mark" and c.lower_ == "as" for c in cue.children):
            phrase = {t.i for t in cue.subtree}                  # "As X told reporters, [the main clause]"
            rest = [t for t in cue.head.subtree if t.i not in phrase and not t.is_punct]
            if rest:
                return doc[rest[0].i:rest[-1].i + 1]
        if said:
            return doc[said[0].left_edge.i:said[0].right_edge.i + 1]
        if cue.dep_ in ("parataxis", "ccomp") and cue.head.sent == sent:   # "…, he said" hanging off the quote
            head = cue.head
            return doc[head.left_edge.i:head.right_edge.i + 1]
        after = [t for t in cue.subtree if t.i > cue.i and not (speaker.start <= t.i < speaker.end) and not t.is_punct]
        if after:
            return doc[after[0].i:after[-1].i + 1]
        return sent

    def token_rules(self, doc, text):
        """The rules of attribution.jsonl with a "tokens" pattern (spaCy Matcher): the pattern
        token numbered `speaker` is the speaker's, and the statement is the part of the sentence
        before the match ("Keep your eyes peeled: Ann Lee about Stardust"), or the sentence before
        when the match opens its sentence ("… — Ann Lee"). A rule with "frames" names the speaker
        of a quotation it follows too (every sentence of “…” — Ann Lee)."""
        found, named = [], set()
        if not self.line_marks or not self.line_gate.search(text):
            return found                            # no rule's punctuation in the text: no Matcher run
        for match_id, start, end, aligned in self.lines(doc, with_alignments=True):
            rule = self.rules[doc.vocab.strings[match_id]]
            words = [start + n for n, k in enumerate(aligned) if k == rule["speaker"]]
            sent = doc[start].sent
            if not words or start == 0 or words[0] in named:      # one statement per name ("…” — Ann Lee" matches twice)
                continue
            named.add(words[0])
            content = doc[sent.start:start] if start > sent.start else doc[start - 1].sent
            found.append({"start": content.start, "end": content.end, "label": rule["id"],
                          "speaker": doc[words[0]:words[-1] + 1], "cue": doc[words[0] - 1].text,
                          "role": rule["role"], "kind": "report", "frames": bool(rule.get("frames"))})
        return found

    def credits(self, doc):
        """Caption credits ("… snow on the pass. Image: Ann Lee."): the caption is the credited
        party's (kind "credit": a speaker for the discourse, never a source of a figure).
        Source lines ("… have diabetes (source: CDC)") have the same shape and are reports."""
        found = []
        credit, source = set(self.lexicon["credit_words"]), set(self.lexicon["source_words"])
        either = credit | source
        for token in doc[:-2]:
            if token.lower_ in either and doc[token.i + 1].text == ":":
                sent = token.sent
                name = [t for t in doc[token.i + 2:sent.end] if not t.is_punct or t.text in ("/", "-", "&")]
                if not name or token.i == 0:
                    continue
                kind = "credit" if token.lower_ in credit else "report"
                end = token.i - 1 if token.i > 0 and doc[token.i - 1].text in ("(", "[") else token.i
                start = sent.start if sent.start < end else (doc[sent.start - 1].sent.start if sent.start else 0)
                end += kind == "credit"                 # "… Video: Ann Lee": the credit word is the credited item too
                found.append({"start": start, "end": end, "label": "credit" if kind == "credit" else "source-line",
                              "kind": kind, "role": "speaker" if kind == "credit" else "research",
                              "cue": f"{token.text}:", "speaker": doc[name[0].i:name[-1].i + 1], "frames": False})
        return found

    @staticmethod
    def frames_only(cue):
        """A reporting verb with no statement of its own ("That was how X put it", "he said.")."""
        return not any(c.dep_ in ("ccomp", "xcomp", "parataxis") for c in cue.children) and cue.dep_ != "parataxis"

    # -- quotations ----------------------------------------------------------------
    def quotations(self, doc, found, text):
        """One attribution per sentence of each quotation, with the quotation's speaker."""
        added = []
        quotes = list(QUOTES.finditer(text))
        sents = list(doc.sents) if quotes else []         # most paragraphs quote no one: no sentence list
        for m in quotes:
            quote = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if quote is None or len(quote) < 3:
                continue
            inside = [s for s in sents if s.start < quote.end and quote.start < s.end]
            frame = self.quote_frame(quote, inside, sents, found, self.lexicon["quote_speaker_window"])
            if frame is None:
                continue
            for sent in inside:
                added.append(dict(frame, start=max(sent.start, quote.start), end=min(sent.end, quote.end),
                                  label="quote"))
        return added

    @staticmethod
    def quote_frame(quote, inside, sents, found, window=0):
        """The attribution that introduces a quotation, or None. A quotation that opens its
        sentence with no frame of its own goes on with the speaker last named with a reporting
        verb in the `window` sentences before it (not "an interview with X") ("Ann Lee said the clinic would close. “We had
        no choice.”"); a pronoun there ("he said") is not followed further."""
        def outside(attr):
            return not (quote.start <= attr["speaker"].start < quote.end) and attr["kind"] == "report"

        def within(attr, spans):
            return any(s.start <= attr["speaker"].start < s.end for s in spans)
        near = [a for a in found if outside(a) and within(a, inside)]
        if near:
            return min(near, key=lambda a: min(abs(a["speaker"].start - quote.end), abs(a["speaker"].start - quote.start)))
        first, last = sents.index(inside[0]), sents.index(inside[-1])
        neighbours = []
        if last + 1 < len(sents):
            neighbours.append(sents[last + 1])                                  # “…” That was how X put it.
        if first > 0 and sents[first - 1].text.rstrip().endswith((":", ",")):
            neighbours.append(sents[first - 1])                                 # X said: “…”
            found = [dict(a, frames=True) if within(a, [sents[first - 1]]) else a for a in found]
        for sent in neighbours:
            framing = [a for a in found if outside(a) and a["frames"] and within(a, [sent]) and not QUOTES.search(sent.text)]
            if framing:
                return framing[0]
        if quote.start != inside[0].start:
            return None
        earlier = [a for a in found if outside(a) and a.get("verb") and a["role"] == "speaker"
                   and a["speaker"].end <= quote.start and is_named(a["speaker"])
                   and within(a, sents[max(0, first - window):first])]
        return max(earlier, key=lambda a: a["speaker"].start, default=None)

    # -- who a mention stands for -------------------------------------------------------
    def antecedent(self, doc, attr, sources, found):
        speaker = attr._.speaker
        core = self.core(doc, speaker, sources) if len(speaker) > 1 else None
        if core is not None:                                       # "the agency's director, Ann Lee": Ann Lee
            return core
        if mention_class(speaker, self.lexicon) == "first":        # "I" inside a quote: the quote's speaker
            for quote in found:
                if quote.label_ == "quote" and quote.start <= speaker.start < quote.end and quote is not attr:
                    inner = quote._.speaker
                    return self.resolve(doc, inner, self.lexicon, sources) if inner is not None else None
        return self.resolve(doc, speaker, self.lexicon, sources)

    def mark_sources(self, doc, found, sources):
        """Tie the sources to the statements; add named speakers the `sources` component missed."""
        extra = []
        for attr in sorted(found, key=lambda a: a._.kind == "cognition"):     # a reporting verb's cue first
            named = attr._.antecedent
            if named is None:
                continue
            match = next((s for s in sources + extra if s.start <= named.root.i < s.end), None)
            if match is None:
                match = Span(doc, named.start, named.end, label=self.source_type(named))
                match._.canonical = match.text
                extra.append(match)
            attr._.source = match
            if not match._.attributed or match._.cue is None:
                match._.attributed = True
                match._.cue = attr._.cue
                match._.role = SOURCE_TYPE_ROLE.get(match.label_, attr._.role)
        every = sources + extra
        for span in every:
            if not span._.attributed:
                tied = self.hangs_off(span, every)     # "Ann Lee of the NIMH said": NIMH hangs off Ann Lee
                if tied is not None:
                    span._.attributed, span._.cue = True, tied._.cue
            if span._.role is None:
                span._.role = SOURCE_TYPE_ROLE.get(span.label_, "speaker")
        doc.spans[SOURCES] = sorted(every, key=lambda s: s.start)

    @staticmethod
    def hangs_off(span, sources, depth=3):
        """An attributed source this one is attached to, within `depth` heads ("X of Y", "X, MD, of Y")."""
        token = span.root
        for _ in range(depth):
            if token.head is token:
                return None
            token = token.head
            for other in sources:
                if other is not span and other._.attributed and other.start <= token.i < other.end:
                    return other
        return None

    @staticmethod
    def source_type(span):
        if span.label_ == "PERSON" or (span.root.ent_type_ == "PERSON"):
            return "person"
        if span.label_ in ORG_ENTS or span.root.ent_type_ in ORG_ENTS:
            return "institution"
        return "person" if span.root.pos_ == "PROPN" else "institution"
