"""claims.csv: one row per quantity, for spreadsheets."""

import pandas as pd

from ..files import atomic_open

COLUMNS = ["doc_id", "claim_id", "section", "author", "comment_index", "evidence", "hedged", "review",
           "quantity", "kind", "value", "low", "high", "unit", "qualifier", "change",
           "value_si", "unit_si", "start", "end", "sources", "sentence"]


def rows(records):
    for claim in records:
        sources = "; ".join(f"{s['text']} ({s['type']})" for s in claim["sources"])
        for q in claim["quantities"]:
            yield {"doc_id": claim["doc_id"], "claim_id": claim["id"], "section": claim["section"],
                   "author": claim["author"], "comment_index": claim["comment_index"], "evidence": claim["evidence"],
                   "hedged": claim["hedged"], "review": claim["review"], "quantity": q["text"], "kind": q["kind"],
                   "value": q["value"], "low": q["low"], "high": q["high"], "unit": q["unit"],
                   "qualifier": q["qualifier"], "change": q.get("change"), "value_si": q.get("value_si"),
                   "unit_si": q.get("unit_si"), "start": q["start"], "end": q["end"], "sources": sources,
                   "sentence": " ".join(claim["text"].split())}


def write_csv(path, records):
    frame = pd.DataFrame(list(rows(records)), columns=COLUMNS)
    frame["comment_index"] = frame["comment_index"].astype("Int64")
    with atomic_open(path) as fh:
        frame.to_csv(fh, index=False)
    return len(frame)
