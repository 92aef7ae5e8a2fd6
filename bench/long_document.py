"""make bench-long: one long prose document through the whole extract (ingest, nlp, review, link, export).

Builds bench/out/long/corpus/long.txt (LONG_MB megabytes, default 20) from the
sample articles' paragraphs, shuffled and with their numbers varied, then runs
the stages as `make extract` runs them, one process each (ingest; nlp; review;
link + export), and reports each one's seconds and peak memory (PSS of the
process and its workers, as `make bench` measures it). The run's peak is the
largest of them. Target: < 1 GB.
"""

import json
import os
import random
import re
import shutil
import sys
from pathlib import Path

from speed import OUT, ROOT, child

from pipeline.ingest.segment import segment

MB = float(os.environ.get("LONG_MB", "20"))
BASE = OUT / "long"

# The Makefile's recipes, one process each: (label, CLI stage words, whether it reads annotations, extra arguments).
STAGES = (("ingest", ["ingest"], False, []), ("nlp", ["nlp"], False, ["--jobs", "1"]),
          ("review", ["review"], True, []), ("link + export", ["link", "export"], True, []))
STAGE = """
import sys
from pipeline.__main__ import main
raise SystemExit(main(sys.argv[1:]))
"""


def build_document():
    rng = random.Random(11)
    paragraphs = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):          # article prose only: no comments, no references
        text = path.read_text(encoding="utf-8")
        for seg in segment(text)[0]:
            if seg["kind"] == "article":
                paragraphs += [p.strip() for p in text[seg["start"]:seg["end"]].split("\n\n") if len(p.strip()) > 200]
    parts, size = ["A long report on treatments, assembled for the bench"], 0
    while size < MB * 1_000_000:
        paragraph = re.sub(r"\b\d{1,3}\b", lambda m: str(rng.randint(2, 99)), rng.choice(paragraphs))
        parts.append(paragraph)
        size += len(paragraph.encode()) + 2
    if BASE.exists():
        shutil.rmtree(BASE)
    (BASE / "corpus").mkdir(parents=True)
    text = "\n\n".join(parts) + "\n"
    (BASE / "corpus" / "long.txt").write_text(text, encoding="utf-8")
    return len(text.encode()), len(text.split())


def main():
    size, words = build_document()
    print(f"document: {size / 1e6:.1f} MB, {words:,} words")
    seconds, peak, stages = 0.0, 0.0, {}
    for label, stage, annotated, extra in STAGES:
        args = stage + ["--corpus", str(BASE / "corpus"), "--out", str(BASE / "out")] + extra
        args += ["--annotations", str(BASE / "ann")] if annotated else []
        spent, most = child(STAGE, *args)
        print(f"  {label:<14} {spent:8.1f} s  peak {most:6.0f} MB", flush=True)
        stages[label] = {"seconds": round(spent, 1), "peak_mb": round(most)}
        seconds, peak = seconds + spent, max(peak, most)
    claims = sum(1 for _ in (BASE / "out" / "claims.jsonl").open(encoding="utf-8"))
    result = {"mb": round(size / 1e6, 1), "words": words, "seconds": round(seconds, 1), "peak_mb": round(peak),
              "claims": claims, "target_peak_mb": 1024, "stages": stages}
    print(json.dumps(result))
    print(f"ingest + nlp + review + link + export: {seconds:.1f} s, peak {peak:.0f} MB "
          f"({'under' if peak < 1024 else 'OVER'} the 1 GB target), {claims:,} claims")
    return 0 if peak < 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
