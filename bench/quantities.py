"""make bench-quantities: our extractor vs quantulum3 on the peer suites and the sample corpus.

Peer suites are read from ../shared/benchmarks/ (never copied here). Each case
is scored only on the kinds in its `scope` that this project extracts;
matching is by span overlap (by text when the suite gives no offsets).
The sample corpus is scored against our reviewed annotations.
Also prints words/s of nlp.pipe with and without the quantity components.
"""

import json
import os
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from pipeline import settings  # noqa: E402
from pipeline.evaluate import prf  # noqa: E402
from pipeline.nlp import number_friendly_tokenizer, plain_spaces  # noqa: E402
from pipeline.vocab import KINDS  # noqa: E402

SHARED = Path(os.environ.get("SHARED", ROOT.parent / "shared")) / "benchmarks"
SUITES = ("recognizers_text", "quantulum3")


def quantity_pipeline(with_components=True):
    nlp = number_friendly_tokenizer(spacy.load(settings.MODEL))
    if with_components:
        nlp.add_pipe("numbers")
        nlp.add_pipe("quantities")
    return nlp


def ours(nlp, texts):
    for text, doc in zip(texts, nlp.pipe(plain_spaces(t) for t in texts)):
        yield [{"start": q.start_char, "end": q.end_char, "text": text[q.start_char:q.end_char], "kind": q.label_}
               for q in doc.spans["quantities"]]


def quantulum_kind(q):
    entity, unit = q.unit.entity.name, q.unit.name
    if unit == "percentage":
        return "percentage"
    if entity == "currency":
        return "money"
    if entity == "time":
        return "timeframe"
    if "per" in unit and entity in ("frequency", "unknown", "dimensionless"):
        return "frequency"
    if entity in ("mass", "volume"):
        return "dose"
    if entity == "dimensionless" and unit == "dimensionless":
        return "count"
    return None


def quantulum(texts):
    import quantulum3.classifier
    quantulum3.classifier.USE_CLF = False
    from quantulum3 import parser
    for text in texts:
        found = []
        try:
            parsed = parser.parse(text)
        except Exception:            # quantulum raises on some inputs; count as no output
            parsed = []
        for q in parsed:
            kind = quantulum_kind(q)
            if kind:
                found.append({"start": q.span[0], "end": q.span[1], "text": q.surface, "kind": kind})
        yield found


def matches(gold, pred):
    if gold.get("start") is None:
        return gold["text"] in pred["text"] or pred["text"] in gold["text"]
    return gold["start"] < pred["end"] and pred["start"] < gold["end"]


def score_cases(cases, predictions):
    counts = Counter()
    for case, predicted in zip(cases, predictions):
        for kind in set(case["scope"]) & set(KINDS):
            gold = [g for g in case["expected"] if g["kind"] == kind]
            pred = [p for p in predicted if p["kind"] == kind]
            used = set()
            for g in gold:
                hit = next((n for n, p in enumerate(pred) if n not in used and matches(g, p)), None)
                if hit is None:
                    counts[(kind, "fn")] += 1
                else:
                    used.add(hit)
                    counts[(kind, "tp")] += 1
            counts[(kind, "fp")] += len(pred) - len(used)
    return counts


def corpus_cases():
    """Sample corpus: each reviewed claim sentence is a case, its quantities the gold, all kinds in scope."""
    from pipeline.review.yamlio import load_file
    cases = []
    for path in sorted((ROOT / "annotations").glob("*.yaml")):
        for claim in load_file(path)["claims"]:
            if claim.get("status") in ("confirmed", "corrected", "added") and not claim.get("stale"):
                base = claim["start"]
                expected = [{"start": q["start"] - base if q.get("start") is not None else None,
                             "end": q["end"] - base if q.get("end") is not None else None,
                             "text": q["text"], "kind": q["kind"]} for q in claim.get("quantities") or []]
                cases.append({"text": claim["text"], "expected": expected, "scope": list(KINDS)})
    return cases


def load_suite(name):
    path = SHARED / name / "cases.jsonl"
    if not path.exists():
        raise SystemExit(f"error: {path} not found: the peer suites are read from ../shared/benchmarks "
                         f"beside the project (set SHARED=/path/to/shared)")
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def table(title, ours_counts, theirs_counts):
    print(f"\n{title}")
    print(f"{'kind':12}{'ours P':>8}{'R':>7}{'F1':>7}   {'quantulum3 P':>13}{'R':>7}{'F1':>7}   gold")
    kinds = sorted({k for k, _ in ours_counts} | {k for k, _ in theirs_counts})
    total_o, total_t = Counter(), Counter()
    for kind in kinds:
        o = prf(ours_counts[(kind, "tp")], ours_counts[(kind, "fp")], ours_counts[(kind, "fn")])
        t = prf(theirs_counts[(kind, "tp")], theirs_counts[(kind, "fp")], theirs_counts[(kind, "fn")])
        for part in ("tp", "fp", "fn"):
            total_o[part] += ours_counts[(kind, part)]
            total_t[part] += theirs_counts[(kind, part)]
        gold = ours_counts[(kind, "tp")] + ours_counts[(kind, "fn")]
        print(f"{kind:12}{o['precision']:>8.3f}{o['recall']:>7.3f}{o['f1']:>7.3f}   "
              f"{t['precision']:>13.3f}{t['recall']:>7.3f}{t['f1']:>7.3f}   {gold}")
    o, t = prf(total_o["tp"], total_o["fp"], total_o["fn"]), prf(total_t["tp"], total_t["fp"], total_t["fn"])
    print(f"{'all':12}{o['precision']:>8.3f}{o['recall']:>7.3f}{o['f1']:>7.3f}   "
          f"{t['precision']:>13.3f}{t['recall']:>7.3f}{t['f1']:>7.3f}   {total_o['tp'] + total_o['fn']}")


def main():
    nlp = quantity_pipeline()
    all_texts = []
    for name in SUITES:
        cases = load_suite(name)
        texts = [c["text"] for c in cases]
        all_texts += texts
        table(f"{name} ({len(cases)} cases; scored kinds: those in scope that we extract)",
              score_cases(cases, list(ours(nlp, texts))), score_cases(cases, list(quantulum(texts))))
    cases = corpus_cases()
    texts = [c["text"] for c in cases]
    all_texts += texts
    table(f"sample corpus ({len(cases)} reviewed claims, gold = annotations/)",
          score_cases(cases, list(ours(nlp, texts))), score_cases(cases, list(quantulum(texts))))

    words = sum(len(t.split()) for t in all_texts) * 3
    print("\nspeed on the same texts (x3), words/s:")
    for label, pipe in (("model only", quantity_pipeline(False)), ("model + numbers + quantities", nlp)):
        start = time.perf_counter()
        for _ in pipe.pipe(plain_spaces(t) for t in all_texts * 3):
            pass
        print(f"  {label:32}{words / (time.perf_counter() - start):>10,.0f}")
    start = time.perf_counter()
    for _ in quantulum(all_texts * 3):
        pass
    print(f"  {'quantulum3':32}{words / (time.perf_counter() - start):>10,.0f}")


if __name__ == "__main__":
    main()
