"""Which research a claim cites, as normalized keys.

Two tiers:
  identifiers  name a study: a DOI, PMID or URL, a study's name ("the PROMPT
               trial", "the Leeds trial", "the Northern Heart Cohort" / "NHC"),
               a lead author ("Okafor et al.", "Dr. Okafor's team", "led by
               Dr. Amara Okafor"), a website named after a study's abbreviation
               ("nhc-study.org"). All identifiers of one claim are one study.
  qualifiers   narrow it down but are shared by many studies: journal + year,
               journal, institution, named person, publication. They place a
               claim only when exactly one known study carries them.
Keys are read from the claim's sources (`text`, `type`, `canonical`), the
`context:study:` cues (a study carried from an earlier sentence) and the claim's
sentence itself.
"""

import re

from .rules import RULES, holds_any, key_words

DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+", re.I)
PMID = re.compile(r"\bPMID:?\s*(\d{5,9})\b", re.I)
PAPER_IDS = ("doi", "pmid")             # the key kinds that name one paper (a URL may be any site's)
URL = re.compile(r"\bhttps?://[^\s\"<>]+", re.I)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9-]*[A-Z0-9]\b")
NAME_TOKEN = r"[A-Z][\w'’.-]*"
TRAILING = ".,;:!?'\"’”"

CONTEXT_CUE = "context:study:"
AUTHOR = " et al."                  # a lead author's display ("Nakamura et al."): other stages tell authors by it
BODY_GOES_ON = re.compile(r"\s+[A-Z][a-z]")
PUBLISHED_IN = re.compile(r"(?i)\b(?:published|appears?|appeared|reported|out)\s+(?:today\s+|this\s+week\s+)?in\s+"
                          r"(?:the\s+)?(?:journal\s+)?$")
CITED_YEAR = re.compile(r",?\s+(?:19|20)\d\d\b|,\s+(?:19|20)\d\d\)")
POSSESSOR = re.compile(r"^(?:[A-Z][\w.-]*\s+)*?[A-Z][\w.-]*(?:'s|’s)\s+(?=[A-Z])")
SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n)\W*$")


def _strip_link(text):
    """Trailing punctuation, and closing brackets that do not close anything in the link."""
    while text:
        if text[-1] in TRAILING:
            text = text[:-1]
        elif text[-1] == ")" and text.count(")") > text.count("("):
            text = text[:-1]
        else:
            break
    return text


def _words(phrases):
    return sorted((p.lower() for p in phrases), key=len, reverse=True)


NOT_NAMES = frozenset(w.lower() for w in RULES["not_names"])


def unnamed_studies(claim):
    """The words of each study source with no capitalised word after its first but words that name no study
    ("the study", "a large trial", "a new Scottish study"; not "the FERN trial"): research the claim cites
    without naming it."""
    for source in claim["sources"]:
        if source.get("type") == "study":
            words = source["text"].split()
            if not any(w[:1].isupper() and w.lower() not in NOT_NAMES for w in words[1:]):
                yield words


class KeyReader:
    def __init__(self, rules=RULES):
        self.not_names = {w.lower() for w in rules["not_names"]}
        self.descriptors = {w.lower() for w in rules["descriptors"]}
        self.institution_words = _words(rules["institution_words"])
        self.institution_set = set(self.institution_words)
        words = "|".join(map(re.escape, self.institution_words))
        self.institution_affix = re.compile(rf"^(?:{words})\s+|\s+(?:{words})$")
        self.references = [re.compile(p) for p in rules["reference_patterns"]]
        self.authors = [re.compile(p) for p in rules["author_patterns"]] + self.references
        descriptor = "|".join(sorted(map(re.escape, self.descriptors), key=len, reverse=True))
        other = "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in rules["other_research"]),
                                key=len, reverse=True))
        # "Another study", "a separate, larger trial", "other studies" (not "the other trial", one named
        # already): up to two words between.
        self.other = re.compile(rf"(?i)(?<!the\s)\b(?:{other}),?\s+(?:[\w'’-]+,?\s+){{0,2}}?(?:{descriptor})\b")
        self.other_words = key_words(rules["other_research"])
        # A run of capitalised words (joined by of/and/for/&), then a descriptor word; hyphenated words
        # that start in lower case between them say what kind of study, not which ("the Utrecht
        # low-FODMAP trial" is the Utrecht trial).
        self.named = re.compile(
            rf"(?P<name>{NAME_TOKEN}(?:\s+(?:(?:of|and|for|on|&)\s+)?{NAME_TOKEN})*?)(?:'s|’s)?"
            rf"(?:\s+[a-z0-9][\w]*-[\w-]+){{0,2}}\s+(?P<descriptor>(?i:{descriptor}))\b")
        # "the Sheffield desk study", "the 2019 Oslo sleep study": after "the" (and a year), a capitalised
        # name, one lower-case word saying what was studied, then a descriptor.
        self.named_topic = re.compile(
            rf"\b[Tt]he\s+(?:(?:19|20)\d\d\s+)?(?P<name>{NAME_TOKEN}(?:\s+{NAME_TOKEN})?)\s+(?P<topic>[a-z]{{3,}})\s+"
            rf"(?P<descriptor>(?i:{descriptor}))\b")
        # A person written with a title: "Dr Aoife Brennan", "Professor Helen Okafor's".
        self.titled = re.compile(r"\b(?:Dr|Prof|Professor|Doctor)\.?\s+(?:[A-Z][\w.-]*\s+)*?(?P<name>[A-Z][\w'’-]+)\b(?!\s+[A-Z])")
        self.uninvolved = re.compile(rf"(?i)\b(?:{'|'.join(map(re.escape, rules['uninvolved']))})\b")
        self.guidance = re.compile(rf"(?i)\b(?:{'|'.join(map(re.escape, rules['guidance']))})\b")
        self.guidance_words = key_words(rules["guidance"])
        self.lead = re.compile(rf"(?i)\b(?:{'|'.join(map(re.escape, rules['lead_roles']))})\b")
        self.lower_words = set()
        self.attribution = re.compile(rf"(?i)\b(?:{'|'.join(map(re.escape, rules['attributions']))})\s+(?:the\s+)?(?:\w+\s+)?$")
        self.research_team = re.compile(rf"(?i)\s+(?:{'|'.join(map(re.escape, rules['research_references']['by']))})\b")
        self.own = re.compile(r"(?i)\b(?:our|my)\s+(?:own\s+)?(?P<word>[a-z'’-]+)")
        business = rules["own_business"]
        words = {part: "|".join(map(re.escape, business[part])) for part in ("adverbs", "verbs", "not_after")}
        self.we_have = re.compile(rf"(?i)\bwe\s+(?:(?:{words['adverbs']})\s+)?(?:{words['verbs']})\s+"
                                  rf"(?!(?:{words['not_after']})\b)(?:[\w'’-]+\s+){{0,{business['reach']}}}$")
        self.research_words = self.descriptors | {w.lower() for w in rules["research_references"]["words"]} | {
            "team", "group", "lab", "data", "result", "work", "analysis"}                # the corpus's words in lower case (set by the caller)
        figs = rules["other_figures"]
        # (the nouns go into the pattern unescaped: one written as a pattern gets no cheap test)
        self.other_figures_words = key_words(figs["nouns"]) if all(re.escape(n) == n for n in figs["nouns"]) \
            else ("",)
        self.other_figures = re.compile(
            rf"(?i)(?<!\bthe\s)(?<!\btheir\s)(?<!\bits\s)(?<!'s\s)(?<!’s\s)\b(?:{'|'.join(figs['nouns'])})\s+"
            rf"(?:{'|'.join(figs['verbs'])})\b")
        self.plain_words = {w.lower() for w in rules["stopwords"] + rules["generic"]}     # no topic word
        # "Their own paper says 25%", "The researchers reported 30%": the research the page is about.
        refs = rules["research_references"]
        self.reference_determiners = {w.lower() for w in refs["determiners"]}
        self.research_reference = re.compile(
            rf"(?i)\b(?:{'|'.join(map(re.escape, refs['determiners']))})\s+(?:own\s+)?"
            rf"(?:{'|'.join(sorted(map(re.escape, list(self.descriptors) + refs['words']), key=len, reverse=True))})\b"
            rf"|\b(?:{'|'.join(map(re.escape, refs['by']))})\s+(?:at|from)\b"
            rf"|\bthe\s+(?-i:[A-Z][\w-]+)\s+(?:{'|'.join(map(re.escape, refs['by']))})\b")
        # An institution written in the sentence: "at the University of Sheffield", "Utrecht University".
        before = "|".join(re.escape(w.title()).replace(r"\ Of", r"\s+of") for w in self.institution_words
                          if w.endswith(" of"))
        after = "|".join(re.escape(w.capitalize()) for w in self.institution_words if " " not in w)
        self.institution = re.compile(
            rf"\b(?:{before})\s+(?:the\s+)?(?P<a>{NAME_TOKEN}(?:\s+{NAME_TOKEN})*)"
            rf"|\b(?P<b>{NAME_TOKEN}(?:\s+{NAME_TOKEN})*?)\s+(?:{after})\b")

    def ordinary(self, text, at, word):
        """Is a capitalised word at a sentence's start one the corpus writes in lower case elsewhere (an
        ordinary word, not a name)? Words in capitals are names."""
        return (not word.isupper() and word.lower() in self.lower_words
                and SENTENCE_START.search(text, 0, at) is not None)

    # --- normalizing ------------------------------------------------------------

    def clean_name(self, name):
        """'The University of Leeds' -> 'leeds'; '' when nothing specific is left."""
        words = name.replace("’", "'").split()
        while words and ((words[0].lower().strip(".") in self.not_names and not ACRONYM.fullmatch(words[0]))
                         or YEAR.fullmatch(words[0])):
            words.pop(0)
        while words and (words[-1].lower() in self.descriptors or words[-1].lower() in ("and", "or", "&")):
            words.pop()                         # "University of Dunmore and" (a span cut mid-list)
        text = " ".join(words).lower()
        if text.endswith("'s"):
            text = text[:-2]
        if text in self.institution_set:
            return ""
        text = self.institution_affix.sub("", text).strip(" .-")
        if text.split(" ", 1)[0] in ("for", "of", "and", "on", "&"):
            return ""                           # "Institute for Sleep Research": a body, named by its field
        return text

    def abbreviations(self, text, sources):
        """{'NHC': 'Northern Heart Cohort'} from 'Long Form (ABBR)' in the text and from sources."""
        found = {}
        for source in sources:
            if source.get("canonical") and source["canonical"] != source["text"] and ACRONYM.fullmatch(source["text"]):
                found[source["text"]] = source["canonical"]
        for match in re.finditer(r"\(([A-Z][A-Za-z0-9-]*[A-Z0-9])\)", text):
            abbr = match.group(1)
            long_form = self._long_form(text[:match.start()].split(), abbr)
            if long_form:
                found[abbr] = long_form
        return found

    @staticmethod
    def _long_form(before, abbr):
        """Schwartz & Hearst's rule: the shortest run of words ending before '(ABBR)' whose
        characters contain the abbreviation's letters in order, starting with its first."""
        letters = [c.lower() for c in abbr if c.isalnum()]
        for size in range(1, min(len(letters) + 5, 2 * len(letters)) + 1):
            words = before[-size:]
            if len(words) < size:
                break
            if not words[0][:1].lower() == letters[0]:
                continue
            chars = " ".join(words).lower()
            i = 0
            for c in chars:
                if i < len(letters) and c == letters[i]:
                    i += 1
            if i == len(letters):
                return " ".join(words).strip(",;:")
        return None

    # --- reading a claim ---------------------------------------------------------

    def texts(self, claim):
        """The sentence, then each source's text, then studies carried from earlier sentences."""
        texts = [claim["text"]]
        texts += [s["text"] for s in claim["sources"] if s.get("type") != "narrator" and s["text"] not in claim["text"]]
        texts += [cue[len(CONTEXT_CUE):] for cue in claim.get("evidence_cues", []) if cue.startswith(CONTEXT_CUE)]
        return texts

    def identifiers(self, claim, abbreviations):
        """{key: display} of the study identifiers a claim names."""
        keys = {}
        journals = {self.clean_name(s["canonical"] or s["text"]) for s in claim["sources"]
                    if s.get("type") in ("journal", "publication")}
        # a word of a journal's name is no author: "Annals of Clinical Practice (2026)" is no "Practice (2026)"
        journal_words = {w for j in journals for w in j.split()}
        for n, text in enumerate(self.texts(claim)):
            self.links(text, keys)
            if "http" in text:
                self._site_names(keys, abbreviations)
            for pattern in self.authors:
                for match in pattern.finditer(text):
                    name = self.clean_name(match.group("name"))
                    if name and name not in journals and name not in journal_words:
                        keys.setdefault(f"name:{name}", match.group("name") + AUTHOR)
            studies = 0
            for pattern in (self.named, self.named_topic):
                for match in pattern.finditer(text):
                    topic = match.groupdict().get("topic")
                    # "the RESTWELL randomised trial": an adjective of design is no topic, but the name stands
                    if topic and topic in self.plain_words:
                        continue
                    if match.group("descriptor")[0].isupper() and BODY_GOES_ON.match(text, match.end()):
                        continue                # "the Northbay Health Research Fund": a body, no study
                    if match.group("descriptor")[0].isupper() and (
                            PUBLISHED_IN.search(text, 0, match.start()) or CITED_YEAR.match(text, match.end())):
                        continue                # "published in Headache Research", "(Paediatric Sleep Research,
                        #                         2025)": a journal, no study
                    written = match.group("name")
                    # "Lincoln's KneeStrong programme": the name is what follows the possessive (the
                    # possessor says whose or where)
                    written = POSSESSOR.sub("", written) or written
                    if " " not in written and self.ordinary(text, match.start("name"), written):
                        continue                # "Good trial." at a sentence's start: an ordinary word
                    name = self.clean_name(abbreviations.get(written, written))
                    if name and name not in journals:
                        keys.setdefault(f"name:{name}", self._display(match.group(0)))
                        studies += n == 0
            # "talks to Dr Aoife Brennan from the University of Galway about the Little Sleepers cohort": a
            # titled person in the sentence naming one study (not said to be uninvolved) is its researcher;
            # "said lead researcher Dr Olu Bankole": one named the research's lead is its lead author
            if n == 0 and (studies == 1 or self.lead.search(text)) and not self.uninvolved.search(text) \
                    and not self.cites_other(text):     # ("Dr Okafor, who ran a separate trial, praised…")
                for match in self.titled.finditer(text):
                    name = self.clean_name(match.group("name"))
                    if name and name not in journal_words:
                        keys.setdefault(f"name:{name}", match.group("name").removesuffix("'s").removesuffix("’s")
                                        + AUTHOR)
            for match in ACRONYM.finditer(text):
                long_form = abbreviations.get(match.group(0))
                if long_form and self.names_research(long_form):
                    name = self.clean_name(long_form)
                    if name:
                        keys.setdefault(f"name:{name}", long_form)
        # a sentence about other research naming a study and a lead author does not say whose study is whose:
        # "Dr Ann Lowe, who ran a separate trial, praised the Harbour cohort" (the name stands, the author not)
        if any(k.startswith("name:") and not v.endswith(AUTHOR) for k, v in keys.items()) and \
                any(v.endswith(AUTHOR) for v in keys.values()) and self.cites_other(claim["text"]):
            keys = {k: v for k, v in keys.items() if not v.endswith(AUTHOR)}
        return keys

    def names_research(self, long_form):
        """Is an abbreviation's long form a study's name? A descriptor among its words: "Northern Heart
        Cohort", "Ashcombe Longitudinal Study of Ageing"."""
        return any(w.lower() in self.descriptors for w in long_form.split())

    @staticmethod
    def links(text, keys):
        """DOIs (also inside doi.org links), PMIDs and other URLs, into `keys`."""
        if "10." in text:
            for match in DOI.finditer(text):
                doi = _strip_link(match.group(0)).lower()
                keys.setdefault(f"doi:{doi}", f"doi:{doi}")
        if "PMID" in text or "pmid" in text:
            for match in PMID.finditer(text):
                keys.setdefault(f"pmid:{match.group(1)}", f"PMID {match.group(1)}")
        if "http" in text:
            for match in URL.finditer(text):
                url = _strip_link(match.group(0))
                if not DOI.search(url):
                    norm = re.sub(r"^https?://(www\.)?", "", url.lower()).rstrip("/")
                    keys.setdefault(f"url:{norm}", url)

    def _site_names(self, keys, abbreviations):
        """A study's website named after its abbreviation is the study: 'gvbc.example.org' is the GVBC
        when 'Greater Valley Birth Cohort (GVBC)' is defined somewhere in the corpus."""
        for key in [k for k in keys if k.startswith("url:")]:
            for label in re.split(r"[.-]", key[4:].split("/", 1)[0]):
                long_form = abbreviations.get(label.upper())
                if long_form and self.names_research(long_form):
                    name = self.clean_name(long_form)
                    if name:
                        keys.setdefault(f"name:{name}", long_form)

    def _display(self, phrase):
        words = phrase.split()
        while len(words) > 1 and (words[0].lower() in self.not_names or YEAR.fullmatch(words[0])):
            words.pop(0)
        return " ".join(words)

    def institutions(self, claim):
        """The institutions a claim names (its sources', and those written "at the University of X"), cleaned."""
        found = {self.clean_name(s.get("canonical") or s["text"]) for s in claim["sources"]
                 if s.get("type") == "institution"}
        for match in self.institution.finditer(claim["text"]):
            found.add(self.clean_name(match.group("a") or match.group("b")))
        found.discard("")
        return found

    def qualifiers(self, claim):
        """[(key, display, type)] most specific first: journal + year, then journal, institution, person, publication."""
        years = [y for y in YEAR.findall(claim["text"]) if not any(y in m.group(0) for m in DOI.finditer(claim["text"]))]
        for source in claim["sources"]:
            years += YEAR.findall(source["text"])
        found = []
        order = {"journal": 1, "institution": 2, "person": 3, "publication": 4}
        for source in claim["sources"]:
            kind = source.get("type")
            if kind not in order:
                continue
            canonical = source.get("canonical") or source["text"]
            name = self.clean_name(canonical) if kind != "person" else canonical.split()[-1].lower()
            if not name:
                continue
            if kind == "journal" and years:
                found.append((0, f"journal:{name}:{years[0]}", f"{canonical} {years[0]}", "journal"))
            prefix = "name" if kind == "person" else kind
            found.append((order[kind], f"{prefix}:{name}", canonical, kind))
        found.sort(key=lambda f: f[0])
        return [(key, display, kind) for _, key, display, kind in found]

    def other_research(self, claim):
        """Does the claim cite research as not one already named ('another study', 'a separate trial'), or
        some body's own figures ('council figures show') or guidance ('the WHO guideline is…')?"""
        text = claim["text"]
        lowered = text.lower()
        if self.cites_other(text, lowered) or (holds_any(text, lowered, self.other_figures_words)
                                               and self.other_figures.search(text)):
            return True
        # guidance before the figure is what the figure is ("The WHO guideline is no more than one hour"); after
        # it, what the study's figure is held against ("41% had a reading below 130 mmHg, the target in guidelines")
        first = min((q["start"] - claim["start"] for q in claim["quantities"]), default=0)
        return first > 0 and holds_any(text, lowered, self.guidance_words) and \
            self.guidance.search(text, 0, first) is not None

    def cites_other(self, text, lowered=None):
        """Does the text cite research as another than one named ("another study", "a separate trial")?"""
        return holds_any(text, lowered or text.lower(), self.other_words) and self.other.search(text) is not None

    def titled_people(self, claim):
        """The surnames of the titled people a sentence names ("Dr Priya Ramaswamy"), unless it says they took
        no part ("Dr Lowe, who was not involved in the study")."""
        text = claim["text"]
        if "Dr" not in text and "Prof" not in text and "Doctor" not in text or self.uninvolved.search(text):
            return []
        return [n for n in (self.clean_name(m.group("name")) for m in self.titled.finditer(text)) if n]

    def lead_role(self, claim):
        """Does the sentence name someone as the research's lead ("the lead author, Dr Priya Ramaswamy")?"""
        return self.lead.search(claim["text"]) is not None

    def indefinite_reference(self, claim):
        """Does the claim introduce research without naming it, as new: "a study", "A Finnish study"? In its
        own sentence: not a source the nlp stage carried over from the sentence before ("…in a placebo-controlled
        trial published in the BMJ", then "They recruited 512 women")."""
        start, end = claim.get("start"), claim.get("end")
        own = dict(claim, sources=[s for s in claim["sources"] if start is None or s.get("start") is None
                                   or start <= s["start"] < end])
        return any(words and words[0].lower() in ("a", "an") for words in unnamed_studies(own))

    def according_to(self, claim):
        """Is a figure attributed to a named body: "According to the US Centers for Disease Control…"?"""
        text = claim["text"]
        for source in claim["sources"]:
            if source.get("type") in ("institution", "publication", "person"):
                at = text.find(source["text"])
                if at > 0 and self.attribution.search(text, max(0, at - 24), at) and \
                        not self.research_team.match(text, at + len(source["text"])):
                    return True                 # (not "according to the University of Leeds team")
        return False

    def own_figure(self, claim):
        """Is a figure the writer's own business, not research: "Our pharmacists sold 27% more vitamin D"?
        A first-person possessive before the figure, outside a quotation, of a word that is no research."""
        if not claim["quantities"] or claim.get("evidence") == "study-backed" or claim["section"] != "article":
            return False                        # (a commenter's "My GP told me 30% of them…" cites research)
        text = claim["text"]
        first = min(q["start"] for q in claim["quantities"]) - claim["start"]
        if any(mark in text[:max(first, 0)] for mark in ('"', "“", "”")):
            return False                        # a quoted researcher: '"Our participants…" said Dr X'
        for match in self.own.finditer(text, 0, max(first, 0)):
            if match.group("word").lower() not in self.research_words:
                return True
        return self.we_have.search(text, 0, max(first, 0)) is not None     # "We now have 11,400 registered patients"

    def reference_line(self, claim):
        """Is the sentence a reference ("Okafor H, Brennan S, Liu J and colleagues. Sleep Medicine Reports")?"""
        return any(p.search(claim["text"]) for p in self.references)

    def the_study(self, claim):
        """Does the claim cite research as the page's own ("the study", "The randomised trial, led by…",
        "who led the research")? Not "Whitcombe et al." nor "a trial"."""
        if any(words and words[0].lower() in self.reference_determiners for words in unnamed_studies(claim)):
            return True
        return bool(self.research_reference.search(claim["text"]))

    def generic_reference(self, claim):
        """Does the claim cite research without naming it ('the study', 'a large trial')?"""
        if any(not any(w[:1].isdigit() for w in words[1:]) for words in unnamed_studies(claim)):
            return True
        if any(cue.startswith(CONTEXT_CUE) for cue in claim.get("evidence_cues", [])):
            return True
        return bool(self.research_reference.search(claim["text"]))
