"""The whole pipeline on the sample corpus, as `make extract` and `make eval` run it."""

import csv
import json
import re
import shutil
import subprocess
import sys

import pytest

from pipeline.export import validator
from pipeline.files import read_jsonl, write_jsonl
from pipeline.review.yamlio import load_file
from pipeline.vocab import GOLD_STATUSES

from .conftest import ROOT


def records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_claims_jsonl_follows_the_schema_and_the_annotations(run_dir):
    claims = records(run_dir / "out" / "claims.jsonl")
    assert claims
    for claim in claims:
        assert not list(validator().iter_errors(claim)), claim["id"]
    assert {c["review"] for c in claims} <= {"confirmed", "corrected", "added", "machine"}
    added = [c for c in claims if c["review"] == "added"]
    assert added and added[0]["text"].startswith("Ketamine isn’t an option for everyone")
    corrected = next(c for c in claims if "Studies are ongoing" in c["text"])
    assert corrected["evidence"] == "unattributed" and corrected["review"] == "corrected"


def without_version(text):
    """The header's extractor fingerprint changes with every rule edit, by design."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("extractor:"))


def test_rerun_keeps_the_reviewed_annotations_byte_for_byte(run_dir):
    for path in (run_dir / "annotations").glob("*.yaml"):
        kept = path.read_text(encoding="utf-8")
        committed = (ROOT / "annotations" / path.name).read_text(encoding="utf-8")
        assert without_version(kept) == without_version(committed), path.name


def test_csv_has_one_row_per_quantity(run_dir):
    claims = records(run_dir / "out" / "claims.jsonl")
    with open(run_dir / "out" / "claims.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sum(len(c["quantities"]) for c in claims)
    assert {"doc_id", "claim_id", "kind", "value", "unit", "evidence", "sentence"} <= set(rows[0])


def test_report_is_self_contained(run_dir):
    """No network: every script the index loads is a data file of report/ (works from file://)."""
    out = run_dir / "out"
    page = (out / "report.html").read_text(encoding="utf-8")
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources and all(s.startswith("report/data/") and (out / s).is_file() for s in sources)
    claims = records(out / "claims.jsonl")
    for path in [out / "report.html", *(out / "report").rglob("*.*")]:
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, path.name
    assert sum(p.read_text(encoding="utf-8").count('<mark class="claim') for p in (out / "report").glob("*.html")) \
        == len(claims)


@pytest.mark.parametrize("quantity,shown", [
    ({"kind": "proportion", "value": 0.5625, "low": None, "high": None, "unit": None, "qualifier": None},
     "proportion 0.5625"),
    ({"kind": "timeframe", "value": 40.0, "low": None, "high": None, "unit": "minute", "qualifier": "within"},
     "timeframe 40 minute (within)"),
    ({"kind": "money", "value": 1500000.0, "low": None, "high": None, "unit": "USD", "qualifier": None},
     "money 1,500,000 USD"),
    ({"kind": "dose", "value": 0.75, "low": 0.5, "high": 1.0, "unit": "mg/kg", "qualifier": "approx"},
     "dose 0.5–1 mg/kg (approx)"),
])
def test_report_shows_normalized_values_readably(quantity, shown):
    from pipeline.export.report import normalized
    assert normalized(quantity) == shown


def test_eval_scores_every_reviewed_document(run_dir):
    """The figures themselves are the README's to report (the gold was made by reviewing this
    extractor's output, so a threshold on them would test nothing); here: what is scored."""
    result = json.loads((run_dir / "out" / "eval.json").read_text(encoding="utf-8"))
    gold = sum(1 for p in (run_dir / "annotations").glob("*.yaml")
               for c in load_file(p)["claims"] if c.get("status") in GOLD_STATUSES and not c.get("stale"))
    assert result["documents"] == 5
    assert result["claims"]["tp"] + result["claims"]["fn"] == gold


def _claim(start, end, evidence="unattributed", quantities=(), sources=(), status="confirmed", doc_id="d"):
    return {"id": f"{doc_id}-{start}", "doc_id": doc_id, "status": status, "text": "x" * (end - start), "start": start,
            "end": end, "evidence": evidence, "quantities": list(quantities), "sources": list(sources)}


def _q(start, end, kind="count", value=1.0):
    return {"text": "q", "start": start, "end": end, "kind": kind, "value": value}


def test_eval_counts_planted_hits_misses_and_false_alarms():
    from pipeline.evaluate import score
    gold = [_claim(0, 10, "study-backed", [_q(0, 2), _q(4, 6, "percentage", 50)],
                   [{"text": "WHO", "start": 7, "end": 10, "type": "institution"}]),
            _claim(20, 30, "anecdotal", [_q(20, 22, "dose", 5)]),                   # missed entirely
            _claim(40, 50, status="rejected")]                                      # must not be produced
    machine = [_claim(0, 10, "unattributed", [_q(0, 2), _q(4, 6, "proportion", 0.5)], []),
               _claim(40, 50, status="machine"),                                    # the rejected one
               _claim(60, 70, "anecdotal", [_q(60, 61)], status="machine")]         # a false alarm
    result = score([{"doc_id": "d"}], {"d": {"claims": gold}}, machine)
    assert (result["claims"]["tp"], result["claims"]["fn"], result["claims"]["fp"]) == (1, 1, 2)
    assert (result["quantities"]["tp"], result["quantities"]["fn"], result["quantities"]["fp"]) == (2, 1, 1)
    assert result["kind_accuracy"] == 0.5 and result["value_accuracy"] == 0.5
    assert result["rejected_claims_still_produced"] == 1
    assert result["evidence_confusion"]["study-backed"]["unattributed"] == 1 and result["evidence_accuracy"] == 0.0
    assert result["sources"] == {"gold": 1, "found": 0}


def test_second_run_uses_the_cache(run_dir):
    out = run_dir / "out"
    result = subprocess.run([sys.executable, "-m", "pipeline", "nlp", "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "0 processed, 5 from cache" in result.stdout


def test_a_document_cut_anew_by_ingest_is_extracted_anew(run_dir, tmp_path):
    """New layout rules change a document's segments, not its file: the cache must not serve the old claims."""
    out = tmp_path / "out"
    shutil.copytree(run_dir / "out", out)
    documents = read_jsonl(out / "documents.jsonl")
    first = documents[0]
    first["segments"] = [{**s, "kind": "furniture"} if s["kind"] == "article" else s for s in first["segments"]]
    write_jsonl(out / "documents.jsonl", documents)
    result = subprocess.run([sys.executable, "-m", "pipeline", "nlp", "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "1 processed, 4 from cache" in result.stdout
    claims = read_jsonl(out / "machine_claims.jsonl")
    assert not any(c["doc_id"] == first["doc_id"] and c["section"] == "article" for c in claims)


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_bad_jobs_value_is_refused_before_any_work(run_dir, jobs):
    out = run_dir / "out"
    before = (out / "machine_claims.jsonl").read_bytes()
    result = subprocess.run([sys.executable, "-m", "pipeline", "nlp", "--out", str(out), "--jobs", jobs],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "neither a whole number >= 1 nor 'auto'" in result.stderr
    assert (out / "machine_claims.jsonl").read_bytes() == before


def test_two_processes_give_the_same_claims_as_one(run_dir):
    from pipeline.nlp.stage import extract_documents
    documents = records(run_dir / "out" / "documents.jsonl")[:2]
    one = extract_documents(documents, jobs=1, progress=False)
    two = extract_documents(documents, jobs=2, progress=False)
    assert one == two and sum(len(v) for v in one.values()) > 10


def test_model_on_quantity_paragraphs_only_loses_no_claim(run_dir):
    """The design choice that makes extract faster than the bare model: paragraphs
    without a quantity are never parsed. Parsing every paragraph must give the same claims."""
    from pipeline.nlp.stage import extract_documents
    documents = records(run_dir / "out" / "documents.jsonl")
    selected = {d["doc_id"]: [c for c in records(run_dir / "out" / "machine_claims.jsonl") if c["doc_id"] == d["doc_id"]]
                for d in documents}                     # what `nlp` wrote, from quantity paragraphs only
    every = extract_documents(documents, progress=False, every_paragraph=True)
    assert selected == every
