"""@Language.factory("quantities"): every quantity as a Span in doc.spans["quantities"].

What a quantity looks like lives in patterns/quantities.jsonl (Matcher
patterns, one per line, labelled with the kind), what is *not* one in
patterns/not_quantities.jsonl, and the words they refer to by class in
patterns/lexicon.yml. This module only interprets matches: it trims
bounding words out of the span, reads the qualifier, and normalizes values.
"""

import re

from spacy.attrs import LOWER, ORTH
from spacy.language import Language
from spacy.tokens import Span, Token

from . import numbers as numbers_module  # registers Token._.num
from ..timeunits import iso_duration
from .counts import SyntacticCounts, glued_name, is_year, number_candidates
from .currencies import currency_words
from ..measures import Units, to_si
from .numbers import ADDED_FRACTIONS, parse_number
from .rulefiles import PATTERNS, RuleFiles, read_rules, read_yaml
from .spanfilter import ranked_spans_filter
from .windows import WindowedMatcher

SPAN_KEY = "quantities"
# When two readings overlap, the longer wins; on a tie, the earlier kind here.
KIND_RANK = {k: n for n, k in enumerate(("money", "measurement", "dose", "percentage", "multiplier", "frequency",
                                          "proportion", "timeframe", "count"))}
WEAK_CLASSES = {"lead", "count_sg", "count_noun"}     # common words that open no pattern alone
CANDIDATES_KEY = "quantity_candidates"      # rules pass only: numbers the parse may make counts of
YEAR_PREPOSITIONS = {"in", "since", "by", "until", "till", "during", "from", "of", "before", "after", "around"}
VOLUMES = {"l", "dl", "ml", "µl", "μl"}      # "per" one of these is a concentration, not a dose
CONNECTORS = {"-", "–", "—", "‐", "to", "or", "and"}
# lexicon.yml lists the component reads as sets of lower-case words, each as the attribute of its own name
WORD_SETS = ("per", "duration_leads", "age_units", "duration_preps", "product_verbs", "vessels", "sample_nouns",
             "measured_nouns", "organisms", "dosing_verbs", "intake_words", "ingredient_verbs", "radiation_units",
             "money_verbs", "not_frequency_heads", "lead")
for _name in ("value", "low", "high", "unit", "qualifier", "change", "value_si", "unit_si", "iso_duration", "rule"):
    Span.set_extension(_name, default=None, force=True)
Token.set_extension("qclass", default="", force=True)


def _strip_pos(pattern):
    return [{k: v for k, v in spec.items() if k not in ("POS", "TAG")} for spec in pattern]


@Language.factory("quantities", default_config={"patterns": None, "exclusions": None, "lexicon": None, "units": None,
                                              "spans_filter": {"@misc": "claims.ranked_spans_filter.v1"}},
                  assigns=["doc.spans"])
def make_quantities(nlp, name, patterns, exclusions, lexicon, units, spans_filter):
    uses_pos = any(p in nlp.pipe_names for p in ("tagger", "morphologizer"))
    uses_parse = "parser" in nlp.pipe_names
    return QuantityRecognizer(
        nlp.vocab,
        patterns or str(PATTERNS / "quantities.jsonl"),
        exclusions or str(PATTERNS / "not_quantities.jsonl"),
        lexicon or str(PATTERNS / "lexicon.yml"),
        uses_pos,
        units or str(PATTERNS / "units.yml"),
        uses_parse,
        spans_filter,
    )


class QuantityRecognizer(RuleFiles):
    RULE_FILES = ("patterns", "exclusions", "lexicon", "units")

    def __init__(self, vocab, patterns, exclusions, lexicon, uses_pos, units=None, uses_parse=False,
                 spans_filter=ranked_spans_filter):
        self.keep_rule_files(locals())
        self.spans_filter = spans_filter      # found readings, best first -> those kept (config.cfg)
        lex = read_yaml(lexicon)
        self.units = Units(read_yaml(units or str(PATTERNS / "units.yml")))
        self.uses_parse = uses_parse
        coded, named = currency_words()
        self.classes = {word: "measure" for word in self.units.lowered}
        self.classes.update({word: "currency" for word in named})
        self.case_classes = {**{w: "measure" for w in self.units.case_sensitive}, **{w: "currency" for w in coded}}
        self.currency = {**named, **{str(k).lower(): v for k, v in lex["currency"].items()}}
        self.coded = coded
        self.ppx = {str(k).lower(): float(v) for k, v in lex["ppx"].items()}
        for cls in ("lead", "fraction", "currency", "dose", "times", "freq", "recurring", "time", "pct", "ppx", "fold"):
            for word in lex[cls]:
                self.classes[str(word).lower()] = cls       # later classes win
        for singular, plural in lex["count_noun"].items():
            self.classes.setdefault(str(singular).lower(), "count_sg")     # "treatment" may modify
            self.classes.setdefault(str(plural).lower(), "count_noun")     # "treatments" ends a count
        self.time, self.freq, self.times = lex["time"], lex["freq"], lex["times"]
        self.unit_seconds = {str(k): float(v) for k, v in lex["unit_seconds"].items()}
        self.vague = {str(k).lower(): float(v) for k, v in lex["vague_number"].items()}
        def words(key):                   # a lexicon list as a set of lower-case words
            return {str(w).lower() for w in lex[key]}

        for key in WORD_SETS:             # self.per, self.vessels, ...: each lexicon list of that name
            setattr(self, key, words(key))
        self.counted_vague = words("vague_counts")
        self.periods = {**lex["recurring"], **lex["time"]}       # what "every" can take
        self.dose, self.fraction = lex["dose"], lex["fraction"]
        self.magnitude = {str(k).lower(): float(v) for k, v in lex["magnitude"].items()}
        self.radiation_stems = tuple(str(w).lower() for w in lex["radiation_stems"])
        self.plural_nouns = {str(p).lower() for p in lex["count_noun"].values()}
        self.singular_of = {str(p).lower(): str(s).lower() for s, p in lex["count_noun"].items()}
        self.qualifiers = {str(k).lower(): v for k, v in lex["qualifier"].items()}
        # both matchers read only the token windows around their patterns' anchors (windows.py)
        self.matcher = WindowedMatcher(vocab, "qclass", weak=WEAK_CLASSES)
        self.excluder = WindowedMatcher(vocab, "qclass", weak=WEAK_CLASSES)
        self.triggers = set()       # words that can open a pattern without a class of their own
        for rule in read_rules(patterns):
            pattern = rule["pattern"] if uses_pos else _strip_pos(rule["pattern"])
            self.matcher.add(f"{rule['label']}|{rule['id']}", [pattern])
            first = pattern[0]
            words = first.get("LOWER", first.get("TEXT"))
            if not any("_" in spec for spec in pattern):        # e.g. "on Mondays": no classed token at all
                self.triggers.update(w.lower() for w in (words["IN"] if isinstance(words, dict) else [words or ""]))
        for rule in read_rules(exclusions):
            self.excluder.add(f"not|{rule['id']}", [_strip_pos(rule["pattern"])])
        self.counts = SyntacticCounts(self)
        # the word classes by lexeme hash: a token's class is one dict look-up of an int, no string made
        strings = vocab.strings
        self.lower_class = {strings.add(w): cls for w, cls in self.classes.items()}
        self.orth_class = {strings.add(w): cls for w, cls in self.case_classes.items()}
        self.trigger_ids = {strings.add(w) for w in self.triggers}
        self.counted_vague_ids = frozenset(strings.add(w) for w in self.counted_vague)   # "a dozen": by word id

    # -- the component ------------------------------------------------------
    def token_classes(self, doc):
        """{token index: word class} of the tokens that have one ("num" for numbers), and whether
        the doc holds anything that can open a pattern (a number, a class not in WEAK_CLASSES, a trigger)."""
        numbers = set(doc.user_data.get(numbers_module.NUMBER_INDEX, ()))
        orth_class, lower_class = self.orth_class, self.lower_class
        classes = {}
        rows = doc.to_array([ORTH, LOWER]).tolist() if len(doc) else []
        for i, (orth, lower) in enumerate(rows):
            cls = "num" if i in numbers else orth_class.get(orth) or lower_class.get(lower)
            if cls:
                classes[i] = cls
        core = bool(numbers) or any(cls not in WEAK_CLASSES for cls in classes.values())
        if not core:
            triggers = self.trigger_ids
            core = any(lower in triggers for _, lower in rows)
        return classes, core

    # -- the component ------------------------------------------------------
    def __call__(self, doc):
        classes, core = self.token_classes(doc)
        for i, cls in classes.items():      # writing an extension is costly; most tokens keep the default ""
            doc[i]._.qclass = cls
        found = []
        # a paragraph with no number, unit or pattern-opening word cannot match: skip the Matcher
        for match_id, start, end in (self.matcher(doc, classes) if core else ()):
            kind, rule = doc.vocab.strings[match_id].split("|", 1)
            reading = getattr(self, f"_{kind}")(doc[start:end], rule)
            if reading:
                span, fields = reading
                span = Span(doc, span.start, span.end, label=fields.pop("_kind", kind))
                fields.setdefault("qualifier", self.qualifier(span))
                found.append((span, fields, rule, end - start))
        excluded = set()
        for _, start, end in self.excluder(doc, classes):
            excluded.update(range(start, end))
        found = [f for f in found if not excluded.intersection(range(f[0].start, f[0].end))]
        if self.uses_parse:
            found += self.counts.find(doc, excluded)
        found = [piece for f in found for piece in self.split_change(f)]
        found.sort(key=lambda f: (-(f[0].end - f[0].start), KIND_RANK[f[0].label_], -f[3], f[0].start))
        kept = []
        chosen = {id(span) for span in self.spans_filter([], [f[0] for f in found])}
        for span, fields, rule, _ in (f for f in found if id(f[0]) in chosen):
            for key, value in fields.items():
                if not key.startswith("_"):
                    setattr(span._, key, value)
            span._.rule = f"{span.label_}/{rule}"
            kept.append(span)
        kept += shared_unit_numbers(kept)
        kept.sort(key=lambda s: s.start)
        mark_changes(kept)
        doc.spans[SPAN_KEY] = kept
        if not self.uses_parse:
            doc.spans[CANDIDATES_KEY] = number_candidates(doc, kept, excluded, self.counted_vague_ids)
        return doc

    # -- "from X to Y" --------------------------------------------------------
    def split_change(self, found):
        """A range read from "from X to Y" is a change: two quantities (unless "ranging from")."""
        span, fields, rule, length = found
        doc = span.doc
        before = [t.lower_ for t in doc[max(0, span.start - 3):span.start]]
        if not before or before[-1] != "from" or any(w.startswith(("rang", "vary", "varie", "anywhere")) for w in before):
            return [found]
        to = next((t.i for t in span if t.lower_ == "to"), None)
        order = fields.pop("_order", None)
        if to is None or order is None or len(order) != 2 or to <= span.start or to >= span.end - 1:
            return [found]
        first, second = doc[span.start:to], doc[to + 1:span.end]
        out = []
        for part, value, change in ((first, order[0], "from"), (second, order[1], "to")):
            part_fields = {**fields, "value": value, "low": None, "high": None, "change": change}
            if "iso_duration" in fields:
                part_fields["iso_duration"] = iso_duration(value, fields.get("unit"))
            part_fields.update(self.si_fields(span.label_, value, fields))
            out.append((Span(doc, part.start, part.end, label=span.label_), part_fields, rule, length))
        return out

    def si_fields(self, kind, value, fields):
        if kind != "measurement" or not fields.get("_pint"):
            return {}
        value_si, unit_si = to_si(value, fields["_pint"])
        return {"value_si": value_si, "unit_si": unit_si}

    # -- shared helpers -----------------------------------------------------
    def trim(self, span):
        """Drop bounding words at the start ("for", "about", "between") and "of" at the end."""
        start, end = span.start, span.end
        doc = span.doc
        while start < end - 1 and doc[start]._.num is None and doc[start].lower_ in self.lead:
            start += 1
        while end > start + 1 and doc[end - 1].lower_ == "of":
            end -= 1
        return doc[start:end]

    def qualifier(self, span):
        doc = span.doc
        after = " ".join(t.lower_ for t in doc[span.end:span.end + 4] if not t.is_space)
        if after.startswith(("or more", "or longer", "or greater", "+")):
            return "at_least"
        if after.startswith(("or less", "or fewer", "or shorter")):
            return "at_most"
        if after.startswith(("or so", "or thereabouts")):
            return "approx"
        before = [t.lower_ for t in doc[max(0, span.start - 8):span.start] if not t.is_space]
        if before and before[-1] in ("a", "an") and span[0].lower_ not in ("a", "an"):
            before.pop()
        for n in (4, 3, 2, 1):
            if len(before) >= n and " ".join(before[-n:]) in self.qualifiers:
                return self.qualifiers[" ".join(before[-n:])]
        return None

    @staticmethod
    def nums(span):
        return [t._.num for t in span if t._.num is not None]

    @staticmethod
    def value_fields(values, scale=1.0):
        values = [v * scale for v in values]
        if len(values) >= 2:
            low, high = min(values[0], values[-1]), max(values[0], values[-1])
            return {"value": (low + high) / 2, "low": low, "high": high, "_order": [values[0], values[-1]]}
        return {"value": values[0], "low": None, "high": None}

    @staticmethod
    def shared_scale(span, values, suffix=1.0):
        """ "$10 to $15 billion", "four to five thousand": a scale written once applies to both ends."""
        tokens = [t for t in span if t._.num is not None]
        if len(values) == 2 and len(tokens) == 2 and tokens[-1]._.num_scale and not tokens[0]._.num_scale:
            scale = tokens[-1]._.num_scale
            if values[0] * suffix < scale and values[0] <= 10 * values[1] / scale:
                values = [values[0] * scale, values[1]]
        return values

    def time_unit(self, token):
        amount, unit = self.periods[token.lower_]
        return unit, amount

    # -- one interpreter per kind ------------------------------------------------
    def _percentage(self, span, rule):
        span = self.trim(span)
        while span[0]._.num is None and len(span) > 1 and span[0].text in ("x", "=", "~", "≈"):
            span = span[1:]
        values = self.nums(span)
        if rule == "basis-points":
            return span, {**self.value_fields(values, scale=0.01), "unit": "percentage points"}
        unit = "percentage points" if rule == "pct-points" else "%"
        return span, {**self.value_fields(values), "unit": unit}

    def _multiplier(self, span, rule):
        span = self.trim(span)
        words = [t.lower_ for t in span]
        if rule == "word-fold":
            factor = parse_number(words[0][:-4])
        elif words[0] in self.times:
            factor = float(self.times[words[0]])
        else:
            factor = (self.nums(span) or [None])[0]
        if factor is None:
            return None
        end = span.end
        doc = span.doc
        while end > span.start + 1 and doc[end - 1].lower_ not in ("times", "x", "×", "fold", "twice", "thrice") \
                and doc[end - 1]._.num is None and not doc[end - 1].lower_.endswith("fold"):
            end -= 1
        return doc[span.start:end], {"value": factor, "low": None, "high": None, "unit": None}

    def _measurement(self, span, rule):
        span = self.trim(span)
        doc = span.doc
        nums = [t for t in span if t._.num is not None]
        if not nums:
            return None
        if rule == "unitless":          # "a BMI of 30"
            name = self.units.unitless[span[0].lower_]
            number = nums[-1]
            fields = {"value": number._.num, "low": None, "high": None, "unit": span[0].text, "_pint": f"({name})"}
            fields.update(self.si_fields("measurement", number._.num, fields))
            return doc[number.i:number.i + 1], fields
        unit_tokens = [t for t in span if t.i > nums[-1].i]
        if unit_tokens and unit_tokens[0].text in ('"', "″", "′") and nums[-1].whitespace_:
            return None                 # 9" is nine inches; 9 " closes a quotation
        written = doc[unit_tokens[0].i:unit_tokens[-1].i + 1].text if unit_tokens else ""
        if "/" in written:
            written = written.replace(" ", "")
        if rule == "pressure" and not re.match(r"^\d{2,3}/\d{2,3}$", nums[0].text):
            return None
        if rule == "pressure" or "/" in nums[0].text:
            if not unit_tokens and not self.pressure_context(span):
                return None
            if unit_tokens and unit_tokens[0]._.qclass == "dose":
                return None             # "1/2 cup olive oil": half a cup, a dose, not a pressure
            high, low = (float(x) for x in nums[0].text.split("/"))
            return span, {"value": high, "low": low, "high": high, "unit": written or "mmHg",
                          **dict(zip(("value_si", "unit_si"), to_si(high, "(millimeter_Hg)")))}
        values = [t._.num for t in nums]
        if any(t.text in ("±", "+/-") for t in span):
            values = values[:1]         # "50 ± 8 ml": the value, not a range to its uncertainty
        if rule.startswith("num-unit-exp"):
            units_given = unit_tokens[1:] if unit_tokens and unit_tokens[0]._.num is not None else unit_tokens
            time_units = {w: u for w, (a, u) in self.time.items() if a == 1}
            pint_name = self.units.expression(units_given, time_units)
            if pint_name is None or not any(t.text in self.units.exponents or t.text == "·" for t in units_given):
                return None
            fields = {**self.value_fields(values), "unit": written, "_pint": pint_name}
            fields.update(self.si_fields("measurement", fields["value"], fields))
            named = [t for t in units_given if t.text not in self.units.exponents and t.text not in ("·", "⋅", "×", "/")]
            if named and named[0].lower_ in self.units.dose_alone and (
                    named[-1].lower_ in ("day", "d") or len(named) > 1 and all(t.lower_ in ("kg", "m", "m2", "m²")
                                                                                 for t in named[1:])):
                fields["_kind"] = "dose"        # "1.3 g · kg −1 · day −1", "10 mg kg −1": an intake per day, per body weight
            return span, fields
        parts = written.split("/")
        if parts[0].lower() in self.units.dose_alone and (len(parts) == 1 or parts[-1].lower() in self.per
                                                          and parts[-1].lower() not in VOLUMES):
            return None                 # "28 mg", "0.5 mg/kg", "10 mg/day" are doses (lexicon `dose`, `per`)
        pint_name = self.units.pint_name(written)
        if pint_name is None:
            return None
        context = self.units.needs_context.get(written.lower())
        if context and not any(t.lower_ in context for t in span.sent):
            return None                 # "intersect at two points": no blood pressure, no scale
        fields = {**self.value_fields(values), "unit": written, "_pint": pint_name}
        modifier = span.end < len(doc) and doc[span.end].pos_ == "NOUN"       # "a twenty pound bag"
        if written.lower() in ("pound", "pounds") and not modifier and (nums[-1]._.num_scale or self.about_money(span)):
            return span, {**self.value_fields(values), "unit": "GBP", "_kind": "money"}    # "spent 20 million pounds"
        fields.update(self.si_fields("measurement", fields["value"], fields))
        if pint_name.strip("()") in ("kilogram", "pound") and self.ingredient(span):
            for key in ("value_si", "unit_si", "_pint"):
                fields.pop(key, None)
            fields.update(_kind="dose", unit=written.lower())     # "10 kg of powder were charged into the mill"
        return span, fields

    def ingredient(self, span):
        """ "N kg of X" governed by a verb that uses it as an ingredient (`ingredient_verbs`)."""
        doc = span.doc
        if span.end >= len(doc) or doc[span.end].lower_ != "of":
            return False
        head = span[-1]
        for _ in range(6):
            if head.head.i == head.i:
                break
            head = head.head
            if head.pos_ in ("VERB", "AUX"):
                return head.lemma_.lower() in self.ingredient_verbs
        return False

    def about_money(self, span):
        return any(t.lemma_.lower() in self.money_verbs for t in span.sent)

    @staticmethod
    def pressure_context(span):
        before = " ".join(t.lower_ for t in span.doc[max(0, span.start - 6):span.start])
        return "pressure" in before or " bp" in f" {before}" or "blood" in before

    def _proportion(self, span, rule):
        span = self.trim(span)
        nums = self.nums(span)
        if rule == "num-ppx":           # 3 ppm, 35‰: the fraction itself
            return span, {"value": nums[0] * self.ppx[span[-1].lower_], "low": None, "high": None, "unit": span[-1].text}
        if rule in ("x-of-y", "x-out-of-y", "x-in-y"):
            if len(nums) != 2 or nums[1] == 0 or nums[0] > nums[1] or (rule == "x-in-y" and is_year(
                    next(t for t in reversed(span) if t._.num is not None))):
                return None         # "2 in 1979" is a date
            return span, {"value": nums[0] / nums[1], "low": None, "high": None, "unit": None}
        if rule == "fraction":
            token = span[0]
            following = token.doc[token.i + 1].lower_ if token.i + 1 < len(token.doc) else ""
            before = token.doc[token.i - 1] if token.i > 0 else None
            preceding = before.lower_ if before is not None else ""
            predicate = before is not None and "/" not in token.text and (
                before.pos_ in ("AUX", "VERB") or preceding in self.qualifiers or preceding in ("exactly", "just", "by"))
            if (following != "of" and not predicate) or preceding == "and":
                return None          # "02/18" is a date, "three and one fourth" a number; "1/4 of the cake" a share
            return span, {"value": nums[0], "low": None, "high": None, "unit": None}
        fraction = next((self.fraction[t.lower_] for t in span if t.lower_ in self.fraction), None)
        if fraction is None:
            return None
        after = span.doc[span.end] if span.end < len(span.doc) else None
        if rule == "by-a-fraction" and after is not None and (
                after.pos_ in ("NOUN", "PROPN", "ADJ") or after.text in numbers_module.HYPHENS and not span[-1].whitespace_):
            return None             # "by a third party", "by half-time": an ordinal or a name, no share
        return span, {"value": float(fraction), "low": None, "high": None, "unit": None}

    def _count(self, span, rule):
        doc = span.doc
        nouns = [t for t in span if t._.qclass in ("count_noun", "count_sg")]
        end = span.start + 1
        while end < span.end and (doc[end]._.num is not None or doc[end].lower_ in CONNECTORS | {"more", "fewer", "less"}):
            end += 1
        while doc[end - 1]._.num is None and doc[end - 1].lower_ not in ("more", "fewer", "less"):
            end -= 1
        number_span = doc[span.start:end]
        nums = self.shared_scale(number_span, self.nums(number_span))
        fields = self.value_fields(nums)
        if rule == "or-more-noun":
            word = number_span[-1].lower_
            fields["qualifier"] = "at_least" if word == "more" else "at_most"
        unit = None
        if nouns:
            noun = nouns[-1].lower_
            unit = self.singular_of.get(noun, noun)
            invariant = unit == noun and noun in self.plural_nouns      # "series"
            plural = noun in self.plural_nouns and not invariant
            single = len(nums) == 1 and nums[0] == 1 and rule != "or-more-noun"
            if single == plural and not invariant:
                return None      # "2006 study" is a year, "one patients" is not English
        if len(nums) == 1 and nums[0] == 1 and rule != "or-more-noun" and not self.bounded(number_span):
            return None          # "one study found", "each one of us": a determiner, not a count
        fields["unit"] = unit
        if self.looks_like_year(number_span):
            return None          # "In 2020 researchers found"
        if any(t._.num_form == "fraction" for t in number_span) or any(v != int(v) for v in nums):
            return None
        return number_span, fields

    @staticmethod
    def looks_like_year(span):
        token = span[0]
        before = span.doc[token.i - 1].lower_ if token.i > 0 else ""
        return (len(span) == 1 and token.text.isdigit() and len(token.text) == 4
                and 1800 <= int(token.text) <= 2099 and before in YEAR_PREPOSITIONS)

    def bounded(self, span):
        before = span.doc[span.start - 1].lower_ if span.start > 0 else ""
        return before in ("only", "just", "exactly") or self.qualifier(span) is not None

    def _timeframe(self, span, rule):
        span = self.trim(span)
        unit_tokens = [t for t in span if t._.qclass == "time"]
        if not unit_tokens or any(t.is_upper and len(t.text) <= 3 for t in unit_tokens):
            return None             # "an SEC filing", NMR "(1H, s)": capitals are no time unit ("an extra HOUR" is)
        doc = span.doc
        last = unit_tokens[-1]
        if last.i + 1 < len(doc) and doc[last.i + 1].text in self.units.exponents and doc[last.i + 1].text[0] in "−-":
            return None             # "600 h −1" is a rate
        if last.lower_ == "second" and last.i + 1 < len(doc) and doc[last.i + 1].pos_ in ("NOUN", "ADJ", "PROPN"):
            return None             # "a second trial": the ordinal
        if self.is_age(span, self.time_unit(last)[0]) or self.is_clock(span, last):
            return None
        if rule == "whole-unit" and span[0].lower_ == "all" and (span.start == 0 or doc[span.start - 1].lower_ not in self.lead):
            return None             # "for all day" is a day; "we could go all day" an idiom
        if rule == "unit-num" and (span[-1]._.num is None or any(v != int(v) for v in self.nums(span))
                                   or span.end < len(doc) and doc[span.end].pos_ in ("NOUN", "PROPN")):
            return None             # "each day 42 people": a count after a time word; "day 42 -" half a range
        if rule == "num-adj-unit" and not (doc.has_annotation("TAG") and span[1].tag_ in ("JJ", "JJR", "VBN")):
            return None             # "4 consecutive days", "four analysed days"; not "3 patients days"
        units = [self.time_unit(t) for t in unit_tokens]
        nums = self.nums(span)
        words = [t.lower_ for t in span]
        if rule == "few-to-unit":
            (u1, a1), (u2, a2) = units[0], units[-1]
            length = self.unit_seconds
            small = u1 if length[u1] <= length[u2] else u2
            low = self.vague[words[1]] * a1 * length[u1] / length[small]
            high = a2 * length[u2] / length[small]
            return span, {"value": (low + high) / 2, "low": low, "high": high, "unit": small,
                          "iso_duration": iso_duration((low + high) / 2, small)}
        unit, amount = units[-1]
        if rule == "a-unit-and-a-half":
            nums = self.one_and_fraction(span)
            if nums is None:
                return None
        elif not nums:
            nums = [float(self.vague["couple"])] if "couple" in words else [0.5] if "half" in words else [1.0]
        fields = self.value_fields(nums, scale=amount)
        fields.update(unit=unit, iso_duration=iso_duration(fields["value"], unit))
        return span, fields

    @staticmethod
    def one_and_fraction(span):
        """[1.5] for "a year and a half", "an extra litre and a half" ([1.25] with a quarter); None where the
        fraction is the next figure's and "a day" is "per day": "twice a day and a half tablet at night",
        "2 litres a day and a half litre more" (a noun, unit or hyphen after it; a number, times word or
        unit before it)."""
        doc = span.doc
        after = doc[span.end] if span.end < len(doc) else None
        before = doc[span.start - 1] if span.start > 0 else None
        if (after is not None and (after.text in numbers_module.HYPHENS or after.pos_ == "NOUN"
                                   or after._.qclass in ("time", "dose", "measure"))) or \
                (before is not None and (before._.num is not None or before._.qclass in ("times", "time", "dose"))):
            return None
        return [1 + ADDED_FRACTIONS[span[-1].lower_]]

    def is_age(self, span, unit):
        """ "the age of the finishers was 28 years", "older than 40 years", "the 60-64 year age group".

        An age is told in days to years (lexicon `age_units`), never in hours or minutes ("with
        advancing age during a triathlon (3 h)"); a duration lead after the age word ("age groups
        during the last three decades") makes the number a duration."""
        if unit not in self.age_units:
            return False
        doc = span.doc
        after = " ".join(t.lower_ for t in doc[span.end:span.end + 2])
        if after.startswith(("age group", "age-group", "age category", "old")):
            return True
        sent_start = span.sent.start if doc.has_annotation("SENT_START") else 0
        before = [t.lower_ for t in doc[max(sent_start, span.start - 8):span.start]]
        if before[-2:] in (["older", "than"], ["younger", "than"]) or (before[-1:] == ["aged"]):
            return True
        ages = [n for n, w in enumerate(before) if w in ("age", "ages", "aged")]
        lead = before[-1] if before else ""
        return bool(ages) and lead not in self.duration_leads \
            and not self.duration_preps.intersection(before[ages[-1] + 1:])

    @staticmethod
    def is_clock(span, unit):
        """ "at 19 h", "10 h 30": a clock time written the French way (a whole hour of the day: not "at 220 h")."""
        doc = span.doc
        hours = [t._.num for t in span if t._.num is not None]
        if unit.lower_ != "h" or not hours or not all(h == int(h) and 0 <= h <= 24 for h in hours):
            return False
        after = doc[unit.i + 1] if unit.i + 1 < len(doc) else None
        return (span.start > 0 and doc[span.start - 1].lower_ == "at") or (
            after is not None and after._.num is not None and len(after.text) == 2)

    def _frequency(self, span, rule):
        span = self.trim(span)
        doc = span.doc
        if rule == "freq-word" and span.end < len(doc) and doc[span.end].lower_ in self.not_frequency_heads:
            return None             # "quarterly revenue", "a monthly record"
        times = next((self.times[t.lower_] for t in span if t.lower_ in self.times), None)
        joined = "".join(t.lower_ for t in span if t.text not in CONNECTORS)     # bi-weekly -> biweekly
        freq = self.freq.get(joined) or next((self.freq[t.lower_] for t in span if t.lower_ in self.freq), None)
        units = [self.time_unit(t) for t in span if t._.qclass in ("time", "recurring")]
        nums = self.nums(span)
        words = [t.lower_ for t in span]
        if freq:
            per_times, period = freq
            factor = times or (nums[0] if nums else 1)
            if words[0] == "bi" and joined not in self.freq:
                factor *= 0.5
            elif words[0] == "semi":
                factor *= 2
            value, unit = float(factor * per_times), period
            return span, {"value": value, "low": None, "high": None, "unit": f"per {unit}"}
        if not units:
            return None
        unit, amount = units[-1]
        if rule.startswith(("once-every", "every")):
            if "other" in words:
                intervals = [2.0]
            else:
                intervals = nums or [1.0]
            per = [(times or 1) / (n * amount) for n in intervals]
            fields = self.value_fields(sorted(per))
        else:
            fields = self.value_fields([(times or (nums[0] if nums else 1)) / amount])
        fields["unit"] = f"per {unit}"
        return span, fields

    def _dose(self, span, rule):
        span = self.trim(span)
        units = [self.dose[t.lower_] for t in span if t.lower_ in self.dose]
        if not units or any(t.lower_ in self.dose and len(t.text) == 1 and t.is_upper and t.text != "L" for t in span):
            return None         # "5G" is a name; grams are "g"
        unit = units[-1]
        per = [t.lower_ for t in span if t.lower_ in self.per and t.lower_ not in self.dose]
        if span[-1].lower_ in VOLUMES and len(span) > 2 and span[-2].text in ("/", "per"):
            return None             # "5 mmol/L", "10 mg/ml": a concentration (measurement)
        if per and span[-1].lower_ in self.per:
            unit = f"{unit}/{per[-1]}"
        elif rule == "num-unit-per-m2":
            unit = f"{unit}/m2"         # "200 mg/m 2": a PDF split "m²"
        if rule == "a-unit-and-a-half":
            nums = self.one_and_fraction(span)
        else:
            nums = self.nums(span) or ([0.5] if "half" in [t.lower_ for t in span] else [])
        if not nums:
            return None
        fields = {**self.value_fields(nums), "unit": unit}
        if rule == "or-more-unit":          # "three or more cups": a lower bound, like "two or more treatments"
            fields["qualifier"] = "at_least" if span[2].lower_ == "more" else "at_most"
        doc = span.doc
        if self.compound_unit(span):
            return None             # "1g/cc", "67 ml kg −1 · min −1", "21 ml.kg −1": a ratio's numerator, no dose
        if unit == "g" and self.centrifuged(span):
            value_si, unit_si = to_si(fields["value"], "(standard_gravity)")
            return span, {**fields, "_kind": "measurement", "value_si": value_si, "unit_si": unit_si}
        if self.not_given(span) or self.unexposed(span) or (self.per_hour(span) and not self.intake(span)
                                    and not (units[-1] not in VOLUMES and self.dosed(span, ("receive", "take")))):
            fields["_kind"] = "measurement"     # "to give 1.56 g", "weighing 20 g", "2 mL/h": a product, a weight, a rate
            fields.update(dict(zip(("value_si", "unit_si"), to_si(fields["value"], self.units.pint_name(span[-1].text)))))
        return span, fields

    def compound_unit(self, span):
        """The dose unit goes on as a ratio or a product of units not in `per` (an intake per day,
        "1 ml · kcal −1 · day −1", stays a dose), as a rate per minute or hour in exponent notation
        ("21 ml.kg −1 .min −1": an uptake, not an amount given), or as a concentration per a stated
        volume ("5 g/100 ml"; "1,000 mg/60 kg", per body weight, stays a dose)."""
        doc = span.doc
        if span.end + 1 >= len(doc):
            return False
        chain = doc[span.end:min(len(doc), span.end + 8)]
        if any(t.lower_ in ("day", "d") for t in chain if t.whitespace_ or t.i + 1 == len(doc) or not doc[t.i + 1].is_alpha):
            return False
        nxt, after = doc[span.end], doc[span.end + 1]
        if any(t.lower_.lstrip(".·⋅") in ("min", "h", "s") and t.i + 1 < len(doc) and doc[t.i + 1].text in self.units.exponents
               and doc[t.i + 1].text[0] in "−-" for t in chain):
            return True
        if nxt.text == "/" and after._.num is not None and span.end + 2 < len(doc):
            return doc[span.end + 2].lower_ != "kg"        # "5 g/100 ml", "6 l/100 km"; "1,000 mg/60 kg" is a dose
        if nxt.text in ("/", "·", "⋅", ".") and not nxt.whitespace_ and after.is_alpha and after.lower_ not in self.per:
            return nxt.text != "." or after._.qclass in ("measure", "dose", "time")
        return nxt._.qclass in ("measure", "dose", "time") and after.text in self.units.exponents

    @staticmethod
    def centrifuged(span):
        """ "centrifuged at 3000 g for 10 min", "accelerations up to 5 g": g is a force, not grams."""
        sent = span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]
        return span.start > 0 and span.doc[span.start - 1].lower_ in ("at", "×", "x", "of", "to") and any(
            t.lower_.startswith(("centrifug", "spun", "spin", "ultracentrifug", "accelerat", "gravit", "g-force", "rcf"))
            for t in sent)

    def unexposed(self, span):
        """A radiation unit where nothing is exposed to it: "the rad (equivalent to 0.01 Gy)"."""
        if span[-1].lower_ not in self.radiation_units:
            return False
        sent = span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]
        return not any(t.lower_.startswith(self.radiation_stems) for t in sent)

    @staticmethod
    def per_hour(span):
        """ "2 mL/h", "50 mg/m 2 /h", "10 mg per hour": a rate (a flow), unless an intake."""
        doc = span.doc
        rest = " ".join(t.lower_ for t in doc[span.end:span.end + 2]).replace("/ ", "/").replace("per ", "/")
        return span[-1].lower_ in ("h", "hour") or rest.split(" ")[0] in ("/h", "/hour", "/min", "/minute")

    def intake(self, span):
        """An amount per hour is an intake (a dose) only where the sentence speaks of eating or drinking."""
        sent = span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]
        return any(t.lower_ in self.intake_words for t in sent)

    def not_given(self, span):
        """An amount of substance nobody takes or is given (the guide's dose), so a measurement:

        a product or a weight ("to give 1.56 g", "weighing 20 g", "30 mg of protein were
        obtained": lexicon `product_verbs`, before the amount or governing it), the volume a
        count or a concentration is per ("per 7.5 ml blood", "CTC/7.5 ml"), a vessel's
        capacity ("a 3 l syringe", "column (HR 16/10, 20 ml)": lexicon `vessels`), a sample
        ("150 µl aliquots", "blood samples (5 ml)", "10 ml of blood was drawn": `sample_nouns`,
        unless a `dosing_verbs` verb governs the amount), or a measured size ("tumour weight
        was 1.2 g", "a stroke volume of 70 ml": `measured_nouns`)."""
        doc = span.doc
        if self.sampled(span) and not self.dosed(span):
            return True

        def product(t):
            return t.lemma_.lower() in self.product_verbs and (t.lemma_.lower() != "give" or t.tag_ == "VB")

        if any(product(t) for t in doc[max(0, span.start - 3):span.start]):
            return True
        head = span[-1]
        while head.head.i != head.i and head.pos_ not in ("VERB", "AUX"):
            head = head.head
        if head.pos_ == "VERB" and head.i > span.end and product(head):
            return True             # the verb after its subject: "30 mg of protein were obtained"
        if span.start > 0 and (doc[span.start - 1].lower_ == "per" or doc[span.start - 1].text.endswith("/")):
            return True
        if span.end < len(doc) and doc[span.end].lower_ in self.vessels:
            return True
        sent_start = span.sent.start if doc.has_annotation("SENT_START") else 0
        for t in reversed(doc[max(sent_start, span.start - 8):span.start]):
            if t.text == ")":
                return False
            if t.text == "(":
                return t.i > 0 and doc[t.i - 1].lower_ in self.vessels
        return False

    LINKS = {"of", "was", "were", "is", "are", "=", ":", "(", "about", "approximately", "around", "nearly", "~", "∼",
             "≈", "*", "averaged", "reached", "a", "an", "the", "mean", "median", "total", "by", "to", "its", "their",
             "below", "above", "under", "over", "less", "more", "than", "at", "least", "most", "up", "exceeding",
             "between", "and", "<", ">", "≤", "≥"}

    def sampled(self, span):
        """The amount is a sample's, or a measured size (see `not_given`)."""
        doc = span.doc
        sent_start = span.sent.start if doc.has_annotation("SENT_START") else 0
        sent_end = span.sent.end if doc.has_annotation("SENT_START") else len(doc)
        after = [t for t in doc[span.end:min(sent_end, span.end + 5)]]
        # "150 µl aliquots", "a 10 ml blood sample", "10 ml of (the) blood", "2 ml of fresh urine",
        # "a 250 g rat", "20 g body weight", "1.56 g (yield: 54%)"
        for n, t in enumerate(after[:3]):
            word = t.lower_
            nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
            if nxt is not None and nxt.pos_ in ("NOUN", "PROPN") and nxt.lower_ not in self.sample_nouns \
                    and nxt.lower_ not in self.measured_nouns:
                word = ""           # "500 mg of blood pressure medication": "blood" only names the kind
            if word in self.sample_nouns or word in self.measured_nouns or word == "yield" or (
                    word in self.organisms and "of" not in [w.lower_ for w in after[:n]]):
                return True
            if word in ("of", "(", "-", "body") or t.pos_ == "ADJ":
                continue
            break
        # "sample (≈1 ml)", "tumour weight was 1.2 g", "a stroke volume of 70 ml", "rats (200–250 g)"
        for t in reversed(doc[max(sent_start, span.start - 5):span.start]):
            word = t.lower_
            if word in self.sample_nouns or word in self.measured_nouns:
                return True
            if word in self.organisms:
                return doc[t.i + 1].text == "(" if t.i + 1 < span.start else False
            if word not in self.LINKS and t._.num is None:
                return False
        return False

    def dosed(self, span, more=()):
        """A verb of giving or taking in (`dosing_verbs`) governs the amount: "500 ml of plasma were transfused"."""
        head = span[-1]
        for _ in range(6):
            if head.head.i == head.i:
                break
            head = head.head
            if head.pos_ in ("VERB", "AUX"):
                lemma = head.lemma_.lower()
                return lemma in self.dosing_verbs or lemma in self.ingredient_verbs or lemma in more
        return False

    def _money(self, span, rule):
        span = self.trim(span)
        codes = [self.currency_code(t) for t in span]
        codes = [c for c in codes if c]
        nums = self.nums(span) or ([1.0] if rule == "a-coin" else [])
        if not codes or not nums:
            return None
        first = span[0]
        if first._.qclass == "currency" and first.is_alpha and not first.is_upper:
            return None         # a name goes after the amount: "Euro 2020" is no sum
        code, scale = codes[-1] if span[-1]._.qclass == "currency" else codes[0], 1.0
        if len(span) >= 2 and span[-1]._.qclass == "currency" and span[-2].is_title:
            code = self.currency.get(f"{span[-2].lower_} {span[-1].lower_}", code)    # "Chinese yuan"
        if rule == "num-adj-word" and f"{span[-2].lower_} {span[-1].lower_}" not in self.currency:
            return None         # "100 chinese yuan" is a currency's name; "5 more dollars" is not
        if code.endswith(("-cent", "-pence", "-dime")):
            code, scale = code.split("-")[0], 0.1 if code.endswith("-dime") else 0.01
        suffixes = [self.magnitude[t.lower_] for t in span if t.lower_ in self.magnitude and t._.num is None]
        suffix = suffixes[-1] if suffixes else 1.0
        values = self.shared_scale(span, nums, suffix)
        if len(values) == 2 and len(suffixes) == 1 and values[0] < 1000:
            values = [values[0] * suffix, values[1] * suffix]     # "$10–15m": the suffix is on both ends
        else:
            values = [v * suffix for v in values]
        return span, {**self.value_fields(values, scale=scale), "unit": code}

    def currency_code(self, token):
        if token._.qclass != "currency":
            return None
        return self.coded.get(token.text) or self.currency.get(token.lower_)


SHARED_UNIT_KINDS = {"count", "dose", "measurement", "timeframe", "percentage"}


def shared_unit_numbers(spans):
    """ "45 and 50 cases", "41, 61 and 94 GHz": bare numbers listed before a quantity share its unit."""
    taken = {i for s in spans for i in range(s.start, s.end)}
    extra = []
    for span in spans:
        doc = span.doc
        if span.label_ not in SHARED_UNIT_KINDS or span[0]._.num is None or span._.low is not None:
            continue
        i = span.start
        while i >= 2 and doc[i - 1].lower_ in ("and", "or", ",") and doc[i - 2]._.num is not None \
                and i - 2 not in taken and (i < 3 or doc[i - 3].lower_ != "between") \
                and doc[i - 2]._.num_form != "fraction" and "/" not in doc[i - 2].text and not glued_name(doc[i - 2]):
            number = doc[i - 2]
            piece = Span(doc, number.i, number.i + 1, label=span.label_)
            for key in ("unit", "qualifier", "iso_duration"):
                setattr(piece._, key, getattr(span._, key))
            piece._.value = number._.num
            if span.label_ == "timeframe":
                piece._.iso_duration = iso_duration(number._.num, span._.unit)
            if span._.value_si is not None and span._.value:
                piece._.value_si, piece._.unit_si = span._.value_si * number._.num / span._.value, span._.unit_si
            piece._.rule = f"{span.label_}/shared-unit"
            extra.append(piece)
            taken.add(number.i)
            i = number.i
    return extra


def mark_changes(spans):
    """Two quantities of one kind joined as "from X to Y" (or "to Y from X") are a change."""
    for a, b in zip(spans, spans[1:]):
        if a.label_ != b.label_ or a._.change or b._.change:
            continue
        doc = a.doc
        between = [t.lower_ for t in doc[a.end:b.start]]
        before = doc[a.start - 1].lower_ if a.start > 0 else ""
        if before == "from" and between == ["to"]:
            a._.change, b._.change = "from", "to"
        elif before == "to" and between == ["from"]:
            a._.change, b._.change = "to", "from"
