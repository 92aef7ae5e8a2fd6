"""claims.csv: one row per quantity, for spreadsheets."""

import pandas as pd

from ..files import atomic_open

COLUMNS = ["doc_id", "claim_id", "link_id", "section", "author", "comment_index", "evidence", "hedged", "review",
           "quantity", "kind", "value", "low", "high", "unit", "qualifier", "change",
           "value_si", "unit_si", "start", "end", "sources", "sentence"]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell):
    """A text cell a spreadsheet would run as a formula gets a leading ' (OWASP's advice on CSV injection)."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def rows(records, link_ids):
    for claim in records:
        sources = "; ".join(f"{s['text']} ({s['type']}{', ' + s['role'] if s.get('role') else ''})"
                            for s in claim["sources"])
        for q in claim["quantities"]:
            yield {"doc_id": claim["doc_id"], "claim_id": claim["id"], "link_id": link_ids.get(claim["id"]),
                   "section": claim["section"],
                   "author": claim["author"], "comment_index": claim["comment_index"], "evidence": claim["evidence"],
                   "hedged": claim["hedged"], "review": claim["review"], "quantity": q["text"], "kind": q["kind"],
                   "value": q["value"], "low": q["low"], "high": q["high"], "unit": q["unit"],
                   "qualifier": q["qualifier"], "change": q.get("change"), "value_si": q.get("value_si"),
                   "unit_si": q.get("unit_si"), "start": q["start"], "end": q["end"], "sources": sources,
                   "sentence": " ".join(claim["text"].split())}


def write_csv(path, records, link_ids=None):
    """`link_ids`: {claim_id: id of its group in links.jsonl}; a claim in no group has an empty link_id."""
    frame = pd.DataFrame(list(rows(records, link_ids or {})), columns=COLUMNS)
    frame["comment_index"] = frame["comment_index"].astype("Int64")
    for name in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[name]):
            frame[name] = frame[name].map(spreadsheet_safe)
    with atomic_open(path) as fh:
        frame.to_csv(fh, index=False)
    return len(frame)
