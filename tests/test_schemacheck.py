"""The compiled schema check says what jsonschema says, on valid records and on broken ones."""

import dataclasses

import jsonschema
from hypothesis import given, settings, strategies as st

from pipeline.export import validate_records
from pipeline.records import Claim, Quantity, Source, claim_schema, keys, record
from pipeline.schemacheck import SchemaCheck

CHECK = SchemaCheck(claim_schema())
REFERENCE = jsonschema.Draft202012Validator(claim_schema())


def valid_record():
    quantity = Quantity(text="71%", start=10, end=13, kind="percentage", value=71.0, low=None, high=None,
                        unit="%", qualifier="approx")
    source = Source(text="the Leeds trial", start=20, end=35, type="study", canonical="Leeds trial",
                    role="research", cue="found")
    return record(Claim(id="c1", doc_id="d1", text="About 71% responded in the Leeds trial.", start=0, end=40,
                        section="article", author=None, comment_index=None, quantities=[record(quantity)],
                        sources=[record(source)], evidence="study-backed", evidence_cues=["trial"], hedged=False,
                        review="machine"))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**6) | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6)
PLACES = st.sampled_from([("claim", k) for k in keys(Claim)] + [("quantity", k) for k in keys(Quantity)]
                         + [("source", k) for k in keys(Source)] + [("claim", "extra"), ("quantity", "extra")])


def test_a_valid_record_passes_both():
    assert CHECK.is_valid(valid_record()) and REFERENCE.is_valid(valid_record())
    assert list(CHECK.iter_errors(valid_record())) == []


@settings(max_examples=400, deadline=None)
@given(changes=st.lists(st.tuples(PLACES, JSON_VALUES | st.just(dataclasses.MISSING)), min_size=1, max_size=3))
def test_the_compiled_check_agrees_with_jsonschema(changes):
    data = valid_record()
    targets = {"claim": data, "quantity": data["quantities"][0], "source": data["sources"][0]}
    for (where, key), value in changes:
        target = targets[where]
        if value is dataclasses.MISSING:
            target.pop(key, None)
        else:
            target[key] = value
    assert CHECK.is_valid(data) == REFERENCE.is_valid(data)
    assert [e.message for e in CHECK.iter_errors(data)] == [e.message for e in REFERENCE.iter_errors(data)]


def test_a_broken_record_keeps_jsonschemas_message():
    data = valid_record()
    data["quantities"][0]["kind"] = "vibes"
    try:
        validate_records([valid_record(), data], "claims.jsonl")
    except ValueError as err:
        assert str(err).startswith("claims.jsonl:2: record c1 breaks the schema at quantities/0/kind: 'vibes' is not one of")
    else:
        raise AssertionError("a record with an unknown kind passed")
