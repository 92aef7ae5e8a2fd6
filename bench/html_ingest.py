"""make bench-html: HTML ingest throughput, pages per second on one core.

Two page sets, each run ROUNDS times in this one process (one core), nothing
written: the fixture pages of tests/fixtures/html/ as they are (small, 5-10 kB),
and "typical" pages built from them at the size of a real saved article page
(~120 kB: the same page with a 60 kB inline script bundle, 30 kB of inline CSS
and a 40-comment thread, as a news or blog page has). The median round is
reported; CPU seconds are counted with process_time so another process on the
machine does not flatter or punish the figure.
ROUNDS (default 10) sets the repetitions.
"""

import os
import random
import re
import statistics
import time
from pathlib import Path

from pipeline.ingest.html import build_record

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "tests" / "fixtures" / "html").glob("*.html"))
ROUNDS = int(os.environ.get("ROUNDS", "10"))
TARGET = 50          # pages/s per core, issue 13


def typical(html, rng):
    """A fixture page grown to a typical saved page: inline JS/CSS and a long WordPress-style thread."""
    script = "<script>" + ";".join(f"var v{n}={{\"w\":\"{rng.randint(1, 100)}%\",\"f\":function(a){{return a*{n}}}}}"
                                   for n in range(1500)) + "</script>"
    style = "<style>" + "".join(f".c{n}{{width:{rng.randint(1, 100)}%;margin:{n}px}}" for n in range(1200)) + "</style>"
    thread = "".join(
        f'<li id="comment-{9000 + n}" class="comment depth-1"><article class="comment-body"><footer class="comment-meta">'
        f'<div class="comment-author vcard"><b class="fn">Reader {n}</b> <span class="says">says:</span></div>'
        f'<div class="comment-metadata"><a href="#c"><time datetime="2023-04-{1 + n % 28:02d}T10:00:00+00:00">'
        f'April {1 + n % 28}, 2023</time></a></div></footer><div class="comment-content"><p>I tried it for '
        f'{rng.randint(2, 12)} weeks and slept {rng.randint(10, 90)} minutes longer.</p><p>My sister took '
        f'{rng.randint(100, 400)} mg and it did nothing.</p></div><div class="reply"><a>Reply</a></div></article></li>'
        for n in range(40))
    html = html.replace("</head>", script + style + "</head>", 1)
    if "</ol>" in html and "comment-list" in html:
        return html.replace("</ol>\n  <div id=\"respond\"", thread + "</ol>\n  <div id=\"respond\"", 1)
    return re.sub(r"</main>", f'<div id="comments"><ol class="comment-list">{thread}</ol></div></main>', html, count=1)


def measure(pages):
    rounds = []
    for _ in range(ROUNDS):
        cpu, wall = time.process_time(), time.perf_counter()
        for name, html in pages:
            build_record(html, "bench", name, "bench/out")
        rounds.append((time.process_time() - cpu, time.perf_counter() - wall))
    cpu = statistics.median(r[0] for r in rounds)
    wall = statistics.median(r[1] for r in rounds)
    return len(pages) / cpu, len(pages) / wall, sum(len(h) for _, h in pages) / len(pages) / 1000


def main():
    rng = random.Random(13)
    fixtures = [(p.name, p.read_text(encoding="utf-8")) for p in PAGES]
    grown = [(name, typical(html, rng)) for name, html in fixtures]
    build_record(fixtures[0][1], "warm", "warm", "bench/out")           # imports, rule files, trafilatura set-up
    print(f"HTML ingest, one process, {ROUNDS} rounds (median), {len(fixtures)} pages per round")
    print(f"{'pages':<22} {'kB/page':>8} {'pages/s (CPU)':>14} {'pages/s (wall)':>15}")
    for label, pages in (("fixtures", fixtures), ("typical (~120 kB)", grown)):
        per_cpu, per_wall, kb = measure(pages)
        print(f"{label:<22} {kb:>8.1f} {per_cpu:>14.1f} {per_wall:>15.1f}")
    print(f"target: >= {TARGET} typical pages/s per core")


if __name__ == "__main__":
    main()
