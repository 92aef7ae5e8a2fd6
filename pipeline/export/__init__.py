"""Stage 4: annotations (merged with machine claims) -> OUT/claims.jsonl, claims.csv, report.html.

claims.jsonl is what journalists read: machine claims with the annotators'
decisions applied (rejected claims left out, corrected fields winning, added
claims in), each line carrying `review` (its status). Stale claims (reviewed,
but their sentence is no longer in the document) stay in the YAML only.
"""

import json
from functools import lru_cache
from pathlib import Path

import jsonschema

from ..files import write_jsonl
from ..nlp.quantities import iso_duration
from ..review import stage_inputs
from .report import write_report
from .table import write_csv

SCHEMA = Path(__file__).resolve().parents[1] / "schema" / "claim.schema.json"


@lru_cache(maxsize=1)
def validator():
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def _plain(value):
    """ruamel scalars -> plain Python for JSON."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def export_claim(entry, machine):
    """One JSONL record: the annotation's fields win; cues and rule names come from the machine."""
    quantities = []
    machine_q = {(q["start"], q["end"]): q for q in (machine or {}).get("quantities", [])}
    for q in entry.get("quantities") or []:
        record = {k: _plain(q.get(k)) for k in ("text", "start", "end", "kind", "value", "low", "high", "unit", "qualifier")}
        source = machine_q.get((record["start"], record["end"]), {})
        same = source.get("kind") == record["kind"] and source.get("value") == record["value"] and source.get("unit") == record["unit"]
        record["iso_duration"] = iso_duration(record["value"], record["unit"]) if record["kind"] == "timeframe" else None
        record["rule"] = source.get("rule") if same else None
        quantities.append(record)
    machine_s = {(s["start"], s["end"], s["text"]): s for s in (machine or {}).get("sources", [])}
    sources = []
    for s in entry.get("sources") or []:
        record = {k: _plain(s.get(k)) for k in ("text", "start", "end", "type")}
        record["canonical"] = machine_s.get((record["start"], record["end"], record["text"]), {}).get("canonical", record["text"])
        sources.append(record)
    status = str(entry.get("status"))
    same_claim = machine is not None and status in ("machine", "confirmed")
    record = {
        "id": str(entry["id"]), "doc_id": None, "text": str(entry["text"]), "start": int(entry["start"]),
        "end": int(entry["end"]), "section": _plain(entry.get("section")) or (machine or {}).get("section") or "article",
        "author": _plain(entry.get("author")), "comment_index": _plain(entry.get("comment_index")),
        "quantities": quantities, "sources": sources, "evidence": _plain(entry.get("evidence")) or "unattributed",
        "evidence_cues": list(machine["evidence_cues"]) if same_claim else [f"annotator:{status}"],
        "hedged": bool(entry.get("hedged")), "review": status,
    }
    if entry.get("note"):
        record["note"] = str(entry["note"])
    return record


def merged_claims(documents, reviews, machine_by_id):
    records = []
    for document in documents:
        data = reviews.get(document["doc_id"])
        if data is None:
            continue
        for entry in data["claims"]:
            if entry.get("status") == "rejected" or entry.get("stale"):
                continue
            record = export_claim(entry, machine_by_id.get(entry["id"]))
            record["doc_id"] = document["doc_id"]
            records.append(record)
    return records


def validate_records(records, where):
    for n, record in enumerate(records, 1):
        errors = sorted(validator().iter_errors(record), key=lambda e: list(e.path))
        if errors:
            path = "/".join(map(str, errors[0].path))
            raise ValueError(f"{where}:{n}: record {record.get('id')} breaks the schema at {path or '(top)'}: {errors[0].message}")


def run(corpus, out, annotations):
    out = Path(out)
    documents, claims, texts, reviews = stage_inputs(out, annotations)
    records = merged_claims(documents, reviews, {c["id"]: c for c in claims})
    validate_records(records, out / "claims.jsonl")
    write_jsonl(out / "claims.jsonl", records)
    rows = write_csv(out / "claims.csv", records)
    write_report(out / "report.html", documents, records, texts)
    print(f"export: {len(records)} claims -> {out / 'claims.jsonl'}, {rows} quantity rows -> {out / 'claims.csv'}, "
          f"{out / 'report.html'} (+ {out / 'report'}/)")
    return records
