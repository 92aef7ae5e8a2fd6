"""Stage 4: annotations (merged with machine claims) -> OUT/claims.jsonl, claims.csv, report.html.

claims.jsonl is what journalists read: machine claims with the annotators'
decisions applied (rejected claims left out, corrected fields winning, added
claims in), each line carrying `review` (its status). Stale claims (reviewed,
but their sentence is no longer in the document) stay in the YAML only.
"""

from functools import lru_cache

from ..files import write_jsonl
from ..records import Claim, Quantity, Source, claim_schema, keys, record
from ..schemacheck import SchemaCheck
from ..link import claim_links
from ..timeunits import iso_duration
from .report import write_report
from .table import write_csv


@lru_cache(maxsize=1)
def validator():
    return SchemaCheck(claim_schema())


def _plain(value):
    """ruamel scalars -> plain Python for JSON."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def _item(cls, node):
    return cls(**{k: _plain(node.get(k)) for k in keys(cls)})


def export_claim(entry, doc_id):
    """One JSONL record from one annotation entry: the file holds every field, nothing is re-joined.

    Derived fields follow the annotator: a corrected or added claim gets its
    timeframes' iso_duration from its (possibly corrected) value and unit, and
    `annotator:<status>` as its evidence cue.
    """
    status = str(entry.get("status"))
    machine_said = status in ("machine", "confirmed")
    quantities = []
    for node in entry.get("quantities") or []:
        q = _item(Quantity, node)
        if not machine_said:
            q.iso_duration = iso_duration(q.value, q.unit) if q.kind == "timeframe" else None
            q.value_si = q.unit_si = None       # pint's reading of the machine's value; unknown after a correction
        quantities.append(record(q))
    sources = []
    for node in entry.get("sources") or []:
        s = _item(Source, node)
        s.canonical = s.canonical or s.text
        sources.append(record(s))
    cues = [str(c) for c in entry.get("evidence_cues") or []]
    return record(Claim(
        id=str(entry["id"]), doc_id=doc_id, text=str(entry["text"]), start=int(entry["start"]), end=int(entry["end"]),
        section=_plain(entry.get("section")) or "article", author=_plain(entry.get("author")),
        comment_index=_plain(entry.get("comment_index")), quantities=quantities, sources=sources,
        evidence=_plain(entry.get("evidence")) or "unattributed",
        evidence_cues=cues if machine_said else [f"annotator:{status}"],
        hedged=bool(entry.get("hedged")), review=status, note=str(entry["note"]) if entry.get("note") else None,
    ))


def merged_claims(documents, reviews):
    records = []
    for document in documents:
        data = reviews.get(document["doc_id"])
        if data is None:
            continue
        records.extend(export_claim(entry, document["doc_id"]) for entry in data["claims"]
                       if entry.get("status") != "rejected" and not entry.get("stale"))
    return records


def validate_records(records, where):
    for n, record in enumerate(records, 1):
        errors = sorted(validator().iter_errors(record), key=lambda e: list(e.path))
        if errors:
            path = "/".join(map(str, errors[0].path))
            raise ValueError(f"{where}:{n}: record {record.get('id')} breaks the schema at {path or '(top)'}: {errors[0].message}")


def run(corpus, out, annotations, workspace=None):
    from ..workspace import Workspace

    ws = workspace or Workspace(out, annotations)
    out, records = ws.out, ws.claims
    validate_records(records, out / "claims.jsonl")
    write_jsonl(out / "claims.jsonl", records)
    rows = write_csv(out / "claims.csv", records, claim_links(out, ws.links))
    write_report(out / "report.html", ws.documents, records, ws.texts)
    print(f"export: {len(records)} claims -> {out / 'claims.jsonl'}, {rows} quantity rows -> {out / 'claims.csv'}, "
          f"{out / 'report.html'} (+ {out / 'report'}/)")
    return records
