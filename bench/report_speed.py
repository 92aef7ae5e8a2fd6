"""make bench-report: build the report for 100,000 synthetic claims; print sizes and build time.

The claims are generated (invented sentences with figures, sources, comment threads), ten per
document by default, so 100,000 claims make 10,000 document pages: about the shape of the sample
corpus (73 claims in 5 documents, 877 in 92 in a larger folder). `synthetic()` is also what
tests/test_report.py builds its size test from.

    python bench/report_speed.py [--claims 100000] [--per-doc 10] [--links 2000] [--keep DIR] [--no-browser]
"""

import argparse
import hashlib
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SUBJECTS = ["patients", "participants", "adults over 60", "people with migraine", "smokers", "runners",
            "children", "nurses", "people with type 2 diabetes", "volunteers"]
TEMPLATES = [  # (sentence: {n} is the figure, kind, unit, source type or None, label)
    ("A trial in the {src} found that {n}% of {who} improved within {m} weeks.", "percentage", "%",
     "journal", "study-backed"),
    ("According to the {src}, about {n} in 100 {who} stop treatment early.", "proportion", None,
     "institution", "study-backed"),
    ("I took {n} mg every morning and felt better after {m} weeks.", "dose", "mg", None, "anecdotal"),
    ("Some {who} report sleeping {n} hours less per night.", "count", "hours", None, "unattributed"),
    ("The {src} puts the yearly cost at ${n} million.", "money", "USD", "publication", "study-backed"),
    ("My doctor said {n} percent of {who} never notice side effects.", "percentage", "%", None, "anecdotal"),
    ("Roughly {n}% of {who} may relapse, experts believe.", "percentage", "%", None, "unattributed"),
    ("{who} were asked to exercise {n} times a week for {m} weeks.", "frequency", "per week", None,
     "unattributed"),
]
SOURCES = {"journal": ["Journal of Invented Medicine", "The Example Review", "Annals of Made-up Research"],
           "institution": ["National Institute of Examples", "Health Agency of Nowhere", "Mock University Hospital"],
           "publication": ["The Daily Sample", "Weekly Placeholder"]}
AUTHORS = ["Ana", "Ben", "Chen", "Dana", "Eli", "Farah", "Gus", "Hana", None]


def _claim(doc_id, start, section, author, index, template, n, m, rng):
    sentence_t, kind, unit, source_type, label = template
    who = rng.choice(SUBJECTS)
    src = rng.choice(SOURCES[source_type]) if source_type else None
    sentence = sentence_t.format(n=n, m=m, who=who, src=src or "")
    sentence = sentence[0].upper() + sentence[1:]
    number = str(n)
    at = sentence.index(number)         # {n} comes before {m} in every template
    value = n / 100 if kind == "proportion" else float(n)
    quantity = {"text": number, "start": start + at, "end": start + at + len(number), "kind": kind,
                "value": value, "low": None, "high": None, "unit": unit, "qualifier": None,
                "iso_duration": None, "rule": "synthetic"}
    sources = []
    if src:
        s_at = sentence.index(src)
        sources.append({"text": src, "start": start + s_at, "end": start + s_at + len(src), "type": source_type,
                        "canonical": src})
    digest = hashlib.sha1(sentence.encode()).hexdigest()[:10]
    return sentence, {
        "id": f"{doc_id}-{digest}", "doc_id": doc_id, "text": sentence, "start": start, "end": start + len(sentence),
        "section": section, "author": author, "comment_index": index, "quantities": [quantity], "sources": sources,
        "evidence": label, "evidence_cues": [], "hedged": "may" in sentence or "believe" in sentence,
        "review": rng.choice(["machine", "machine", "machine", "confirmed", "corrected"])}


def synthetic(n_claims, per_doc=10, n_links=0, seed=0):
    """(documents, texts, records, links): documents.jsonl-, claims.jsonl- and links.jsonl-shaped."""
    rng = random.Random(seed)
    documents, texts, records = [], {}, []
    for d in range(-(-n_claims // per_doc)):
        doc_id = f"syn{d:06d}"
        title = f"Invented health story number {d}: what the figures say"
        parts, segments, pos = [], [], 0

        def add(piece, kind, **extra):
            nonlocal pos
            parts.append(piece)
            segments.append({"kind": kind, "start": pos, "end": pos + len(piece), "author": None, "index": None,
                             "parent": None, "date": None} | extra)
            pos += len(piece)

        add(title + "\n\n", "title")
        count = min(per_doc, n_claims - d * per_doc)
        in_article = max(1, count * 2 // 3)
        body = []
        for c in range(in_article):
            sentence, claim = _claim(doc_id, pos + sum(map(len, body)), "article", None, None,
                                     rng.choice(TEMPLATES), rng.randint(2, 95), rng.randint(2, 12), rng)
            body.append(sentence + (" Other context follows here without figures.\n\n" if c % 2 else " "))
            records.append(claim)
        add("".join(body), "article")
        for index in range(1, count - in_article + 1):
            author = rng.choice(AUTHORS) or "Anonymous"
            parent = rng.choice([None, index - 1]) if index > 1 else None
            add(f"{author} · {index} days ago\n", "furniture")
            sentence, claim = _claim(doc_id, pos, "comment", author, index, rng.choice(TEMPLATES[2:4]),
                                     rng.randint(2, 95), rng.randint(2, 12), rng)
            add(sentence + "\n\n", "comment", author=author, index=index, parent=parent, date=f"{index} days ago")
            records.append(claim)
        texts[doc_id] = "".join(parts)
        documents.append({"doc_id": doc_id, "path": f"{doc_id}.txt", "sha256": "", "encoding": "utf-8",
                          "title": title, "outlet": None, "language": "en", "chars": pos, "segments": segments})
    links = []
    with_sources = [c for c in records if c["sources"]]
    for g in range(min(n_links, len(with_sources) // 3)):
        members = with_sources[g * 3:g * 3 + 3]
        values = [m["quantities"][0]["value"] for m in members]
        links.append({"id": f"g{g}", "source": {"canonical": members[0]["sources"][0]["canonical"],
                                                "type": members[0]["sources"][0]["type"]},
                      "claims": [{"claim_id": m["id"], "doc_id": m["doc_id"], "section": m["section"]} for m in members],
                      "comparisons": [{"a": members[0]["id"], "b": m["id"], "kind": m["quantities"][0]["kind"],
                                       "a_value": values[0], "b_value": v, "unit": m["quantities"][0]["unit"],
                                       "verdict": "same" if v == values[0] else "differs"}
                                      for m, v in zip(members[1:], values[1:])]})
    return documents, texts, records, links


def sizes(out):
    """Bytes of the index, the largest page, the largest data file, everything; number of files."""
    out = Path(out)
    files = [p for p in (out / "report").rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html"]
    data = [p for p in files if p.suffix == ".js"]
    return {"index": (out / "report.html").stat().st_size,
            "largest_page": max((p.stat().st_size for p in pages), default=0),
            "largest_data": max((p.stat().st_size for p in data), default=0),
            "total": (out / "report.html").stat().st_size + sum(p.stat().st_size for p in files),
            "pages": len(pages), "data_files": len(data)}


def browser_timings(index, searches=("#q=migraine", "#kind=percentage&op=gt&value=50",
                                         "#q=story+9&label=anecdotal&section=comment")):
    """Seconds to open the index until the first results show, and per search, in headless Chromium."""
    import shutil
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        return None
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        began = time.perf_counter()
        driver.get(Path(index).as_uri())
        WebDriverWait(driver, 120).until(lambda d: d.find_element("id", "status").text.startswith("Showing"))
        timings = {"open": time.perf_counter() - began}
        for search in searches:     # the page's own hashchange handler, timed inside the page
            timings[search] = driver.execute_script(
                "const t = performance.now(); history.replaceState(null, '', arguments[0]);"
                "window.dispatchEvent(new HashChangeEvent('hashchange')); return (performance.now() - t) / 1000;",
                search)
        return timings
    finally:
        driver.quit()


def main():
    from pipeline.export.report import write_report
    from pipeline.files import write_jsonl

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--per-doc", type=int, default=10)
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--keep", help="build into this folder and keep it (default: a temporary one)")
    parser.add_argument("--no-browser", action="store_true", help="skip timing the index in headless Chromium")
    args = parser.parse_args()
    documents, texts, records, links = synthetic(args.claims, args.per_doc, args.links)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep or tmp)
        write_jsonl(out / "links.jsonl", links)
        began, cpu = time.perf_counter(), time.process_time()
        write_report(out / "report.html", documents, records, texts)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        size = sizes(out)
        timings = None if args.no_browser else browser_timings(out / "report.html")
    mb = 1024 * 1024
    print(f"report for {len(records):,} synthetic claims in {len(documents):,} documents, {len(links):,} link groups")
    print(f"  build time        {seconds:7.1f} s    ({cpu:.1f} s CPU: the wall time grows when the machine is busy)")
    print(f"  index             {size['index'] / mb:7.3f} MB   (target < 2 MB)")
    print(f"  largest page      {size['largest_page'] / mb:7.3f} MB   (target < 5 MB; {size['pages']:,} pages)")
    print(f"  largest data file {size['largest_data'] / mb:7.3f} MB   ({size['data_files']} files)")
    print(f"  everything        {size['total'] / mb:7.1f} MB")
    print(f"  peak memory       {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MB   "
          "(the bench process: synthetic records + texts + the build)")
    if timings:
        print(f"  headless Chromium: index open to first results {timings.pop('open'):.2f} s; searches over all claims:")
        for search, seconds_ in timings.items():
            print(f"    {search:48s} {seconds_:.2f} s")
    ok = size["index"] < 2 * mb and size["largest_page"] < 5 * mb and size["largest_data"] < 5 * mb
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
