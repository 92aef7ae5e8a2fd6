"""Overlapping readings are settled by the span filter config.cfg names (spaCy's misc registry)."""

import spacy

from pipeline.nlp import add_components, rules_pipeline
from pipeline.nlp.spanfilter import ranked_spans_filter
from pipeline.nlp.tokenizer import number_friendly_tokenizer

TEXT = "Patients took 10 to 20 mg twice a day."


@spacy.registry.misc("test.shortest_first_filter.v1")
def shortest_first():
    return lambda existing, spans: ranked_spans_filter(existing, sorted(spans, key=lambda s: s.end - s.start))


def test_ranked_filter_keeps_spans_in_the_order_given_unless_they_overlap_a_kept_one():
    doc = spacy.blank("en")("a b c d e f")
    given = [doc[1:4], doc[0:2], doc[3:5], doc[4:6], doc[0:1]]
    assert [(s.start, s.end) for s in ranked_spans_filter([], given)] == [(1, 4), (4, 6), (0, 1)]
    assert [(s.start, s.end) for s in ranked_spans_filter([doc[0:2]], given)] == [(0, 2), (3, 5)]


def test_the_filter_named_in_config_is_the_one_the_quantities_component_uses():
    doc = rules_pipeline()(TEXT)
    default = [(s.text, s.label_) for s in doc.spans["quantities"]]
    assert ("10 to 20 mg", "dose") in default          # the longest reading of the overlapping ones
    other = add_components(number_friendly_tokenizer(spacy.blank("en")), "rules",
                           overrides={"quantities": {"spans_filter": {"@misc": "test.shortest_first_filter.v1"}}})
    doc = other(TEXT)
    shortest = [(s.text, s.label_) for s in doc.spans["quantities"]]
    assert ("10 to 20 mg", "dose") not in shortest and ("twice a day", "frequency") in shortest
