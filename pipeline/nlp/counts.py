"""Counts by syntax: a number the parse attaches to a noun counts that noun, whatever the noun.

Used by the quantities component when the pipeline has a parser; the rules
pass (no parser) instead marks every number that could become such a count
(`number_candidates`), so the paragraph goes to the model.
"""

from spacy.attrs import LOWER
from spacy.strings import get_string_id
from spacy.tokens import Span

from ..measures import is_unit_name
from .numbers import FRACTION_WORDS, NUMBER_INDEX

NOT_COUNTED = {"num", "pct", "time", "dose", "currency", "measure", "ppx", "times", "freq", "recurring"}
NOT_COUNT_ENTS = {"DATE", "TIME", "ORDINAL"}
HYPHENS = {"-", "–", "‐"}
RANGE = {"to", "-", "–", "—", "or"}
# Words after a number that show it does not stand before a counted noun.
NOT_BEFORE_NOUN = {"and", "or", "to", "than", "in", "on", "at", "for", "by", "with", "from", "is", "are", "was",
                   "were", "has", "have", "had", "percent", "times", "am", "pm", "a", "an", "the"}
YEAR_PREPOSITIONS = {"in", "since", "by", "until", "till", "during", "from", "of", "before", "after", "around"}
A = get_string_id("a")


def is_year(token):
    """A bare 4-digit number 1800-2099 that is not plainly a count of a plural noun."""
    text = token.text
    if not (len(text) == 4 and text.isdigit() and 1800 <= int(text) <= 2099):
        return False
    head = token.head
    before = token.doc[token.i - 1].lower_ if token.i > 0 else ""
    plural_head = head is not token and head.tag_ in ("NNS", "NNPS") and head.i > token.i
    return not plural_head or before in YEAR_PREPOSITIONS


def glued_name(token):
    """'5G', 'MP3', 'COVID-19': a number written into a name is no count."""
    doc = token.doc
    prev = doc[token.i - 1] if token.i > 0 else None
    nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if prev is not None and prev.pos_ == "PROPN" and prev.is_title and prev.i > 0 and not prev.is_sent_start \
            and (token.head.pos_ != "NOUN" or (nxt is not None and nxt.is_title)):
        return True                 # "Euro 2020", "South 32 Ltd"
    if prev is not None and not prev.whitespace_ and (prev.is_alpha or (prev.text in HYPHENS and prev.i > 0
                                                                        and doc[prev.i - 1].is_alpha
                                                                        and not doc[prev.i - 1].whitespace_)):
        return True
    return nxt is not None and not token.whitespace_ and nxt.is_alpha and not nxt._.qclass


def number_candidates(doc, kept, excluded, vague_ids):
    """Numbers outside every quantity that a parse could read as counts (not years, not 'one')."""
    # vague_ids: word ids of the lexicon's vague_counts ("dozen", "couple"), read after "a"
    taken = {i for span in kept for i in range(span.start, span.end)} | excluded
    out = []
    for i in doc.user_data.get(NUMBER_INDEX, ()):
        token = doc[i]
        if i in taken or token.lower_ == "one" or is_year(token) or glued_name(token):
            continue
        nxt = doc[i + 1] if i + 1 < len(doc) else None
        if nxt is None or not nxt.is_alpha or nxt.lower_ in NOT_BEFORE_NOUN:
            continue                # a count's number stands before its noun ("3,000 monkeys", "two of my")
        out.append(Span(doc, i, i + 1, label="candidate"))
    lowers = doc.to_array(LOWER).tolist() if len(doc) else []      # word ids: no Token made for each word
    for i, lower in enumerate(lowers):      # "a dozen", "a couple (of)": no number token, still a count
        if lower in vague_ids and i > 0 and lowers[i - 1] == A and i not in taken:
            out.append(Span(doc, i - 1, i + 1, label="candidate"))
    return sorted(out, key=lambda s: s.start)


class SyntacticCounts:
    def __init__(self, recognizer):
        self.r = recognizer

    def find(self, doc, excluded):
        found = []
        for i in doc.user_data.get(NUMBER_INDEX, ()):
            token = doc[i]
            if i in excluded or token.ent_type_ in NOT_COUNT_ENTS or token._.num_form == "fraction":
                continue
            noun = self.counted_noun(token)
            if noun is None or is_year(token) or glued_name(token) or self.is_unit(noun):
                continue
            start = token.i
            if start >= 2 and doc[start - 1].lower_ in RANGE and doc[start - 2]._.num is not None:
                start -= 2              # "four to five thousand people"
            span = doc[start:token.i + 1]
            values = self.r.shared_scale(span, self.r.nums(span))
            if any(v != int(v) for v in values):
                continue
            if len(values) == 1 and values[0] == 1 and not self.r.bounded(span):
                continue                # "one study found": a determiner (README, Decisions)
            fields = {**self.r.value_fields(values), "unit": noun.lemma_.lower()}
            found.append((Span(doc, span.start, span.end, label="count"), fields, "syntax", len(span)))
        found += self.dozens(doc, excluded)
        return found

    def is_unit(self, noun):
        """'six gallons', '32 degrees', '1500 bytes' measure; 'ten pills' count (lexicon count_noun)."""
        lemma = noun.lemma_.lower()
        if len(lemma) <= 4 and not any(v in lemma for v in "aeiouy"):
            return True             # "4,500 tpd": an abbreviated unit
        return lemma not in self.r.singular_of.values() and is_unit_name(lemma)

    @staticmethod
    def counted_noun(token):
        head = token.head
        # (a "proper noun" in lower case is a common noun mis-tagged: "1,870 flu jabs")
        if token.dep_ == "nummod" and head.i > token.i and (head.pos_ == "NOUN" or (head.pos_ == "PROPN" and head.is_lower)) \
                and head.is_alpha \
                and head._.qclass not in NOT_COUNTED and head.lower_ not in FRACTION_WORDS:
            return head
        if token.dep_ in ("nsubj", "dobj", "pobj", "nsubjpass", "ROOT", "attr"):       # "Two of my sisters"
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    obj = next((c for c in child.children if c.dep_ == "pobj" and c.pos_ == "NOUN"), None)
                    if obj is not None and obj._.qclass not in NOT_COUNTED:
                        return obj
        return None

    def dozens(self, doc, excluded):
        """'a dozen brands', 'a couple of witnesses': 12 and 2 of a noun (lexicon `vague_number`)."""
        found = []
        for token in doc:
            if token.lower_ not in self.r.counted_vague or token.i == 0 or doc[token.i - 1].lower_ != "a":
                continue
            j = token.i + 1
            if j < len(doc) and doc[j].lower_ == "of":
                j += 1
            while j < len(doc) and doc[j].pos_ == "ADJ":
                j += 1
            if j >= len(doc) or doc[j].pos_ != "NOUN" or doc[j]._.qclass in NOT_COUNTED or token.i in excluded:
                continue
            value = self.r.vague[token.lower_]
            found.append((Span(doc, token.i - 1, token.i + 1, label="count"),
                          {"value": value, "low": None, "high": None, "unit": doc[j].lemma_.lower()}, "a-dozen", 2))
        return found
