"""make bench: throughput of the extract stage against the bare model, on a ~5 MB corpus.

Builds bench/out/corpus/ by repeating the sample documents with varied text
(numbers changed, paragraphs shuffled), then measures in one run:
  (a) the bare spaCy model's nlp.pipe on the whole text,
  (b) the full ingest + extract stages,
  (c) b/a,  (d) quantulum3 on the same text,  (e) JOBS=2 vs JOBS=1,
  peak memory of each stage (a separate process, its workers included), and
  what running the model on every paragraph would cost and change,
  a per-stage table of `make extract` (each stage as the CLI runs it) and the
  profile's top entries for the extract stage, so the next bottleneck shows.
BENCH_MB sets the corpus size (default 5); BENCH_PROFILE_DOCS the documents profiled (default 20).
It also prints the rules pass alone (the rules pipeline on every article/comment
segment, as the extract stage runs it) in words per CPU second, target >= 20,000.
BENCH_ONLY=rules builds the corpus and prints only that line (a minute, not ten).
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

import psutil

from pipeline.nlp.stage import all_paragraphs
from pipeline.files import read_jsonl
from pipeline.ingest.reader import document_texts

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
    """Run code in a fresh process; (seconds, peak MB of the process and its workers together).

    Memory is the proportional set size (PSS) summed over the process tree,
    sampled every 0.2 s, so pages the forked workers share with their parent
    are counted once.
    """
    seconds, peak, _ = watched(code, *args)
    return seconds, peak


def watched(code, *args):
    """As child(), plus {pid: (command line, peak PSS MB)} of every process of the tree."""
    log = OUT / "child.log"
    start = time.perf_counter()
    each = {}
    with log.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, stdout=fh, stderr=fh)
        parent, peak = psutil.Process(proc.pid), 0
        while proc.poll() is None:
            total = 0
            for p in [parent] + parent.children(recursive=True):
                try:
                    pss = p.memory_full_info().pss
                    each[p.pid] = (" ".join(p.cmdline()), max(pss, each.get(p.pid, ("", 0))[1]))
                    total += pss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            peak = max(peak, total)
            time.sleep(0.2)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(log.read_text())
    return seconds, peak / 2**20, {pid: (cmd, pss / 2**20) for pid, (cmd, pss) in each.items()}


PRELUDE = """
import sys, warnings; warnings.filterwarnings('ignore')
from pathlib import Path
"""

BARE = PRELUDE + """
import spacy
from pipeline import settings
from pipeline.nlp import plain_spaces
nlp = spacy.load(settings.MODEL)
texts = [p.read_text(encoding='utf-8') for p in sorted(Path(sys.argv[1]).glob('*.txt'))]
for _ in nlp.pipe((plain_spaces(t) for t in texts), batch_size=8):
    pass
"""

EXTRACT = PRELUDE + """
from pipeline import ingest
from pipeline.nlp import stage
ingest.run(sys.argv[1], sys.argv[2])
stage.run(sys.argv[1], sys.argv[2], jobs=int(sys.argv[3]))
"""

# The bare model on only the paragraphs the extract stage gives it (chosen by the rules pass, not timed):
# with the claims unchanged the model must read these, so this bounds what (c) can reach.
BARE_SELECTED = PRELUDE + """
import time
import spacy
from pipeline import settings
from pipeline.files import read_jsonl
from pipeline.ingest.reader import document_texts
from pipeline.nlp import plain_spaces
from pipeline.nlp.stage import MODEL_BATCH, plan
documents = read_jsonl(Path(sys.argv[1]) / 'documents.jsonl')
texts = document_texts(documents)
began = time.perf_counter()
chosen = [plain_spaces(texts[c['doc_id']][s:e]) for s, e, c in plan(documents, texts)]
planning = time.perf_counter() - began
nlp = spacy.load(settings.MODEL)
for _ in nlp.pipe(chosen, batch_size=MODEL_BATCH):
    pass
print(f"planning-seconds: {planning}", flush=True)
"""

# The model on every article/comment paragraph: what selecting paragraphs saves, and whether it changes a claim.
EVERY_PARAGRAPH = PRELUDE + """
from pipeline import ingest
from pipeline.nlp.stage import extract_documents
from pipeline.files import read_jsonl, write_jsonl
ingest.run(sys.argv[1], sys.argv[2])
documents = read_jsonl(Path(sys.argv[2]) / 'documents.jsonl')
claims = extract_documents(documents, every_paragraph=True)
write_jsonl(Path(sys.argv[2]) / 'machine_claims.jsonl', [c for d in documents for c in claims[d['doc_id']]])
"""

QUANTULUM = PRELUDE + """
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
"""


def model_share(out):
    """Words the trained model reads when paragraphs are selected, and when it reads every paragraph."""
    documents = read_jsonl(out / "documents.jsonl")
    texts = document_texts(documents)
    counted = [(len(texts[c["doc_id"]][s:e].split()), has_quantity)
               for s, e, c, has_quantity in all_paragraphs(documents, texts)]
    return sum(n for n, has_quantity in counted if has_quantity), sum(n for n, _ in counted)


# What `make extract` runs, process by process (Makefile): link and export share one process and one
# Workspace, so the annotation files are read once, by link, the first to ask for them.
PROCESSES = (("ingest",), ("nlp",), ("review",), ("link", "export"))


def stage_table(out, annotations):
    """Seconds and share of each stage of `make extract`, run as its recipes run them (cache cleared first).

    A process of two stages reports each one's seconds (PIPELINE_STAGE_TIMES); its start-up (Python,
    imports) is counted in its first stage, as a process of one stage counts its own.
    """
    shutil.rmtree(out / "cache", ignore_errors=True)
    shutil.rmtree(annotations, ignore_errors=True)
    timings = []
    for stages in PROCESSES:
        args = [sys.executable, "-m", "pipeline", *stages, "--corpus", str(CORPUS), "--out", str(out)]
        if stages[0] in ("review", "link"):
            args += ["--annotations", str(annotations)]
        if stages == ("nlp",):
            args += ["--jobs", "1"]
        start = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True,
                              env={**os.environ, "PIPELINE_STAGE_TIMES": "1"})
        wall = time.perf_counter() - start
        own = dict(line.split()[1:] for line in done.stderr.splitlines() if line.startswith("stage-time: "))
        later = sum(float(own[s]) for s in stages[1:])
        timings += [(stages[0], wall - later)] + [(s, float(own[s])) for s in stages[1:]]
    total = sum(s for _, s in timings)
    print(f"\n{'stage':12}{'seconds':>10}{'share':>8}   (link and export in one process, as make extract runs them)")
    for stage, seconds in timings:
        print(f"{stage:12}{seconds:>10.1f}{seconds / total:>8.0%}")
    print(f"{'total':12}{total:>10.1f}")
    shares = dict(timings)
    print(f"review + export: {(shares['review'] + shares['export']) / total:.1%} of the run (target <= 10%, issue 15)")


PROFILE = PRELUDE + """
import cProfile, pstats
from pipeline.nlp.stage import extract_documents
from pipeline.files import read_jsonl
documents = read_jsonl(Path(sys.argv[1]) / 'documents.jsonl')[: int(sys.argv[2])]
extract_documents(documents[:1], progress=False)          # load the pipelines outside the profile
profile = cProfile.Profile()
profile.runcall(extract_documents, documents, progress=False)
pstats.Stats(profile).sort_stats('tottime').print_stats(15)
"""


def profile_top(out):
    docs = os.environ.get("BENCH_PROFILE_DOCS", "20")
    result = subprocess.run([sys.executable, "-c", PROFILE, str(out), docs], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    lines = result.stdout.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    print(f"\nextract stage profile, {docs} documents, top entries by own time:")
    print("\n".join(lines[start:start + 16]))


RULES_PASS = PRELUDE + """
import time
from pipeline import ingest
from pipeline.nlp.stage import PROCESSED, RULES_BATCH, pieces
from pipeline.files import read_jsonl
from pipeline.ingest.reader import document_texts
from pipeline.nlp import plain_spaces, rules_pipeline
ingest.run(sys.argv[1], sys.argv[2])
documents = read_jsonl(Path(sys.argv[2]) / 'documents.jsonl')
texts = document_texts(documents)
segments = [plain_spaces(texts[r['doc_id']][a:b]) for r in documents for s in r['segments'] if s['kind'] in PROCESSED
            for a, b in pieces(texts[r['doc_id']], s['start'], s['end'])]
nlp = rules_pipeline()
list(nlp.pipe(segments[:5]))                    # load the lazy parts outside the measurement
start = time.process_time()
for _ in nlp.pipe(segments, batch_size=RULES_BATCH):
    pass
print(sum(len(t.split()) for t in segments), time.process_time() - start)
"""


def rules_pass():
    """Words per CPU second of the rules pipeline alone, on the segments the extract stage gives it."""
    out = OUT / "run_rules"
    shutil.rmtree(out, ignore_errors=True)
    result = subprocess.run([sys.executable, "-c", RULES_PASS, str(CORPUS), str(out)], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    words, cpu = result.stdout.split()[-2:]
    words, cpu = int(words), float(cpu)
    print(f"rules pass (rules pipeline on every article/comment segment): {words:,} words, {cpu:.1f} s CPU, "
          f"{words / cpu:,.0f} words/s CPU (target >= 20,000)", flush=True)
    return cpu


def ceiling(bare_s, rules_cpu, out):
    """The most (c) can be with these claims: bare time / (the bare model on the chosen paragraphs + the
    rules pass that chooses them), every other cost of the stage taken as nothing. Rough at the edges:
    the child also imports the stage and reads documents.jsonl (counted), loads the rules pipeline inside
    the planning (not counted), and batches as the stage does (MODEL_BATCH, where (a) uses 8)."""
    seconds, _, _ = watched(BARE_SELECTED, str(out))
    planning = float(re.findall(r"^planning-seconds: (\S+)$", (OUT / "child.log").read_text(), re.M)[-1])
    model = seconds - planning
    print(f"    ceiling of (c) with these claims: the bare model on the chosen paragraphs alone {model:.1f} s "
          f"(process start and model load included, as in (a)) + the rules pass {rules_cpu:.1f} s CPU: "
          f"{bare_s / (model + rules_cpu):.2f}x")


# The attribution components' CPU inside the extract stage, run as the stage runs it (issue 17: the new
# components cost at most 10% of extract throughput). Each is timed per doc: nlp.pipe calls a component
# without a `pipe` method doc by doc, so no other component's time lands in its clock.
COMPONENT_COST = PRELUDE + """
import json, time
from pipeline.nlp import full_pipeline
from pipeline.nlp.stage import extract_documents
from pipeline.files import read_jsonl
documents = read_jsonl(Path(sys.argv[1]) / 'documents.jsonl')[: int(sys.argv[2])]
extract_documents(documents[:1], progress=False)          # load the pipelines outside the measurement
nlp, cpu = full_pipeline(), {}

class Timed:
    def __init__(self, name, proc):
        self.name, self.proc = name, proc
    def __call__(self, doc):
        began = time.process_time()
        doc = self.proc(doc)
        cpu[self.name] = cpu.get(self.name, 0.0) + time.process_time() - began
        return doc

nlp._components = [(n, Timed(n, p) if n in sys.argv[3].split(',') else p) for n, p in nlp._components]
began = time.process_time()
extract_documents(documents, progress=False)
print(json.dumps({'total': time.process_time() - began, **cpu}))
"""
NEW_SOURCE_COMPONENTS = ("attribution", "carryover")              # added by issue 17
OLDER_SOURCE_COMPONENTS = ("source_ruler", "sources", "evidence_label")
COST_TARGET = 0.10


def component_cost(out):
    """Share of the extract stage's CPU spent in the attribution components, on BENCH_COST_DOCS documents."""
    docs = os.environ.get("BENCH_COST_DOCS", "200")
    names = NEW_SOURCE_COMPONENTS + OLDER_SOURCE_COMPONENTS
    result = subprocess.run([sys.executable, "-c", COMPONENT_COST, str(out), docs, ",".join(names)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    cpu = json.loads(result.stdout.splitlines()[-1])
    new, older = sum(cpu.get(n, 0) for n in NEW_SOURCE_COMPONENTS), sum(cpu.get(n, 0) for n in OLDER_SOURCE_COMPONENTS)
    print(f"\n(f) attribution components in the extract stage ({docs} documents, JOBS=1, {cpu['total']:.1f} s CPU):")
    for name in names:
        print(f"    {name:16}{cpu.get(name, 0):>7.2f} s  {cpu.get(name, 0) / cpu['total']:>6.1%}")
    share = new / cpu["total"]
    print(f"    new ({' + '.join(NEW_SOURCE_COMPONENTS)}): {share:.1%} of the extract stage's CPU "
          f"(target <= {COST_TARGET:.0%}: {'met' if share <= COST_TARGET else 'NOT met'}); "
          f"with the older source components: {(new + older) / cpu['total']:.1%}")


def main():
    docs, size = build_corpus()
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    words = words_of(texts)
    print(f"corpus: {docs} documents, {size / 1e6:.1f} MB, {words:,} words", flush=True)
    rules_cpu = rules_pass()
    if os.environ.get("BENCH_ONLY") == "rules":
        return
    bare_s, bare_mb = child(BARE, str(CORPUS))
    rows = [("(a) bare model nlp.pipe, all text", words / bare_s, bare_s, bare_mb)]
    results = {}
    for jobs in (1, 2):
        out = OUT / f"run_jobs{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        seconds, peak = child(EXTRACT, str(CORPUS), str(out), str(jobs))
        results[jobs] = seconds
        rows.append((f"(b) ingest + extract, JOBS={jobs}", words / seconds, seconds, peak))
    every_s, every_mb = child(EVERY_PARAGRAPH, str(CORPUS), str(OUT / "run_every"))
    every_claims = read_jsonl(OUT / "run_every" / "machine_claims.jsonl")
    rows.append(("    same, model on every paragraph", words / every_s, every_s, every_mb))
    sample = max(1, docs // 20)
    q_words = words_of(texts[:sample])
    q_s, q_mb = child(QUANTULUM, str(CORPUS), str(sample))
    rows.append((f"(d) quantulum3 ({sample} documents)", q_words / q_s, q_s, q_mb))
    print(f"\n{'':40}{'words/s':>10}{'seconds':>10}{'peak MB':>10}")
    for name, wps, seconds, peak in rows:
        print(f"{name:40}{wps:>10,.0f}{seconds:>10.1f}{peak:>10.0f}")
    print("(peak MB: proportional set size of the process and its workers together)")
    print(f"\n(c) extract / bare model throughput: {(words / results[1]) / (words / bare_s):.2f}x  "
          "(targets: >= 1.5 issue 16, >= 3.0 issue 15)")
    ceiling(bare_s, rules_cpu, OUT / "run_jobs1")
    print(f"(e) JOBS=2 vs JOBS=1: {results[1] / results[2]:.2f}x  (target >= 1.85 on 2 cores, issue 15)")
    selected, every = model_share(OUT / "run_jobs1")
    selected_claims = read_jsonl(OUT / "run_jobs1" / "machine_claims.jsonl")
    print(f"model reads {selected:,} of {words:,} words ({selected / words:.0%}); on every paragraph it would read "
          f"{every:,} ({every / words:.0%}), {every_s / results[1]:.1f}x the time, and the claims are "
          f"{'identical' if every_claims == selected_claims else 'DIFFERENT'} "
          f"({len(selected_claims):,} vs {len(every_claims):,})")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "nlp", "--out", str(OUT / "run_jobs1")], cwd=ROOT,
                   capture_output=True, check=True)
    print(f"re-run on the unchanged corpus (cache): {time.perf_counter() - start:.1f} s")
    stage_table(OUT / "run_stages", OUT / "run_stages_annotations")
    profile_top(OUT / "run_jobs1")
    component_cost(OUT / "run_jobs1")


if __name__ == "__main__":
    main()
