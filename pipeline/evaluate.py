"""make eval: score the current machine claims against the reviewed annotations.

Gold = every claim an annotator reviewed (confirmed, corrected, added; a
rejected claim is gold that the claim must NOT be produced). Only documents
whose file has at least one reviewed claim are scored. Matching is by span
overlap (claims with claims, quantities with quantities).
"""

import json
from collections import Counter

from .files import write_text
from .vocab import EVIDENCE as LABELS
from .vocab import GOLD_STATUSES as GOLD


def overlaps(a, b):
    return a["start"] is not None and b["start"] is not None and a["start"] < b["end"] and b["start"] < a["end"]


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "tp": tp, "fp": fp, "fn": fn}


def pair(gold, predicted):
    """Greedy one-to-one matching by overlap, in document order."""
    used, pairs = set(), []
    for g in gold:
        for n, p in enumerate(predicted):
            if n not in used and overlaps(g, p):
                used.add(n)
                pairs.append((g, p))
                break
    return pairs, len(gold) - len(pairs), len(predicted) - len(used)


def same_value(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-3 * max(1.0, abs(float(b)))


def source_found(gold_source, predicted_sources):
    for p in predicted_sources:
        if gold_source["start"] is None or p["start"] is None:
            if gold_source["type"] == p["type"] and str(gold_source["text"]).strip().lower() == str(p["text"]).strip().lower():
                return True
        elif overlaps(gold_source, p):
            return True
    return False


def score(documents, reviews, machine):
    gold_claims, rejected_hits = [], 0
    for document in documents:
        data = reviews.get(document["doc_id"])
        if not data or not any(c.get("status") in GOLD + ("rejected",) for c in data["claims"]):
            continue
        gold = [dict(c) for c in data["claims"] if c.get("status") in GOLD and not c.get("stale")]
        rejected = [dict(c) for c in data["claims"] if c.get("status") == "rejected"]
        predicted = [c for c in machine if c["doc_id"] == document["doc_id"]]
        gold_claims.append((gold, predicted))
        rejected_hits += sum(1 for r in rejected if any(p["id"] == r.get("id") for p in predicted))

    c_tp = c_fn = c_fp = 0
    q_tp = q_fn = q_fp = 0
    kind_ok = value_ok = q_pairs = 0
    confusion = Counter()
    src_total = src_found = 0
    by_kind = Counter()
    for gold, predicted in gold_claims:
        pairs, fn, fp = pair(gold, predicted)
        c_tp, c_fn, c_fp = c_tp + len(pairs), c_fn + fn, c_fp + fp
        for g, p in pairs:
            confusion[(g.get("evidence"), p["evidence"])] += 1
            for s in g.get("sources") or []:
                src_total += 1
                src_found += source_found(dict(s), p["sources"])
        gold_q = [dict(q) for g in gold for q in (g.get("quantities") or [])]
        pred_q = [q for p in predicted for q in p["quantities"]]
        qpairs, qfn, qfp = pair(gold_q, pred_q)
        q_tp, q_fn, q_fp = q_tp + len(qpairs), q_fn + qfn, q_fp + qfp
        for g, p in qpairs:
            q_pairs += 1
            kind_ok += g.get("kind") == p["kind"]
            value_ok += g.get("kind") == p["kind"] and same_value(g.get("value"), p["value"])
            by_kind[(g.get("kind"), "tp")] += 1
        matched_gold = {id(g) for g, _ in qpairs}
        for g in gold_q:
            if id(g) not in matched_gold:
                by_kind[(g.get("kind"), "fn")] += 1
        matched_pred = {id(p) for _, p in qpairs}
        for p in pred_q:
            if id(p) not in matched_pred:
                by_kind[(p["kind"], "fp")] += 1
    matched = sum(confusion.values())
    kinds = sorted({k for k, _ in by_kind})
    return {
        "documents": len(gold_claims),
        "claims": prf(c_tp, c_fp, c_fn),
        "rejected_claims_still_produced": rejected_hits,
        "quantities": prf(q_tp, q_fp, q_fn),
        "quantities_by_kind": {k: prf(by_kind[(k, "tp")], by_kind[(k, "fp")], by_kind[(k, "fn")]) for k in kinds},
        "kind_accuracy": round(kind_ok / q_pairs, 4) if q_pairs else 0.0,
        "value_accuracy": round(value_ok / q_pairs, 4) if q_pairs else 0.0,
        "evidence_accuracy": round(sum(v for (g, p), v in confusion.items() if g == p) / matched, 4) if matched else 0.0,
        "evidence_confusion": {g: {p: confusion[(g, p)] for p in LABELS} for g in LABELS},
        "source_recall": round(src_found / src_total, 4) if src_total else 0.0,
        "sources": {"gold": src_total, "found": src_found},
    }


def table(result):
    lines = [f"documents scored: {result['documents']}", "",
             f"{'':24}{'precision':>10}{'recall':>10}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
    rows = [("claims", result["claims"]), ("quantities (overlap)", result["quantities"])]
    rows += [(f"  {k}", v) for k, v in result["quantities_by_kind"].items()]
    for name, r in rows:
        lines.append(f"{name:24}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>8.3f}{r['tp']:>6}{r['fp']:>6}{r['fn']:>6}")
    lines += ["", f"kind accuracy {result['kind_accuracy']:.3f}   value accuracy {result['value_accuracy']:.3f}   "
              f"evidence accuracy {result['evidence_accuracy']:.3f}   source recall {result['source_recall']:.3f} "
              f"({result['sources']['found']}/{result['sources']['gold']})",
              f"rejected claims still produced: {result['rejected_claims_still_produced']}", "",
              "evidence confusion (rows gold, columns machine):",
              f"{'':16}" + "".join(f"{p:>15}" for p in LABELS)]
    for g in LABELS:
        lines.append(f"{g:16}" + "".join(f"{result['evidence_confusion'][g][p]:>15}" for p in LABELS))
    return "\n".join(lines)


def run(corpus, out, annotations, workspace=None):
    from .workspace import Workspace

    ws = workspace or Workspace(out, annotations)
    out = ws.out
    result = score(ws.documents, ws.reviews, ws.machine_claims)
    print(table(result))
    write_text(out / "eval.json", json.dumps(result, indent=2))
    return result
