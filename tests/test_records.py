"""The record model is the one definition: schema, YAML keys and export all follow it."""

import json
import subprocess
import sys

from pipeline.records import SCHEMA_FILE, Claim, Quantity, Source, claim_schema, keys, machine_only, schema_text
from pipeline.review.merge import CLAIM_KEYS, machine_entry
from pipeline.vocab import KINDS

from .conftest import ROOT


def test_committed_schema_is_the_derived_one():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), "run: python -m pipeline schema > " + str(SCHEMA_FILE)


def test_schema_takes_kinds_from_the_vocabulary():
    kind = claim_schema()["properties"]["quantities"]["items"]["properties"]["kind"]
    assert kind["enum"] == list(KINDS)


def test_yaml_entry_shows_every_field_but_the_export_only_ones():
    claim = {k: None for k in keys(Claim)} | {"quantities": [{k: 1 for k in keys(Quantity)}],
                                              "sources": [{k: "x" for k in keys(Source)}], "evidence_cues": ["c"]}
    entry = machine_entry(claim)
    assert set(entry) == set(CLAIM_KEYS) | {"quantities", "sources", "note"}
    assert set(entry) >= set(machine_only(Claim)) and "review" not in entry and "doc_id" not in entry
    assert set(entry["quantities"][0]) == set(keys(Quantity)) and set(entry["sources"][0]) == set(keys(Source))


def test_export_and_review_do_not_import_spacy():
    code = "import sys, pipeline.export, pipeline.review; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc'))))"
    out = subprocess.run([sys.executable, "-c", "import json; " + code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
