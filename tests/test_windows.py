"""The windowed quantity matchers find what the whole-Doc Matcher finds, in the same order.

Each check runs real spaCy twice on the same Doc: the matcher as the component
runs it (windows around each pattern's anchor) and the same compiled Matcher
on the whole Doc. Edge cases: numbers at the start and end of the text,
spelled-out numbers, ranges, words before the number a pattern needs, words
with no number at all; then every article/comment paragraph of the sample corpus.
"""

import pytest
from spacy.lang.en import English

from pipeline import ingest
from pipeline.nlp.stage import PROCESSED
from pipeline.files import read_jsonl
from pipeline.ingest.reader import document_texts
from pipeline.nlp import full_pipeline, plain_spaces, rules_pipeline
from pipeline.nlp.quantities import CANDIDATES_KEY, SPAN_KEY
from pipeline.nlp.windows import WindowedMatcher, reach

EDGE_CASES = [
    "Seven patients improved.",                                   # spelled-out number at the very start
    "The trial enrolled 120",                                     # number as the last token
    "12",                                                         # a text that is one number
    "Nearly half of the patients relapsed.",                      # "half", no digit
    "She ate a dozen eggs a week for a couple of months.",         # "a dozen", "a couple of"
    "One in five adults and 1 in 50 children were affected.",     # "one in", proportions
    "Take between 5 and 10 mg daily.",                            # "between" before the number
    "Rates fell from 16% to 2.5% in a decade.",                   # a change, two percentages
    "It costs 7,199 Chinese yuan, or US$113 million in all.",     # currency words before and after
    "The plan costs $10 to $15 billion over four to five years.",  # scale shared by a range
    "Smokers were 13 times more likely, twice as many, a threefold rise.",
    "Walk 30 minutes every other day, twice a week, on Mondays.",
    "A 45-year-old man, aged 60 years, called 555-1234 in August 2010, 12 patients later.",
    "18 of the 20 patients had 6 bi-weekly treatments with the new oral medication.",
    "Cut the dose in half; about 120/80 mmHg; 70 kg; 36.5 °C; a BMI of 30.",
    "At 19 h the 3 h test ended; 500 ms later 24h passed.",
    "Quarterly revenue was a monthly record in a second trial.",   # class words, no quantity
    "The results, " + "which the authors discussed at length in the paper, " * 12 + "were 42 percent.",
    "There is no figure in this sentence at all.",
    "",
]


def matches_both_ways(nlp, doc):
    recognizer = nlp.get_pipe("quantities")
    classes, _ = recognizer.token_classes(doc)
    for matcher in (recognizer.matcher, recognizer.excluder):
        yield matcher(doc, classes), matcher.matcher(doc)


@pytest.mark.parametrize("pipeline", [rules_pipeline, full_pipeline], ids=["rules", "model"])
@pytest.mark.parametrize("text", EDGE_CASES)
def test_windows_match_like_the_whole_doc(text, pipeline):
    nlp = pipeline()
    doc = nlp(plain_spaces(text))
    for windowed, whole in matches_both_ways(nlp, doc):
        assert windowed == whole


def test_edge_cases_find_quantities():
    """The cases above are not vacuous: most hold matches."""
    nlp = rules_pipeline()
    found = [bool(nlp(plain_spaces(t)).spans[SPAN_KEY]) for t in EDGE_CASES]
    assert sum(found) >= 14


def quantities_of(doc):
    return [(key, s.start, s.end, s.label_, s._.value, s._.low, s._.high, s._.unit, s._.qualifier, s._.change,
             s._.rule) for key in (SPAN_KEY, CANDIDATES_KEY) if key in doc.spans for s in doc.spans[key]]


@pytest.fixture(scope="module")
def corpus_paragraphs(corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("windows")
    ingest.run(corpus_dir, out)
    documents = read_jsonl(out / "documents.jsonl")
    texts = document_texts(documents)
    return [plain_spaces(texts[r["doc_id"]][s["start"]:s["end"]]) for r in documents for s in r["segments"]
            if s["kind"] in PROCESSED]


@pytest.mark.parametrize("pipeline", [rules_pipeline, full_pipeline], ids=["rules", "model"])
def test_sample_corpus_quantities_identical_to_the_whole_doc_matcher(corpus_paragraphs, pipeline):
    nlp = pipeline()
    recognizer = nlp.get_pipe("quantities")
    windowed = [quantities_of(d) for d in nlp.pipe(corpus_paragraphs)]
    read, total = 0, 0
    for doc in nlp.pipe(corpus_paragraphs[:20]):
        classes, _ = recognizer.token_classes(doc)
        read += sum(e - s for s, e in recognizer.matcher.windows(doc, classes))
        total += len(doc)
    assert read < total / 2                     # the windows do skip most of the text
    for matcher in (recognizer.matcher, recognizer.excluder):
        matcher.whole_doc = True
    try:
        whole = [quantities_of(d) for d in nlp.pipe(corpus_paragraphs)]
    finally:
        for matcher in (recognizer.matcher, recognizer.excluder):
            matcher.whole_doc = False
    assert sum(map(len, windowed)) > 80         # the sample corpus holds ~100 quantities
    assert windowed == whole


@pytest.mark.parametrize("spec, tokens", [
    ({"LOWER": "a"}, 1), ({"LOWER": "a", "OP": "?"}, 1), ({"OP": "{0,8}"}, 8), ({"OP": "{2}"}, 2),
    ({"OP": "{1,3}"}, 3), ({"OP": "*"}, None), ({"OP": "+"}, None), ({"OP": "{2,}"}, None),
])
def test_reach_of_a_spec(spec, tokens):
    assert reach(spec) == tokens


def test_window_reach_and_fallbacks():
    nlp = English()
    matcher = WindowedMatcher(nlp.vocab, "qclass")
    matcher.add("p", [[{"LOWER": "from"}, {"_": {"qclass": "num"}}, {"OP": "{0,3}"}, {"LOWER": "to"}]])
    assert (matcher.before, matcher.after, matcher.whole_doc) == (1, 4, False)
    doc = nlp("x " * 20 + "from 5 a b to " + "y " * 20)
    assert matcher.windows(doc, {21: "num"}) == [(20, 26)]
    assert matcher.windows(doc, {}) == []
    optional_only = WindowedMatcher(nlp.vocab, "qclass")
    optional_only.add("q", [[{"LOWER": "about", "OP": "?"}, {"LOWER": {"NOT_IN": ["x"]}}]])
    assert optional_only.whole_doc                  # no required spec that a set of words can anchor
    unbounded = WindowedMatcher(nlp.vocab, "qclass")
    unbounded.add("r", [[{"_": {"qclass": "num"}}, {"OP": "*"}, {"LOWER": "mg"}]])
    assert unbounded.windows(doc, {21: "num"}) == [(0, len(doc))]


def test_the_shipped_patterns_are_all_windowed():
    """A pattern with no anchor or no bound (`*`, `+`) makes the Matcher read every whole Doc: one such line in
    quantities.jsonl once took the rules pass from ~30k to ~17k words/s. Bound it ("{0,3}") instead."""
    from pipeline.nlp.rulefiles import PATTERNS, read_rules
    nlp = English()
    for path in (PATTERNS / "quantities.jsonl", PATTERNS / "not_quantities.jsonl"):
        for rule in read_rules(path):
            matcher = WindowedMatcher(nlp.vocab, "qclass")
            matcher.add(rule["id"], [rule["pattern"]])
            assert not matcher.whole_doc, (path.name, rule["id"])
