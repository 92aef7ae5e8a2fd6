"""Who said the figure: table-driven cases in news, health-blog and comment registers.

tests/cases/attribution_tuned.yml are the cases the rules were written against;
tests/cases/attribution_heldout.yml were written at the same time and set aside
(never used to write rules). Known limits are strict xfails in the files.
"""

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.test_claims import claim, claims_of

CASES = Path(__file__).parent / "cases"


def cases(name):
    for case in YAML(typ="safe").load((CASES / f"attribution_{name}.yml").read_text(encoding="utf-8")):
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
        yield pytest.param(case, id=f"{name}-{case['id']}", marks=marks)


def check(tmp_path, case):
    comments = [tuple(c) for c in case.get("comments", [])] or None
    claims = claims_of(tmp_path, case["text"], comments=comments)
    for expected in case["claims"]:
        c = claim(claims, expected["snippet"])
        assert c["evidence"] == expected["evidence"], (c["evidence"], c["evidence_cues"], c["sources"])
        for want in expected.get("sources", []):
            assert any(want["text"] in s["text"] and s["role"] == want.get("role", s["role"])
                       and s["cue"] == want.get("cue", s["cue"]) for s in c["sources"]), (want, c["sources"])


@pytest.mark.parametrize("case", list(cases("tuned")))
def test_tuned(tmp_path, case):
    check(tmp_path, case)


@pytest.mark.parametrize("case", list(cases("heldout")))
def test_heldout(tmp_path, case):
    check(tmp_path, case)
