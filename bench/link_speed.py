"""make bench-link (1/2): how long the link stage takes on 100,000 synthetic claims (target < 30 s).

Synthetic but shaped like the real thing: 10,000 documents of 10 claims, citing
5,000 studies (each a trial name, a lead author, a DOI, a journal and year)
in the ways articles and comments do (by name, by author, by DOI, by journal +
year, as "the study", unattributed, as a personal account), plus 50
institutions quoted in many documents (groups of ~200 claims). Figures are the
study's own, rounded, or wrong. LINK_CLAIMS sets the number of claims.
"""

import os
import random
import time

import psutil

from pipeline.link import link

CLAIMS = int(os.environ.get("LINK_CLAIMS", "100000"))
JOURNALS = ["The Lancet", "BMJ", "JAMA", "Nature Medicine", "Pediatrics", "Circulation"]
INSTITUTIONS = [f"Institute of {w} Health" for w in ("Coastal", "Northern", "Rural", "Urban", "Public")]
SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "to", "vel", "dor", "an", "bri", "qu", "zen"]


def word(rng, n=3):
    return "".join(rng.choice(SYLLABLES) for _ in range(n)).capitalize()


def studies(rng, n):
    out = []
    for i in range(n):
        out.append({"trial": word(rng).upper() + str(i), "author": word(rng) + "ova" + str(i),
                    "doi": f"10.{1000 + i % 9000}/x{i}", "journal": rng.choice(JOURNALS), "year": 2000 + i % 25,
                    "n": rng.randint(40, 9000), "share": rng.randint(5, 95), "weeks": rng.choice([6, 8, 12, 26, 52])})
    return out


def source(text, type_, start=0):
    return {"text": text, "start": start, "end": start + len(text), "type": type_, "canonical": text}


def claim(doc, n, text, quantities, sources, section="article", evidence="study-backed"):
    qs = []
    for q_text, kind, value, unit in quantities:
        start = text.index(q_text)
        qs.append({"text": q_text, "start": start, "end": start + len(q_text), "kind": kind, "value": float(value),
                   "low": None, "high": None, "unit": unit, "qualifier": None})
    return {"id": f"{doc}-{n}", "doc_id": doc, "text": text, "start": 0, "end": len(text), "section": section,
            "comment_index": None if section == "article" else n, "evidence": evidence, "evidence_cues": [],
            "sources": sources, "quantities": qs}


def quoted(rng, value):
    """The study's figure as a page quotes it: exact, rounded, or wrong."""
    roll = rng.random()
    if roll < 0.6:
        return value
    if roll < 0.8:
        return max(10, round(value, -1))
    return rng.randint(1, 99)


def synthetic_claims(total, seed=11):
    rng = random.Random(seed)
    pool = studies(rng, max(1, total // 20))
    records = []
    doc = 0
    while len(records) < total:
        d = f"doc{doc:06d}"
        study = rng.choice(pool)
        names = [f"The {study['trial']} trial", f"{study['author']} et al.", f"doi:{study['doi']}",
                 f"{study['journal']} in {study['year']}"]
        for n in range(10):
            share, count = quoted(rng, study["share"]), quoted(rng, study["n"])
            form = rng.randrange(8)
            if form < 4:
                mention = names[form]
                text = f"{mention} reported that {share}% of patients responded among {count} adults."
                sources = [source(study["journal"], "journal")] if form == 3 else \
                    [source(mention, "study")] if form < 2 else []
            elif form == 4:
                text = f"The study lasted {study['weeks']} weeks and {share}% of patients responded."
                sources = [source("The study", "study")]
            elif form == 5:
                inst = rng.choice(INSTITUTIONS)
                text = f"According to the {inst}, {share}% of adults had side effects."
                sources = [source(inst, "institution", text.index(inst))]
            elif form == 6:
                text = f"After {study['weeks']} weeks, {share}% of patients responded."
                sources = []
            else:
                text = f"I tried it for {rng.randint(2, 9)} weeks and {share}% of my friends responded."
                sources = []
            quantities = [(f"{share}%", "percentage", share, "%")]
            if f"{count} adults" in text:
                quantities.append((str(count), "count", count, "adult"))
            if "weeks" in text:
                w = text.split(" weeks")[0].split()[-1]
                quantities.append((f"{w} weeks", "timeframe", int(w), "week"))
            records.append(claim(d, n, text, quantities, sources, section="comment" if form == 7 else "article",
                                 evidence="anecdotal" if form == 7 else "study-backed"))
            if len(records) == total:
                break
        doc += 1
    return records


def main():
    records = synthetic_claims(CLAIMS)
    process = psutil.Process()
    before = process.memory_info().rss
    start, cpu = time.perf_counter(), time.process_time()
    groups = link(records, progress=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = process.memory_info().rss
    comparisons = sum(len(g["comparisons"]) for g in groups)
    linked = sum(len(g["claims"]) for g in groups)
    # On a shared machine wall time includes waiting for a core: the CPU time is what the stage costs.
    print(f"link: {len(records):,} synthetic claims in {seconds:.1f} s wall, {cpu:.1f} s CPU "
          f"({len(records) / cpu:,.0f} claims per CPU second; target < 30 s for 100,000; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs): {len(groups):,} groups, {linked:,} claims linked, "
          f"{comparisons:,} comparisons; RSS {before / 2**20:.0f} -> {after / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
