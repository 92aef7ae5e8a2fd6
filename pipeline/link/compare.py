"""Which two figures of one study state the same measure, and whether they agree.

A figure is one quantity of a claim, normalized: its family (shares —
percentages and proportions, both in percent — counts, timeframes in days,
frequencies per day, doses and money by unit), what it counts (people, or the
counted noun), its interval and its precision, and its topic: the measure
concepts of rules.yml found around it ("responded", "side effects"), else its
nearest content words. Two figures are compared when family and unit agree,
they come from different voices (a document's article, or one comment), and
their topics meet, or, when their topics do not, their values agree and their
sentences share a word (`agreements`).
"""

import bisect
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

import yaml

from ..measures import Units, to_si
from .rules import RULES, holds_any, key_words

UNITS_FILE = Path(__file__).parents[1] / "nlp" / "patterns" / "units.yml"
TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")
TOKEN_START, TOKEN_END = itemgetter(0), itemgetter(1)     # of a (start, end, word, owner) token: in text order
NUMERAL = re.compile(r"\d[\d,]*(?:\.\d+)?")
SHARES = ("percentage", "proportion")
EPS = 1e-9
BLOCK_LIMIT = 30           # figures of one measure in one group compared all-pairs (see candidate_pairs)
# "fell by at least half": a change's size, not a share ("by" and up to two bounding words before it)
BY_FRACTION = re.compile(r"\bby(?: [a-z]+){0,2} ?$", re.IGNORECASE)
LEVEL_BEFORE = ("to",)     # "fell to 12%": the level a change ended at
DAILY = "/day"             # a dose per day: the dose, taken daily
VERDICT_ORDER = {"differs": 0, "range_contains": 1, "rounded": 2, "same": 3}


@lru_cache(maxsize=65536)
def stem(word):
    """A light suffix-stripper, enough for 'falls'/'fall', 'responded'/'respond', 'improve'/'improved'."""
    w = _strip_suffix(word.lower().replace("’", "'"))
    return w[:-1] if w.endswith("e") and len(w) > 3 and w[-2] != "e" else w


def _strip_suffix(w):
    if w.endswith("'s"):
        w = w[:-2]
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    for suffix, keep in (("ing", 5), ("ed", 4)):
        if w.endswith(suffix) and len(w) > keep:
            w = w[:-len(suffix)]
            if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]
            return w
    if w.endswith("es") and len(w) > 4 and w[-3] in "sxz":
        return w[:-2]
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


@lru_cache(maxsize=65536)
def name_word(word):
    w = word.lower().replace("’", "'")
    return w[:-2] if w.endswith("'s") else w


@lru_cache(maxsize=65536)
def name_words(text):
    """The words of a name, as topic words are compared with them: "Dr. Oyelaran's team" -> oyelaran, team."""
    return frozenset(name_word(w) for w in TOKEN.findall(text) if w[:1].isalpha())


@dataclass
class Figure:
    claim_id: str
    voice: tuple
    kind: str
    text: str
    family: str
    unit: str               # what is counted or measured, comparable across figures
    stated_unit: str        # the unit the figure was stated in (for the output)
    factor: float           # stated unit -> the family's base unit
    low: float              # interval in base units (a point: low == high)
    high: float
    precision: float        # in base units
    match: frozenset = field(default_factory=frozenset)   # concepts ("c:") or content words ("w:")
    context: frozenset = field(default_factory=frozenset)  # the content words of its whole sentence (stems)
    point: bool = field(init=False, compare=False)         # a point, not a range (read once per pair compared)

    def __post_init__(self):
        self.point = self.low == self.high

    def stated(self, factor=None):
        """The figure in its stated unit (or the unit of `factor`): a number, or [low, high] for a range."""
        factor = factor or self.factor
        if self.point:
            return _tidy(self.low / factor)
        return [_tidy(v / factor) if math.isfinite(v) else None for v in (self.low, self.high)]


def _tidy(value):
    value = round(value, 6)
    return int(value) if value == int(value) else value


@lru_cache(maxsize=4096)
def si_unit(written):
    """(SI value of one `written` unit, the SI unit) by pint, through the nlp stage's unit spellings
    (pipeline/nlp/patterns/units.yml), or None for a unit pint cannot read ("IU", "pints")."""
    if not written:
        return None
    value, unit = to_si(1.0, unit_spellings().pint_name(written))
    return None if value is None else (value, unit)


@lru_cache(maxsize=1)
def unit_spellings():
    with open(UNITS_FILE, encoding="utf-8") as fh:
        return Units(yaml.safe_load(fh))


def numeral_precision(numeral):
    """'71' -> 1, '70' -> 10, '2,000' -> 1000, '71.4' -> 0.1."""
    digits = numeral.replace(",", "")
    if "." in digits:
        return 10.0 ** -len(digits.split(".", 1)[1])
    stripped = digits.rstrip("0")
    return 10.0 ** (len(digits) - len(stripped)) if stripped else 1.0


def value_precision(value):
    """For figures written in words: 'seventy' -> 10, 'a third' (33.33…) -> 1."""
    if value == int(value):
        return numeral_precision(str(int(abs(value)))) if value else 1.0
    for places in range(1, 4):
        if abs(round(value, places) - value) < EPS:
            return 10.0 ** -places
    return 1.0


def round_to(value, precision):
    return math.floor(value / precision + 0.5) * precision


class FigureReader:
    def __init__(self, rules=RULES):
        self.people = {w.lower() for w in rules["people"]}
        self.people_stems = {stem(w) for w in self.people}
        self.stopwords = {w.lower() for w in rules["stopwords"]}
        self.generic = {w.lower() for w in rules["generic"] + rules["directions"]} | self.stopwords
        self.window = rules["window"]
        self.concepts = rules["concepts"]
        self.concepts_for = {}                  # quantity kind -> the (name, spec) of concepts it can state
        for name, spec in self.concepts.items():
            for kind in spec["kinds"]:
                self.concepts_for.setdefault(kind, []).append((name, spec))
        self.denominator = rules["denominator"]
        self.lower_bounds = set(rules["lower_bounds"])
        self.upper_bounds = set(rules["upper_bounds"])
        self.units = {family: {k: v for k, v in table.items() if k != "base"} for family, table in rules["units"].items()}
        self.base = {family: table["base"] for family, table in rules["units"].items()}
        # Concept words by phrase (-> the concepts it signals), looked up word by word in a window;
        # a phrase of several words is tried only from one of its first words.
        self.signals = {}
        for name, spec in self.concepts.items():
            for w in spec["words"]:
                self.signals.setdefault(" ".join(TOKEN.findall(w.lower())), set()).add(name)
        self.phrase_starts = {p.split()[0] for p in self.signals if " " in p}
        self.longest = max(len(p.split()) for p in self.signals)
        # The counted units a concept is given when a figure has none ("412 adults": the sample).
        self.defaults = {name: {stem(u) for u in spec.get("default") or ()} for name, spec in self.concepts.items()}
        self.unless = {name: {w.lower() for w in spec.get("unless", ())} for name, spec in self.concepts.items()}
        self._content_cache = {}
        self._measured = {}
        arm = rules["control_arm"]
        phrases = "|".join(r"\s+".join(map(re.escape, w.split())) for w in arm["before"])
        self.control = re.compile(rf"\b(?:{phrases})\.?\s+(?:[\w'’-]+\s+){{0,{arm['reach']}}}$", re.I)
        self.control_words = key_words(arm["before"])                           # a cheap test first
        change = rules["change"]
        self.label = re.compile(rf"(?i)\b(?:{'|'.join(map(re.escape, rules['labels']))})\s*$")
        self.of_time = re.compile(rf"\s+of\s+(?:an?|the)\s+(?:{'|'.join(map(re.escape, rules['units']['timeframe']))})\b",
                                  re.I)
        self.change_kinds, self.change_reach = set(change["kinds"]), change["reach"]
        self.change_words = {w.lower() for w in change["words"]}
        share_change = rules["share_change"]
        self.share_change_kinds = set(share_change["kinds"])
        self.share_before = (share_change["before"]["reach"], {w.lower() for w in share_change["before"]["words"]})
        self.share_after = (share_change["after"]["reach"], {w.lower() for w in share_change["after"]["words"]})
        adjectives = rules["counted_adjectives"]
        self.adjective_reach, self.adjective_joins = adjectives["reach"], set(adjectives["joins"])
        self.adjective_endings = tuple(adjectives["endings"])
        beyond = rules["beyond_the_study"]
        descriptors = "|".join(sorted(map(re.escape, rules["descriptors"]), key=len, reverse=True))
        self.beyond = re.compile(
            rf"\s*(?:{'|'.join(map(re.escape, beyond['copulas']))})\s+(?:[\w'’-]+\s+){{0,{beyond['reach']}}}?"
            rf"(?:{'|'.join(map(re.escape, beyond['comparatives']))})"
            rf"\s+than\s+(?:the|that|this|their|its)\s+(?:[\w-]+\s+)?(?:{descriptors})\b", re.I)

    # --- units and values -----------------------------------------------------------

    def family_unit(self, q):
        """(family, comparable unit, stated unit, factor) or None when it cannot be compared."""
        kind, unit = q["kind"], (q.get("unit") or "").lower()
        if kind in SHARES:
            return "share", "%", "%", (100.0 if kind == "proportion" else 1.0)
        if kind == "count":
            if not unit:
                return None
            return "count", ("people" if unit in self.people else unit), unit, 1.0
        if kind in self.units:
            factor = self.units[kind].get(unit)
            if factor is None:
                return (kind, unit, unit, 1.0) if unit else None
            return kind, self.base[kind], unit, float(factor)
        measured = unit[:-len(DAILY)] if kind == "dose" and unit.endswith(DAILY) else unit
        si = si_unit(measured)                              # "1.5 litres" is "1,500 ml"
        if si is not None:
            return kind, si[1], unit, si[0]
        # "1000 IU a day" is the dose of "a daily 1,000 IU capsule"
        return (kind, measured, unit, 1.0) if measured else None

    def interval(self, q, factor):
        value = q.get("value")
        if value is None:
            return None
        low, high = q.get("low"), q.get("high")
        if low is not None and high is not None and low != high:
            return low * factor, high * factor
        value *= factor
        if q.get("qualifier") in self.lower_bounds:
            return value, math.inf
        if q.get("qualifier") in self.upper_bounds:
            return -math.inf, value
        return value, value

    def precision(self, q, factor):
        if q["kind"] == "proportion" and NUMERAL.search(q["text"]):
            return 0.1                      # "18 of the 20 patients" is an exact ratio
        numerals = NUMERAL.findall(q["text"])
        value = q.get("value") or 0.0
        if numerals:
            stated = float(numerals[0].replace(",", "")) or 1.0
            scale = abs(value / stated) if value and q.get("low") is None else 1.0
            return min(numeral_precision(n) for n in numerals) * scale * factor
        return value_precision(value * (100.0 if q["kind"] == "proportion" else 1.0)) * \
            (factor / (100.0 if q["kind"] == "proportion" else 1.0))

    # --- topic ------------------------------------------------------------------------

    def measured(self, claim):
        """(spans, families, relative, measured): the claim's quantities as (start, end, q) in the claim's
        text, their families, whether each is a change's size, and (i, q, family, comparable unit, stated
        unit, factor, interval, precision) for each that can be compared, before its topic is read. Read once per
        claim (groups are merged by these values before the figures are made)."""
        known = self._measured.get(claim["id"])
        if known is None:
            known = self._measured[claim["id"]] = self._measure(claim)
        return known

    def forget(self, claim):
        """The claim's measured quantities, no longer kept (figures are made once per claim)."""
        return self._measured.pop(claim["id"], None) or self._measure(claim)

    def _measure(self, claim):
        text, offset = claim["text"], claim["start"]
        spans = [(q["start"] - offset, q["end"] - offset, q) for q in claim["quantities"]]
        units = [self.family_unit(q) for _, _, q in spans]
        families = [u[0] if u else q["kind"] for u, (_, _, q) in zip(units, spans)]
        relative = [q["kind"] == "proportion" and BY_FRACTION.search(text, 0, qs) is not None for qs, _, q in spans]
        measured = []
        for i, (start, end, q) in enumerate(spans):
            if units[i] is None or self.beyond.match(text, end):
                continue
            if units[i][0] == "count" and self.label.search(text, 0, start):
                continue                        # "type 2 diabetes"
            if units[i][0] == "share" and self.of_time.match(text, end):
                continue                        # "a quarter of an hour" is a timeframe, no share
            family, comparable, stated_unit, factor = units[i]
            if family == "count" and comparable != "people" and self.counts_people(text, end, comparable):
                comparable, q = "people", {**q, "unit": "people"}
            interval = self.interval(q, factor)
            if interval is None:
                continue
            if family == "timeframe" and interval[1] < 1.0:
                comparable = "within a day"     # "10 to 15 minutes" is a session, never a study's length
            if relative[i]:
                comparable = "by"               # a change's size is compared only with another's
            measured.append((i, q, family, comparable, stated_unit, factor, interval, self.precision(q, factor)))
        return spans, families, relative, measured

    def values(self, claim):
        """The point values a claim states, {(family, comparable unit, value in base units): written with two
        significant digits or more} ("7.2 mmHg", "14%", "268 men" are; "daily", "30 schools" are not)."""
        out = {}
        for _, _, family, comparable, _, _, interval, precision in self.measured(claim)[3]:
            if interval[0] == interval[1]:
                key = (family, comparable, round(interval[0], 6))
                out[key] = out.get(key, False) or abs(interval[0]) >= 10 * precision
        return out

    def figures(self, claim, names=frozenset(), previous=""):
        """Every comparable quantity of a claim as a Figure. `names`: words that name the claim's study
        (and its sources' names) say who, not what was measured, so are no topic words: "In the Glasgow
        study, 30% were men" is not compared with "the Glasgow study found 81% took their pills".
        `previous`: the sentence before it in its voice, whose words are the context of a sentence of fewer
        than `agreement.short` content words ("Forty-seven per cent, to be exact." after "Antibiotic
        courses were down by almost half.")."""
        text = claim["text"]
        own = [s["text"] for s in claim["sources"] if s.get("type") != "narrator"]
        if own:
            names = names.union(*map(name_words, own))
        spans, families, relative, measured = self.forget(claim)
        tokens = []                 # (start, end, word, index of the quantity it is part of, or -1)
        bounds = sorted((qs, qe, n) for n, (qs, qe, _) in enumerate(spans))
        k, last = 0, len(bounds)
        for m in TOKEN.finditer(text):
            at, stop = m.span()
            while k < last and bounds[k][1] <= at:
                k += 1
            tokens.append((at, stop, m.group(), bounds[k][2] if k < last and bounds[k][0] <= at else -1))
        voice = (claim["doc_id"], claim["section"], claim.get("comment_index"))
        context = self.context_of((word for _, _, word, owner in tokens if owner == -1), names)
        if previous and len(context) < AGREEMENT["short"]:
            context |= self.context_of(TOKEN.findall(previous), names)
        out = []
        for i, q, family, comparable, stated_unit, factor, interval, precision in measured:
            start, end = spans[i][0], spans[i][1]
            match = self.topic(q, i, spans, families, tokens, text, names, relative, comparable == "within a day")
            before = text[max(0, start - 40):start]
            lowered = before.lower()
            if holds_any(before, lowered, self.control_words) and self.control.search(before):
                match = frozenset(f"{t}@control" for t in match)
            if (q["kind"] in self.change_kinds and self.is_change(tokens, start, end)) or \
                    (q["kind"] in self.share_change_kinds and self.is_share_change(tokens, start, end)):
                match = frozenset(f"{t}@change" for t in match)
            out.append(Figure(claim["id"], voice, q["kind"], q["text"], family, comparable, stated_unit, factor,
                              interval[0], interval[1], precision, match, context))
        return out

    def context_of(self, words, names):
        """The stems of the content words among `words` that name no study."""
        return frozenset(stem(word) for word in words if self._content(word) and name_word(word) not in names)

    def counts_people(self, text, end, unit):
        """'186 perimenopausal and postmenopausal women': the counted word is an adjective of a people noun."""
        words = [w.lower() for w in TOKEN.findall(text[end:end + 120])[:self.adjective_reach + 1]]
        if not words or words[0] != unit.lower() or not unit.lower().endswith(self.adjective_endings):
            return False
        for word in words[1:]:
            if word in self.people or stem(word) in self.people_stems:
                return True
            if word not in self.adjective_joins and not word.endswith(self.adjective_endings):
                return False
        return False

    @staticmethod
    def _before(tokens, start, reach):
        """The `reach` words before a figure, or none when it is where a change ended ('fell to 12%', 'rose
        to 140 mmHg': a level); a bound ('more than 130 mmHg') is no change word."""
        before = bisect.bisect_right(tokens, start, key=TOKEN_END)     # the tokens that end by `start`
        words = [t[2].lower() for t in tokens[max(0, before - reach - 2):before]]
        if words and words[-1] in LEVEL_BEFORE:
            return []
        if words[-2:] in (["more", "than"], ["less", "than"]):
            words = words[:-2]
        return words[-reach:]

    @staticmethod
    def _after(tokens, end, reach):
        after = bisect.bisect_left(tokens, end, key=TOKEN_START)      # the first token from `end` on
        return [t[2].lower() for t in tokens[after:after + reach]]

    def is_change(self, tokens, start, end):
        """Is a word saying the figure is a change ('fell', 'off', 'greater') within reach of it?"""
        near = self._before(tokens, start, self.change_reach) + self._after(tokens, end, self.change_reach)
        return any(w in self.change_words for w in near)

    def is_share_change(self, tokens, start, end):
        """'dropped by 46%', '27% lower risk': a relative change, not a share of the people."""
        (back, before), (ahead, after) = self.share_before, self.share_after
        return any(w in before for w in self._before(tokens, start, back)) or \
            any(w in after for w in self._after(tokens, end, ahead))

    def topic(self, q, i, spans, families, tokens, text, names=frozenset(), relative=(), within_a_day=False):
        """`relative`: per quantity, a change's size ("improved by at least a third in 44% of participants":
        the fraction says by how much, the share how many), which the share's words reach past.
        `within_a_day`: a timeframe under a day, which no concept `longer_than_a_day` (a study's length) fits."""
        start, end = spans[i][0], spans[i][1]

        def window(candidates, limit):
            words = []
            counted = 0
            for _, _, word, owner in candidates:
                if owner == -1:
                    words.append(word)
                    counted += word.lower() not in self.stopwords
                    if counted == limit:
                        break
                elif owner != i and families[owner] == families[i] and not (relative and relative[owner]):
                    break               # a figure of the same family has its own words
            return words

        before = bisect.bisect_right(tokens, start, key=TOKEN_END)
        after = bisect.bisect_left(tokens, end, key=TOKEN_START)
        left = window(tokens[before - 1::-1] if before else (), self.window["left"])[::-1]
        right = window(tokens[after:], self.window["right"])
        concepts = self.concepts_of(q, left, right, i, spans, families, text, within_a_day)
        if concepts:
            return frozenset(f"c:{c}" for c in concepts)
        n = self.window["content_words"]
        left = [w for w in left if self._content(w) and name_word(w) not in names]
        right = [w for w in right if self._content(w) and name_word(w) not in names]
        content = [stem(w) for w in left][-n:] + [stem(w) for w in right][:n]
        return frozenset(f"w:{w}" for w in content)

    def _content(self, word):
        known = self._content_cache.get(word)
        if known is None:
            lower = word.lower()
            known = self._content_cache[word] = lower[:1].isalpha() and len(lower) > 2 and \
                lower not in self.generic and lower not in self.people and stem(lower) not in self.people_stems
        return known

    def concepts_of(self, q, left, right, i, spans, families, text, within_a_day=False):
        kind = q["kind"]
        if kind == "count" and i > 0 and families[i - 1] == "share":
            gap = text[spans[i - 1][1]:spans[i][0]].strip().lower()
            if gap in self.denominator["left"]:
                return {self.denominator["concept"]}
        around = self._concepts_in(left + right)
        found = set()
        for name, spec in self.concepts_for.get(kind, ()):
            if within_a_day and spec.get("longer_than_a_day"):
                continue                        # "for an hour before bed" is no study's length
            if spec.get("after_only"):
                # "two hours of screen time a day": a timeframe of something, then how often (two words of it
                # read past)
                reach = spec["after_only"] + (2 if right[:1] and right[0].lower() == "of" else 0)
                after = right[:reach]
                gap = TOKEN.findall(text[spans[i][1]:spans[i + 1][0]]) if i + 1 < len(spans) else after
                close = i + 1 < len(spans) and spans[i + 1][2]["kind"] == "frequency" and \
                    len(gap) <= spec["after_only"]
                if any(w.lower() in self.unless[name] for w in gap[:reach]):
                    continue
                if text[spans[i][1]:].lstrip()[:1] in (",", ";", ":", "("):
                    continue                    # "lasted 8 weeks, with daily lessons": the rate is another clause's
                if close or name in self._concepts_in(after):
                    found.add(name)
            elif spec.get("before_only"):
                before = left[-spec["before_only"]:]
                joined = f" {' '.join(before).lower()} "
                if name in self._concepts_in(before) and not any(f" {w} " in joined for w in self.unless[name]):
                    found.add(name)
            elif name in around:
                found.add(name)
        for name in list(found):
            found -= set(self.concepts[name].get("overrides", []))
        if not found:
            unit = self.family_unit(q)[1]
            found = {name for name, _ in self.concepts_for.get(kind, ()) if stem(unit) in self.defaults[name]}
        return found

    def _concepts_in(self, words):
        """The concepts whose words (or phrases) occur in a run of words."""
        lower = [w.lower() for w in words]
        found = set()
        for n, word in enumerate(lower):
            hit = self.signals.get(word)
            if hit:
                found |= hit
            if word in self.phrase_starts:
                for size in range(2, self.longest + 1):
                    hit = self.signals.get(" ".join(lower[n:n + size]))
                    if hit:
                        found |= hit
        return found


def inherit_topics(figures):
    """A figure with no topic of its own states the measure of the first figure of its family and unit
    in its document, the page's headline figure: "Dr. Janssen's team reported 52 percent" disputes the
    thread's "62% of the 240 patients had adequate relief". `figures` in document order.
    A comment's figure whose topic shares no word with any other figure of its family in the group
    disputes the page's first article figure of that family, and takes its topic: "Torvik's study said only
    21% of the kids improved" disputes "41 per cent of the children drinking kefir had seen their eczema
    score fall by at least half". In a thread with no article figure of that family, the first comment's
    stands for the page's ("kept track of everyone for 9 years", then "I read it was eleven years")."""
    first = {}
    article = {}
    out = []
    for figure in figures:
        key = (figure.voice[0], figure.family, figure.unit)
        if figure.match:
            first.setdefault(key, figure)
            if figure.voice[1] == "article":
                article.setdefault(key, []).append(figure)
        elif key in first:
            figure = replace(figure, match=first[key].match)
        out.append(figure)
    voices = {}                                 # (family, unit, topic token) -> the voices stating it
    for figure in out:
        for token in figure.match:
            voices.setdefault((figure.family, figure.unit, token), set()).add(figure.voice)
    thread = {}                                 # a thread with no article figure: its first comment's
    for figure in out:
        if figure.match and figure.voice[1] == "comment":
            thread.setdefault((figure.voice[0], figure.family, figure.unit), []).append(figure)
    threads = {key: found[0] for key, found in thread.items() if key not in article}
    for n, figure in enumerate(out):
        key = (figure.voice[0], figure.family, figure.unit)
        if key in threads and threads[key] is not figure and not any(t.startswith("c:") for t in figure.match):
            if not any(voices[figure.family, figure.unit, token] - {figure.voice} for token in figure.match):
                out[n] = replace(figure, match=threads[key].match)      # words only, no measure of its own
            continue
        if figure.voice[1] != "comment" or not figure.match or key not in article:
            continue
        if not any(voices[figure.family, figure.unit, token] - {figure.voice} for token in figure.match):
            out[n] = replace(figure, match=article[key][0].match)
    return out


def verdict(a, b):
    if a.point and b.point:
        if abs(a.low - b.low) <= EPS * max(1.0, abs(a.low)):
            return "same"
        precision = max(a.precision, b.precision)
        if abs(round_to(a.low, precision) - round_to(b.low, precision)) <= EPS * max(1.0, abs(a.low), precision):
            return "rounded"
        return "differs"
    if a.point or b.point:
        point, span = (a, b) if a.point else (b, a)
        return "range_contains" if span.low - EPS <= point.low <= span.high + EPS else "differs"
    if a.low == b.low and a.high == b.high:
        return "same"
    if (a.low <= b.low and b.high <= a.high) or (b.low <= a.low and a.high <= b.high):
        return "range_contains"
    return "differs"


def candidate_pairs(members, figures, limit):
    """All pairs of a small block. In a block of more than `limit` figures, figures stating the
    same value are compared with the first of them, and those firsts with each other:
    n + k² pairs for k distinct values instead of n²."""
    if len(members) <= limit:
        return [(members[x], members[y]) for x in range(len(members)) for y in range(x + 1, len(members))]
    firsts = {}
    pairs = []
    for n in members:
        f = figures[n]
        first = firsts.setdefault((f.low, f.high, f.precision), n)
        if first != n:
            pairs.append((first, n))
    reps = list(firsts.values())
    pairs += [(reps[x], reps[y]) for x in range(len(reps)) for y in range(x + 1, len(reps))]
    return pairs


def comparisons(figures, limit=BLOCK_LIMIT):
    """The comparable pairs of a group's figures (blocked by family, unit and shared topic token)."""
    blocks = {}
    for n, figure in enumerate(figures):
        for token in sorted(figure.match):          # a set's order changes with the hash seed: the output must not
            blocks.setdefault((figure.family, figure.unit, token), []).append(n)
    senses = [sense(f) for f in figures]
    stated = {}                 # figure index -> its stated value, worked out for the figures compared

    def stated_value(n):
        if n not in stated:
            stated[n] = figures[n].stated()
        return stated[n]

    def recorded(x, y, measure):
        """The comparison of figures x and y, both stated in x's unit."""
        a, b = figures[x], figures[y]
        return record(a, b, stated_value(x), stated_value(y) if b.factor == a.factor else b.stated(a.factor), measure)
    measures = {}               # (a.match, b.match) -> the topic tokens they share: few distinct pairs of topics
    seen = set()
    compared = []
    out = []
    for members in blocks.values():
        for pair in candidate_pairs(members, figures, limit):
            if pair in seen:
                continue
            seen.add(pair)
            x, y = pair
            a, b = figures[x], figures[y]
            if a.voice != b.voice and not opposed(senses[x], senses[y]):
                topics = (a.match, b.match)
                measure = measures.get(topics)
                if measure is None:
                    measure = measures[topics] = tuple(sorted(t[2:] for t in a.match & b.match))
                out.append(recorded(x, y, list(measure)))
                if agree(a, b, out[-1]["verdict"]):
                    compared.append(pair)       # (a counterpart that disagrees leaves the voice open)
    out += agreements(figures, compared, senses, recorded)
    out.sort(key=lambda c: VERDICT_ORDER[c["verdict"]])
    return out


AGREEMENT = RULES["agreement"]


def agreements(figures, compared, senses, recorded, limit=AGREEMENT["limit"], close=AGREEMENT["close"]):
    """Pairs the topic blocks missed: two figures of one family and unit (a share's relative change only
    with another) in two voices whose values agree (a range holding the point, or points within `close`
    of each other) and whose sentences share a content word, when neither has an agreeing counterpart in
    the other's voice yet: "families kept phones out of the bedroom for an hour" and "phones out of
    bedrooms 60 minutes before bedtime" (rules.yml `agreement`). Each figure gets at most one counterpart
    per voice, the one whose sentence shares the most words. `recorded(x, y, measure)`: the comparison."""
    blocks = {}
    for n, figure in enumerate(figures):
        blocks.setdefault((figure.family, figure.unit, relative_change(figure)), []).append(n)
    partnered = defaultdict(set)            # figure index -> the voices it has a counterpart in
    for x, y in compared:
        partnered[x].add(figures[y].voice)
        partnered[y].add(figures[x].voice)
    out = []
    for members in blocks.values():
        if len(members) > limit:
            continue
        voices = len({figures[n].voice for n in members})
        open_ = [n for n in members if len(partnered[n]) < voices - 1]     # a counterpart in a voice to find
        candidates = []

        def consider(x, y):
            x, y = min(x, y), max(x, y)
            a, b = figures[x], figures[y]
            if a.voice == b.voice or b.voice in partnered[x] or a.voice in partnered[y] or \
                    opposed(senses[x], senses[y]):
                return                      # (a pair compared already is partnered)
            shared = len(a.context & b.context)
            if shared and agree(a, b, close=close):
                candidates.append((-shared, x, y))
        # points in order of value, each read against the next ones as long as they can be close
        points = sorted((n for n in open_ if figures[n].point), key=lambda n: figures[n].low)
        for i, x in enumerate(points):
            low = figures[x].low
            for y in points[i + 1:]:
                if low >= 0 and figures[y].low * (1 - close) > low:
                    break
                consider(x, y)
        ranges = [n for n in open_ if not figures[n].point]
        for i, x in enumerate(ranges):
            for y in points + ranges[i + 1:]:
                consider(x, y)
        for _, x, y in sorted(candidates):
            a, b = figures[x], figures[y]
            if b.voice in partnered[x] or a.voice in partnered[y]:
                continue
            partnered[x].add(b.voice)
            partnered[y].add(a.voice)
            out.append(recorded(x, y, sorted(a.context & b.context)))
    return out


def agree(a, b, said=None, close=AGREEMENT["close"]):
    """Do two figures' values agree: a range holding the point, or points within `close` of each other
    (a fraction of the larger): 47% and "half", 21 and "20 minutes"; not 14% and "one in ten". A bound
    ("below 130 mmHg") holds too much to say two figures are one. `said`: their verdict, when known."""
    if (said or verdict(a, b)) == "differs" or not all(map(math.isfinite, (a.low, a.high, b.low, b.high))):
        return False
    if not (a.point and b.point):
        return True
    return abs(a.low - b.low) <= close * max(abs(a.low), abs(b.low))


def relative_change(figure):
    """Is a share a relative change ("a 27% lower risk"), never one with a share of the people ("27% of the
    women")? Other figures' changes and levels may agree ("fell by 6.4 mmHg", "6.4 mmHg")."""
    return figure.family == "share" and any(t.endswith("@change") for t in figure.match)


OPPOSITES = [(frozenset(f"w:{stem(w)}" for w in one), frozenset(f"w:{stem(w)}" for w in other))
             for one, other in RULES["opposites"]]


def sense(figure):
    """Which way a figure's outcome goes on each pair of `opposites` (1, -1, or 0), or None for no way."""
    if not OPPOSITES or not figure.match:
        return None
    words = {t.split("@", 1)[0] for t in figure.match}
    out = tuple((1 if words & one else 0) - (1 if words & other else 0) for one, other in OPPOSITES)
    return out if any(out) else None


def opposed(a, b):
    """Do two figures' senses (see `sense`) state opposite outcomes ("30% felt better" vs "13% felt worse")?"""
    return a is not None and b is not None and any(x * y < 0 for x, y in zip(a, b))


def record(a, b, a_value, b_value, measure):
    """A comparison; `a_value` and `b_value` are both figures in a's unit (Figure.stated), `measure` the
    topic tokens they share, without their prefix."""
    kind = a.kind if a.kind == b.kind else "percentage"
    return {"a": a.claim_id, "b": b.claim_id, "kind": kind, "a_value": a_value, "b_value": b_value,
            "unit": a.stated_unit if a.family != "share" else "%", "verdict": verdict(a, b),
            "a_text": a.text, "b_text": b.text, "measure": measure}
