"""make bench: throughput of the extract stage against the bare model, on a ~5 MB corpus.

Builds bench/out/corpus/ by repeating the sample documents with varied text
(numbers changed, paragraphs shuffled), then measures in one run:
  (a) the bare spaCy model's nlp.pipe on the whole text,
  (b) the full ingest + extract stages,
  (c) b/a,  (d) quantulum3 on the same text,  (e) JOBS=2 vs JOBS=1,
  and peak memory of each stage (as a separate process).
BENCH_MB sets the corpus size (default 5).
"""

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CORPUS = OUT / "corpus"
MB = float(os.environ.get("BENCH_MB", "5"))


def build_corpus():
    rng = random.Random(7)
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    CORPUS.mkdir(parents=True)
    samples = sorted((ROOT / "corpus").glob("*.txt"))
    size, n = 0, 0
    while size < MB * 1_000_000:
        src = samples[n % len(samples)].read_text(encoding="utf-8")
        head, _, tail = src.partition("\n\n")
        paragraphs = tail.split("\n\n")
        middle = paragraphs[1:-8]
        rng.shuffle(middle)
        body = "\n\n".join(paragraphs[:1] + middle + paragraphs[-8:])
        body = re.sub(r"\b\d{1,3}\b", lambda m: str(rng.randint(2, 99)), body)
        text = f"{head} (copy {n})\n\n{body}"
        (CORPUS / f"bench_{n:05d}.txt").write_text(text, encoding="utf-8")
        size += len(text.encode())
        n += 1
    return n, size


def words_of(texts):
    return sum(len(t.split()) for t in texts)


def child(code, *args):
    """Run code in a fresh process; returns (seconds, peak RSS MB)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(result.stderr)
    peak = json.loads(result.stdout.strip().splitlines()[-1])["peak_mb"]
    return seconds, peak


PEAK = "import resource, json; print(json.dumps({'peak_mb': max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024}))"

BARE = f"""
import sys, warnings; warnings.filterwarnings('ignore')
from pathlib import Path
import spacy
from pipeline import settings
from pipeline.nlp import plain_spaces
nlp = spacy.load(settings.MODEL)
texts = [p.read_text(encoding='utf-8') for p in sorted(Path(sys.argv[1]).glob('*.txt'))]
for _ in nlp.pipe((plain_spaces(t) for t in texts), batch_size=8):
    pass
{PEAK}
"""

EXTRACT = f"""
import sys, warnings; warnings.filterwarnings('ignore')
from pipeline import ingest, extract
ingest.run(sys.argv[1], sys.argv[2])
extract.run(sys.argv[1], sys.argv[2], jobs=int(sys.argv[3]))
{PEAK}
"""

QUANTULUM = f"""
import sys, warnings; warnings.filterwarnings('ignore')
from pathlib import Path
import quantulum3.classifier
quantulum3.classifier.USE_CLF = False
from quantulum3 import parser
texts = [p.read_text(encoding='utf-8') for p in sorted(Path(sys.argv[1]).glob('*.txt'))][: int(sys.argv[2])]
for t in texts:
    for para in t.split('\\n\\n'):
        try:
            parser.parse(para)
        except Exception:
            pass
{PEAK}
"""


def main():
    docs, size = build_corpus()
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    words = words_of(texts)
    print(f"corpus: {docs} documents, {size / 1e6:.1f} MB, {words:,} words")
    bare_s, bare_mb = child(BARE, str(CORPUS))
    rows = [("(a) bare model nlp.pipe, all text", words / bare_s, bare_s, bare_mb)]
    results = {}
    for jobs in (1, 2):
        out = OUT / f"run_jobs{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        seconds, peak = child(EXTRACT, str(CORPUS), str(out), str(jobs))
        results[jobs] = seconds
        rows.append((f"(b) ingest + extract, JOBS={jobs}", words / seconds, seconds, peak))
    sample = max(1, docs // 20)
    q_words = words_of(texts[:sample])
    q_s, q_mb = child(QUANTULUM, str(CORPUS), str(sample))
    rows.append((f"(d) quantulum3 ({sample} documents)", q_words / q_s, q_s, q_mb))
    print(f"\n{'':40}{'words/s':>10}{'seconds':>10}{'peak MB':>10}")
    for name, wps, seconds, peak in rows:
        print(f"{name:40}{wps:>10,.0f}{seconds:>10.1f}{peak:>10.0f}")
    print(f"\n(c) extract / bare model throughput: {(words / results[1]) / (words / bare_s):.2f}x  (target >= 0.80)")
    print(f"(e) JOBS=2 vs JOBS=1: {results[1] / results[2]:.2f}x  (target >= 1.6 on 2 cores)")
    rerun = OUT / "run_jobs1"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "nlp", "--out", str(rerun)], cwd=ROOT, capture_output=True, check=True)
    print(f"re-run on the unchanged corpus (cache): {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
