"""make bench-quantities: our extractor vs quantulum3 on the peer suites and the sample corpus.

Peer suites are read from ../shared/benchmarks/ (never copied here). Each case
is scored only on the kinds in its `scope` that this project extracts;
matching is by span overlap (by text when the suite gives no offsets).
grobid_quantities (real paragraphs of papers and patents) is split by document
into a tuned half and a held-out half; its `dimension` items are our
`measurement`. The sample corpus is scored against our reviewed annotations,
and the real-register sentences of tests/cases/quantities_{tuned,heldout}.yml
are scored kind-matched with value accuracy. Also prints words/s of nlp.pipe
with and without the quantity components.

Items the annotation guide does not score are optional (neither a miss when
not found nor a false alarm when found): see `optional()`; `--strict` scores
every gold item of a scored kind and counts every unmatched prediction.
`--show` lists misses and false alarms (tuned half of grobid and of the licensed dose sentences only).

    bench/quantities.py [--suite NAME ...] [--limit N] [--half H] [--strict] [--show KIND]
                        [--no-quantulum] [--no-speed]
"""

import argparse
import json
import random
import os
import re
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

# ../shared beside the project (or beside a parent folder, for a git worktree); SHARED overrides
_BESIDE = next((p / "shared" for p in ROOT.parents if (p / "shared" / "benchmarks").is_dir()), ROOT.parent / "shared")
SHARED = Path(os.environ.get("SHARED", _BESIDE)) / "benchmarks"
SUITES = ("recognizers_text", "quantulum3", "grobid_quantities", "real_register", "licensed_doses", "sample")
KIND_MAP = {"grobid_quantities": {"dimension": "measurement"}}       # the suite's kind -> ours


def quantity_pipeline(with_components=True):
    nlp = number_friendly_tokenizer(spacy.load(settings.MODEL))
    if with_components:
        nlp.add_pipe("numbers")
        nlp.add_pipe("quantities")
    return nlp


def ours(nlp, texts):
    for text, doc in zip(texts, nlp.pipe(plain_spaces(t) for t in texts)):
        yield [{"start": q.start_char, "end": q.end_char, "text": text[q.start_char:q.end_char], "kind": q.label_,
                "value": q._.value} for q in doc.spans["quantities"]]


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


# What the guide ("Not scored") leaves out, as a suite annotates it: grobid's `age` items and its
# `other` items (calendar dates, years, clock times) are not quantities of any scored kind.
OPTIONAL_KINDS = {"age", "other"}
# A number in a span: digits, or a number word the guide counts ("a week" = 1 week, "a couple of
# days"); "few", "several", "many", "multi-" alone are vague quantifiers (guide: "Vague quantifiers").
NUMBER_IN_SPAN = re.compile(r"\d|[½⅓⅔¼¾⅛]|\b(an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                            r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|"
                            r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|half|"
                            r"couple|dozen|single|once|twice)\b", re.I)
VAGUE = re.compile(r"\b(few|several|many|some|multi|dozens|hundreds|thousands|numerous|various)\b", re.I)
# "every 6 hours", "each day", "per week": how often, a frequency in the guide, not a timeframe.
RECURRENCE = re.compile(r"\b(every|each|per)\s*$", re.I)
RECURRENCE_IN = re.compile(r"^(every|each|per)\b", re.I)


def optional(item, text=""):
    """Gold items the guide does not score: neither a miss if not found nor a false alarm if found."""
    if item.get("orig_kind", item["kind"]) in OPTIONAL_KINDS:
        return True                         # ages, calendar dates, clock times ("Not scored")
    text_ = item["text"]
    if not NUMBER_IN_SPAN.search(text_) and (VAGUE.search(text_) or (not re.search(r"[\s\-‐–]", text_.strip()) and item["kind"] != "frequency")):
        return True     # a vague quantifier ("multi-hour", "few decades", "a few-percent") or a unit alone
                        # ("percent", "decade"); "all day", "another week", "weekly" stay scored
    if item["kind"] == "timeframe":
        before = text[max(0, item["start"] - 12):item["start"]] if item.get("start") is not None else ""
        return bool(RECURRENCE.search(before) or RECURRENCE_IN.match(item["text"]))
    return False


def score_cases(cases, predictions, values=None, strict=False, show=None):
    """Counter of (kind, tp|fp|fn); with `values` (a Counter) also (kind, value_ok|value_scored).

    Unless `strict`, an optional gold item is neither a miss nor credit, a prediction that
    overlaps an optional item of any kind is no false alarm, and neither is a prediction that lies
    inside a gold item of its kind another prediction matched ("from 43 to 130 min" read as a
    change, two quantities by the guide, where the suite marks one range). `show` (a kind)
    prints misses and false alarms of that kind."""
    counts = Counter()
    for case, predicted in zip(cases, predictions):
        skipped = [] if strict else [g for g in case["expected"] if optional(g, case["text"])]
        for kind in set(case["scope"]) & set(KINDS):
            gold = [g for g in case["expected"] if g["kind"] == kind and (strict or not optional(g, case["text"]))]
            pred = [p for p in predicted if p["kind"] == kind]
            used = set()
            for g in gold:
                hit = next((n for n, p in enumerate(pred) if n not in used and matches(g, p)), None)
                if hit is None:
                    counts[(kind, "fn")] += 1
                    if show == kind:
                        print(f"MISS  {g['text']!r} ({g.get('orig_type', '')})  | {context(case['text'], g)}")
                else:
                    used.add(hit)
                    counts[(kind, "tp")] += 1
                    if values is not None and g.get("value") is not None:
                        values[(kind, "value_scored")] += 1
                        got = pred[hit].get("value")
                        values[(kind, "value_ok")] += got is not None and abs(got - g["value"]) <= 1e-3 * max(1, abs(g["value"]))
            matched = [g for g in gold if any(matches(g, pred[n]) for n in used)]
            for n, p in enumerate(pred):
                if n in used or any(matches(g, p) for g in skipped) or (not strict and any(inside(p, g) for g in matched)):
                    continue
                counts[(kind, "fp")] += 1
                if show == kind:
                    others = [g["text"] + "/" + g.get("orig_kind", g["kind"]) for g in case["expected"] if matches(g, p)]
                    print(f"FALSE {p['text']!r} gold here: {others}  | {context(case['text'], p)}")
    return counts


def inside(pred, gold):
    return gold.get("start") is not None and gold["start"] <= pred["start"] and pred["end"] <= gold["end"]


def context(text, item, width=70):
    if item.get("start") is None:
        return ""
    return (text[max(0, item["start"] - width):item["start"]] + "[[" + text[item["start"]:item["end"]] + "]]"
            + text[item["end"]:item["end"] + width]).replace("\n", " ")


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
    mapping = KIND_MAP.get(name, {})
    with open(path, encoding="utf-8") as fh:
        cases = [json.loads(line) for line in fh]
    for case in cases:
        case["scope"] = [mapping.get(k, k) for k in case["scope"]]
        for item in case["expected"]:
            item["orig_kind"] = item["kind"]
            item["kind"] = mapping.get(item["kind"], item["kind"])
    return cases


def document_halves(cases):
    """grobid_quantities split by document (seeded): tune on one half, report the other apart."""
    docs = sorted({c["doc"] for c in cases})
    random.Random(16).shuffle(docs)
    tuned = set(docs[:len(docs) // 2])
    return [c for c in cases if c["doc"] in tuned], [c for c in cases if c["doc"] not in tuned]


def real_register_cases(name, stem="quantities"):
    """tests/cases/{stem}_{tuned,heldout}.yml rows as cases (all kinds in scope); a row may end in its source
    and licence (the licensed dose sentences)."""
    from ruamel.yaml import YAML
    rows = YAML(typ="safe").load((ROOT / "tests" / "cases" / f"{stem}_{name}.yml").read_text(encoding="utf-8"))
    cases = []
    for register, text, expected, *_source in rows:
        items, after = [], {}
        for span, kind, value in expected:
            # the span as a whole word, after the same span's earlier item: the second "5 mg" of "reduced to
            # 35 mg … by a further 5 mg" is not inside "35 mg"
            found = re.compile(rf"(?<![\w.]){re.escape(span)}(?!\w)").search(text, after.get(span, 0))
            start = found.start() if found else -1
            after[span] = start + len(span) if found else 0
            items.append({"text": span, "start": start if start >= 0 else None,
                          "end": start + len(span) if start >= 0 else None, "kind": kind, "value": value})
        cases.append({"text": text, "expected": items, "scope": list(KINDS), "register": register})
    return cases


def dimension_fall(cases, predictions):
    """Where grobid's `dimension` items land among our kinds (or none)."""
    fall = Counter()
    for case, predicted in zip(cases, predictions):
        for g in case["expected"]:
            if g["orig_kind"] == "dimension":
                hit = next((p["kind"] for p in predicted if matches(g, p)), "(none)")
                fall[hit] += 1
    return fall


def value_line(values):
    scored = sum(v for (k, part), v in values.items() if part == "value_scored")
    ok = sum(v for (k, part), v in values.items() if part == "value_ok")
    per = ", ".join(f"{k} {values[(k, 'value_ok')]}/{values[(k, 'value_scored')]}"
                    for k in sorted({k for k, _ in values}) if values[(k, "value_scored")])
    print(f"value accuracy (matched spans with a gold value): {ok / scored if scored else 0:.3f} ({per})")


def table(title, ours_counts, theirs_counts=None):
    theirs_counts = theirs_counts if theirs_counts is not None else Counter()
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


def run(nlp, title, cases, args, values=None, show=None):
    texts = [c["text"] for c in cases]
    predicted = list(ours(nlp, texts))
    theirs = score_cases(cases, list(quantulum(texts)), strict=args.strict) if args.quantulum else None
    table(title, score_cases(cases, predicted, values, strict=args.strict, show=show), theirs)
    return texts, predicted


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=SUITES, help="only these suites (repeatable)")
    parser.add_argument("--limit", type=int, help="first N cases of each suite (grobid: of each half)")
    parser.add_argument("--half", choices=("tuned", "held-out", "both"), default="both",
                        help="which half of grobid_quantities and of the real-register sentences")
    parser.add_argument("--strict", action="store_true",
                        help="score every gold item and every prediction (no optional items)")
    parser.add_argument("--show", choices=KINDS, metavar="KIND",
                        help="print misses and false alarms of KIND (grobid tuned half only)")
    parser.add_argument("--no-quantulum", dest="quantulum", action="store_false", help="skip quantulum3")
    parser.add_argument("--no-speed", dest="speed", action="store_false", help="skip the words/s lines")
    args = parser.parse_args(argv)
    if args.show and args.half != "tuned":
        parser.error("--show needs --half tuned: the held-out half's failures are never looked at")
    suites = args.suite or SUITES
    cut = (lambda cases: cases[:args.limit]) if args.limit else (lambda cases: cases)
    nlp = quantity_pipeline()
    all_texts = []
    for name in ("recognizers_text", "quantulum3"):
        if name in suites:
            cases = cut(load_suite(name))
            all_texts += run(nlp, f"{name} ({len(cases)} cases; scored kinds: those in scope that we extract)",
                             cases, args)[0]
    if "grobid_quantities" in suites:
        for half, cases in zip(("tuned", "held-out"), document_halves(load_suite("grobid_quantities"))):
            if args.half not in (half, "both"):
                continue
            cases = cut(cases)
            values = Counter()
            texts, predicted = run(nlp, f"grobid_quantities, {half} documents ({len(cases)} paragraphs; "
                                        f"dimension scored as measurement; "
                                        f"{'strict' if args.strict else 'optional items left out'})",
                                   cases, args, values, show=args.show if half == "tuned" else None)
            value_line(values)
            fall = dimension_fall(cases, predicted)
            print("grobid dimension items fall into: " + ", ".join(f"{k} {v}" for k, v in fall.most_common()))
    for suite, stem, title, shown in (
            ("real_register", "quantities", "real-register sentences", False),
            ("licensed_doses", "doses_licensed", "licensed dose sentences (FDA labels, CDC, VOA, CC BY papers)", True)):
        if suite not in suites:
            continue
        for half in ("tuned", "heldout"):
            if args.half not in (half.replace("heldout", "held-out"), "both"):
                continue
            cases = cut(real_register_cases(half, stem))
            values = Counter()
            run(nlp, f"{title}, {half} half ({len(cases)} sentences, kind must match)", cases, args, values,
                show=args.show if shown and half == "tuned" else None)
            value_line(values)
    if "sample" in suites:
        cases = corpus_cases()
        all_texts += run(nlp, f"sample corpus ({len(cases)} reviewed claims, gold = annotations/)", cases, args)[0]
    if not args.speed or not all_texts:
        return
    words = sum(len(t.split()) for t in all_texts) * 3
    print("\nspeed on the same texts (x3), words/s:")
    for label, pipe in (("model only", quantity_pipeline(False)), ("model + numbers + quantities", nlp)):
        start = time.perf_counter()
        for _ in pipe.pipe(plain_spaces(t) for t in all_texts * 3):
            pass
        print(f"  {label:32}{words / (time.perf_counter() - start):>10,.0f}")
    if args.quantulum:
        start = time.perf_counter()
        for _ in quantulum(all_texts * 3):
            pass
        print(f"  {'quantulum3':32}{words / (time.perf_counter() - start):>10,.0f}")


if __name__ == "__main__":
    main()
