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
LICENSED_FILES = ("doses_licensed_tuned.yml", "doses_licensed_heldout.yml")   # rows end in source, licence


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
                         + [row[1] for name in ("quantities_tuned.yml", "doses_licensed_tuned.yml")
                            for row in real_rows(name)])
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
    ("", None), ("1/0", None), ("thirty-eight point six", 38.6), ("two point oh five", 2.05), ("point six", None),
    ("one point five seven", 1.57),
    ("two and a half", 2.5), ("1 and a quarter", 1.25), ("one and half", 1.5), ("and a half", None),
])
def test_parse_number(text, value):
    got = parse_number(text)
    assert close(got, None if value is None else float(value))


# Dose or measurement (issue 16): a dose is an amount of a substance taken, given or used (a drug,
# a nutrient, a reagent or an ingredient: the guide); the same units also tell what a sample holds,
# what a thing weighs or how fast something flows, a measurement. Sentences written for this test
# (news, science, health blog); only the dose and measurement readings are compared.
DOSE_OR_MEASUREMENT = [
    ("science", "Mice received 10 mg kg −1 of cisplatin by intraperitoneal injection.", [("10 mg kg −1", "dose")]),
    ("science", "Tumours were irradiated with 2 Gy per fraction.", [("2 Gy", "dose")]),
    ("science", "Docetaxel was given at 75 mg/m 2 every three weeks.", [("75 mg/m 2", "dose")]),
    ("science", "The compound was dissolved in 20 ml of ethanol.", [("20 ml", "dose")]),
    ("science", "The dose was lowered to 0.5 mg/kg/h after a day.", [("0.5 mg/kg", "dose")]),
    ("science", "Blood samples (5 ml) were drawn before breakfast.", [("5 ml", "measurement")]),
    ("science", "Then 200 µl aliquots of the culture were frozen.", [("200 µl", "measurement")]),
    ("science", "Mean tumour weight was 0.8 g in the control group.", [("0.8 g", "measurement")]),
    ("science", "Male Wistar rats (200–250 g) were housed in pairs.", [("200–250 g", "measurement")]),
    ("science", "The rats received 2 ml of saline.", [("2 ml", "dose")]),
    ("science", "The crystals were dried to give 0.9 g (yield: 61%) of the salt.", [("0.9 g", "measurement")]),
    ("science", "The pump delivered saline at 3 mL/h.", [("3 mL/h", "measurement")]),
    ("science", "The adult brain has a mass of about 1,400 g.", [("1,400 g", "measurement")]),
    ("science", "We bounded the flow of oxaliplatin to 50 mg/m 2 /h.", [("50 mg/m 2", "measurement")]),
    ("science", "Peak oxygen uptake was 45 ml.kg −1 .min −1 in the rowers.", []),      # an uptake rate, no dose
    ("science", "Sucrose was dissolved at 5 g/100 ml.", [("100 ml", "measurement")]),     # a concentration
    ("science", "The lysate was centrifuged at 3000 g for 10 min.", [("3000 g", "measurement")]),
    ("news", "The hatchback has a 2 l engine.", [("2 l", "measurement")]),
    ("news", "He rode a 250 cc motorcycle to the clinic.", [("250 cc", "measurement")]),
    ("news", "Its fuel consumption was 6 l/100 km on the motorway.", [("100 km", "measurement")]),   # no dose
    ("news", "Pilots endured accelerations of up to 9 g in the tests.", [("9 g", "measurement")]),
    ("science", "One rad equals 0.01 Gy in SI units.", [("0.01 Gy", "measurement")]),      # a unit defined, nothing exposed
    ("news", "Hospital patients were given 500 ml of saline.", [("500 ml", "dose")]),
    ("news", "Patients were transfused with 500 ml of plasma.", [("500 ml", "dose")]),
    ("news", "Each patient received 5 mg per hour of the drug.", [("5 mg per hour", "dose")]),
    ("news", "Workers added 20 kg of flour to the mixer.", [("20 kg", "dose")]),
    ("news", "The bag of flour weighed 20 kg.", [("20 kg", "measurement")]),
    ("news", "The lab stored 4 ml of plasma from each donor.", [("4 ml", "measurement")]),
    ("news", "Nurses collected 2 ml of urine from each child.", [("2 ml", "measurement")]),
    ("health", "I take 1,000 mg of fish oil with dinner.", [("1,000 mg", "dose")]),
    ("health", "A typical serving holds 30 g of oats.", [("30 g", "dose")]),
    ("health", "He takes 50 mg of blood pressure medication.", [("50 mg", "dose")]),
    ("health", "A 10 ml blood sample showed low iron.", [("10 ml", "measurement")]),
    ("health", "Stir in 1/2 cup of olive oil.", [("1/2 cup", "dose")]),
    ("health", "Runners should drink about 0.5 l/h in hot weather.", [("0.5 l/h", "dose")]),
    ("health", "My doctor drew a 10 ml blood sample to check my iron.", [("10 ml", "measurement")]),
    ("health", "Blood loss was 300 ml after the surgery.", [("300 ml", "measurement")]),
    ("health", "He lost 20 kg of body weight in a year.", [("20 kg", "measurement")]),
    ("health", "A birth weight below 2,500 g calls for extra care.", [("2,500 g", "measurement")]),
]


@pytest.mark.parametrize("register,text,expected", DOSE_OR_MEASUREMENT,
                         ids=[f"{r}-{n}" for n, (r, _, _) in enumerate(DOSE_OR_MEASUREMENT)])
def test_dose_or_measurement(register, text, expected):
    got = [(g[0], g[1]) for g in readings(full_pipeline(), text) if g[1] in ("dose", "measurement")]
    assert got == expected


@pytest.mark.parametrize("text", [row[1] for row in DOSE_OR_MEASUREMENT])
def test_rules_pipeline_finds_the_dose_and_measurement_spans(text):
    """The rules pass (no parse) must still send these paragraphs to the model."""
    test_rules_pipeline_finds_everything_the_full_pipeline_finds(text)


@pytest.mark.parametrize("name", LICENSED_FILES)
def test_licensed_rows_name_their_source_and_spans_occur(name):
    """Each licensed sentence keeps where it was copied from and under which licence, and every gold span
    is in its sentence (bench/quantities.py scores them; it must not score a span it cannot place)."""
    rows = real_rows(name)
    assert len(rows) >= 40
    for register, text, expected, source, licence in rows:
        assert source and ("public domain" in licence.lower() or "cc by" in licence.lower()), (text, licence)
        for span, kind, _value in expected:
            assert span in text and kind in KINDS, (text, span, kind)
