"""Quantity extraction, table-driven from tests/cases/quantities.yml, on the real pipelines."""

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipeline.nlp import full_pipeline, plain_spaces
from pipeline.nlp.numbers import parse_number
from pipeline.nlp.stage import plan
from pipeline.vocab import KINDS

TABLE = YAML(typ="safe").load((Path(__file__).parent / "cases" / "quantities.yml").read_text(encoding="utf-8"))


REAL_FILES = ("quantities_tuned.yml", "quantities_heldout.yml")


def real_rows(name):
    """[register, text, expected] rows of the real-register files (scored by bench/quantities.py)."""
    return YAML(typ="safe").load((Path(__file__).parent / "cases" / name).read_text(encoding="utf-8"))


def cases():
    for group, rows in TABLE.items():
        for n, row in enumerate(rows):
            text, *rest = row
            expected = rest[-1]
            marks = []
            if len(rest) == 2:
                marks = [pytest.mark.xfail(reason=rest[0]["xfail"], strict=True)]
            yield pytest.param(text, expected, id=f"{group}-{n}", marks=marks)


def readings(nlp, text):
    doc = nlp(plain_spaces(text))
    return [(text[s.start_char:s.end_char], s.label_, s._.value, s._.unit, s._.qualifier, s._.low, s._.high,
             {"change": s._.change, "value_si": s._.value_si, "unit_si": s._.unit_si})
            for s in doc.spans["quantities"]]


def close(a, b):
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


@pytest.mark.parametrize("text,expected", list(cases()))
def test_quantity_table(text, expected):
    got = readings(full_pipeline(), text)
    assert [(g[0], g[1]) for g in got] == [(e[0], e[1]) for e in expected]
    for g, e in zip(got, expected):
        extra = e.pop() if isinstance(e[-1], dict) else {}      # {change: from, value_si: ..., unit_si: ...}
        span, kind, value, unit, qualifier = e[:5]
        low, high = (e[5], e[6]) if len(e) > 5 else (None, None)
        for key in ("change", "unit_si"):
            assert g[7][key] == extra.get(key), (span, key, g[7][key], extra.get(key))
        if "value_si" in extra:
            assert close(g[7]["value_si"], extra["value_si"]), (span, "value_si", g[7]["value_si"], extra["value_si"])
        assert close(g[2], value), (span, "value", g[2], value)
        assert g[3] == unit, (span, "unit", g[3], unit)
        assert g[4] == qualifier, (span, "qualifier", g[4], qualifier)
        assert close(g[5], low) and close(g[6], high), (span, "low/high", g[5:], (low, high))


def test_table_has_a_row_for_every_kind():
    """Every kind of the vocabulary is read by at least one row expected to pass (of at least 150 rows)."""
    tested = {e[1] for rows in TABLE.values() for row in rows if len(row) == 2 for e in row[-1]}
    assert [kind for kind in KINDS if kind not in tested] == []
    assert tested <= set(KINDS), tested - set(KINDS)
    assert sum(len(rows) for rows in TABLE.values()) >= 150


@pytest.mark.parametrize("text", [row[0] for rows in TABLE.values() for row in rows]
                         + [row[1] for row in real_rows("quantities_tuned.yml")])
def test_rules_pipeline_finds_everything_the_full_pipeline_finds(text):
    """The model runs only where the rules pipeline sees a quantity: it must miss nothing.

    The text as a one-paragraph document goes through the nlp stage's own plan; the full
    pipeline on the planned spans must find exactly the quantities it finds on the whole text.
    """
    whole_doc = full_pipeline()(plain_spaces(text))
    whole = [(s.start_char, s.end_char, s.label_) for s in whole_doc.spans["quantities"]]
    document = {"doc_id": "case", "segments": [{"kind": "article", "start": 0, "end": len(text)}]}
    planned = []
    for start, end, context in plan([document], {"case": text}):
        assert not context.get("context_only")
        doc = full_pipeline()(plain_spaces(text[start:end]))
        planned += [(start + s.start_char, start + s.end_char, s.label_) for s in doc.spans["quantities"]]
    assert planned == whole


@pytest.mark.parametrize("text,value", [
    ("2,000", 2000), ("Thirty-five", 35), ("two-thirds", 2 / 3), ("one-third", 1 / 3), ("1.5 million", 1.5e6),
    ("½", 0.5), ("1/4", 0.25), ("eighteen", 18), ("one hundred and twenty", 120), ("twenty one", 21),
    ("0.5", 0.5), (".5", 0.5), ("12,345.67", 12345.67), ("three quarters", 0.75), ("x", None), ("third", None),
    ("", None), ("1/0", None),
])
def test_parse_number(text, value):
    got = parse_number(text)
    assert close(got, None if value is None else float(value))
