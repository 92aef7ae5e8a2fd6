"""Command line: one sub-command per stage (python -m pipeline STAGE --help)."""

import argparse
import os
import sys

from .errors import InputError


def _jobs(value):
    """--jobs: a whole number >= 1, or 'auto' for one process per CPU this run may use."""
    if value == "auto":
        return len(os.sched_getaffinity(0))
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise argparse.ArgumentTypeError(f"{value!r} is neither a whole number >= 1 nor 'auto'")


def _common(p, annotations=False):
    p.add_argument("--corpus", default="corpus", help="folder of .txt / .html documents (default: corpus)")
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
    p = sub.add_parser("review", help="create/update ANNOTATIONS/<doc_id>.yaml, keeping every annotator edit")
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

    args = parser.parse_args(argv)
    try:
        if args.stage == "ingest":
            from . import ingest
            ingest.run(args.corpus, args.out)
        elif args.stage == "nlp":
            from .extract import run
            run(args.corpus, args.out, jobs=args.jobs)
        elif args.stage == "review":
            from .review import run
            run(args.corpus, args.out, args.annotations)
        elif args.stage == "export":
            from .export import run
            run(args.corpus, args.out, args.annotations)
        elif args.stage == "package":
            from .nlp import package
            print(f"package: the claims pipeline -> {package(args.dir)} (spacy.load it)")
        elif args.stage == "schema":
            from .records import schema_text
            print(schema_text(), end="")
        elif args.stage == "eval":
            from .evaluate import run
            run(args.corpus, args.out, args.annotations)
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


if __name__ == "__main__":
    sys.exit(main())
