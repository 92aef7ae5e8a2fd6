"""Command line: one sub-command per stage (python -m pipeline STAGE --help).

The stages after nlp chain in one process, in their order, sharing what they
read (pipeline/workspace.py): python -m pipeline review link export --out OUT --annotations ANN.
"""

import argparse
import os
import sys
import time

from .errors import InputError


def _jobs(value):
    """--jobs: a whole number >= 1, or 'auto' for one process per CPU this run may use."""
    if value == "auto":
        return len(os.sched_getaffinity(0))
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise argparse.ArgumentTypeError(f"{value!r} is neither a whole number >= 1 nor 'auto'")


def _scheduler(value):
    """--scheduler: 'local' (a Dask LocalCluster of --jobs processes) or a Dask scheduler address."""
    if value == "local" or "://" in value:
        return value
    raise argparse.ArgumentTypeError(f"{value!r} is neither 'local' nor a Dask scheduler address such as tcp://host:8786")


CHAINED = ("review", "link", "export", "eval")      # stages that run one after another on one Workspace
STAGE_TIMES_ENV = "PIPELINE_STAGE_TIMES"            # set: each chained stage's seconds on stderr (make bench)


def _chain(argv):
    """(stages, argv for the first of them): `review link export --out ...` -> the three, `review --out ...`."""
    n = 0
    while n < len(argv) and argv[n] in CHAINED:
        n += 1
    stages = argv[:n]
    if [CHAINED.index(s) for s in stages] != sorted({CHAINED.index(s) for s in stages}):
        raise ValueError(f"chained stages run once each, in the order {' '.join(CHAINED)} (not {' '.join(stages)})")
    return stages, (argv[:1] + argv[n:]) if stages else argv


def _common(p, annotations=False):
    p.add_argument("--corpus", default="corpus",
                   help="folder of .txt / .html documents, or a .jsonl / .parquet file or a folder of .parquet files "
                        "(default: corpus)")
    p.add_argument("--out", default="output", help="folder for stage outputs (default: output)")
    if annotations:
        p.add_argument("--annotations", default="annotations", help="folder of review YAML files (default: annotations)")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="stage", required=True)

    p = sub.add_parser("ingest", help="segment documents into title/article/comments/furniture -> OUT/documents.jsonl")
    _common(p)
    p = sub.add_parser("nlp", help="find quantities, sources, evidence -> OUT/machine_claims.jsonl")
    _common(p)
    p.add_argument("--jobs", type=_jobs, default="auto",
                   help="processes for the NLP: a number, or auto = one per CPU (default: auto)")
    p.add_argument("--scheduler", type=_scheduler, default=None,
                   help="run on Dask: 'local' starts a LocalCluster of --jobs worker processes; "
                        "tcp://host:8786 uses a running cluster (default: local processes, no Dask)")
    p.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl",
                   help="parquet also writes OUT/machine_claims.parquet beside the JSONL (default: jsonl)")
    p = sub.add_parser("review", help="create/update ANNOTATIONS/<doc_id>.yaml, keeping every annotator edit")
    _common(p, annotations=True)
    p = sub.add_parser("link", help="group claims by the study they cite, compare their figures -> OUT/links.jsonl")
    _common(p, annotations=True)
    p = sub.add_parser("export", help="merged claims -> OUT/claims.jsonl, claims.csv, report.html")
    _common(p, annotations=True)
    p = sub.add_parser("eval", help="score the extractor against reviewed annotations -> OUT/eval.json")
    _common(p, annotations=True)
    p = sub.add_parser("package", help="write the claims pipeline to DIR for spacy.load(DIR)")
    p.add_argument("dir", help="folder to write (created or replaced)")
    sub.add_parser("schema", help="print the JSON Schema of a claims.jsonl line (derived from pipeline/records.py)")

    p = sub.add_parser("fetch", help="download web pages into the corpus (raw HTML + CORPUS/fetched.jsonl); "
                                     "the only stage that uses the network")
    p.add_argument("--urls", required=True, help="text file: one URL per line, # comments")
    p.add_argument("--corpus", default="corpus", help="folder to save the pages in (default: corpus)")
    p.add_argument("--delay", type=float, default=2.0, help="seconds between requests to one host (default: 2; "
                                                            "a larger robots.txt Crawl-delay wins)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds allowed per page (default: 20)")
    p.add_argument("--max-bytes", type=int, default=10_000_000, help="skip pages larger than this (default: 10 MB)")

    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        chain, argv = _chain(argv)
    except ValueError as err:
        parser.error(str(err))
    args = parser.parse_args(argv)
    try:
        if args.stage in CHAINED:
            from .workspace import Workspace
            workspace = Workspace(args.out, args.annotations)
            for stage in chain:
                began = time.perf_counter()
                _chained_stage(stage).run(args.corpus, args.out, args.annotations, workspace=workspace)
                if os.environ.get(STAGE_TIMES_ENV):
                    print(f"stage-time: {stage} {time.perf_counter() - began:.3f}", file=sys.stderr)
        elif args.stage == "ingest":
            from . import ingest
            ingest.run(args.corpus, args.out)
        elif args.stage == "nlp":
            from .nlp.stage import run
            run(args.corpus, args.out, jobs=args.jobs, scheduler=args.scheduler, parquet=args.format == "parquet")
        elif args.stage == "package":
            from .nlp import package
            print(f"package: the claims pipeline -> {package(args.dir)} (spacy.load it)")
        elif args.stage == "schema":
            from .records import schema_text
            print(schema_text(), end="")
        elif args.stage == "fetch":
            from .ingest.fetch import Politeness, run
            saved, failed = run(args.urls, args.corpus, Politeness(timeout=args.timeout, delay=args.delay,
                                                                   max_bytes=args.max_bytes))
            if failed and not saved:
                print("error: no URL could be fetched", file=sys.stderr)
                return 1
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted: outputs already written are complete; nothing half-written was kept", file=sys.stderr)
        return 130
    return 0


def _chained_stage(stage):
    """The module whose run(corpus, out, annotations, workspace) is this stage."""
    import importlib
    return importlib.import_module({"eval": ".evaluate"}.get(stage, f".{stage}"), __package__)


if __name__ == "__main__":
    sys.exit(main())
