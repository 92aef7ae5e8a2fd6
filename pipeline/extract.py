"""Stage 2: OUT/documents.jsonl -> OUT/machine_claims.jsonl.

The trained model is the expensive part (~3.5k words/s), so it only sees the
paragraphs where the rules-only pipeline (~27k words/s) found a quantity;
furniture and references are never processed. Results are cached per
document, keyed by the file's sha256 and the extractor fingerprint, so a
re-run on an unchanged corpus re-processes nothing.
"""

import functools
import gc
import json
import multiprocessing
import re
from pathlib import Path

from tqdm import tqdm

from . import settings
from .files import atomic_open, read_jsonl, write_jsonl
from .ingest.reader import document_texts
from .nlp import full_pipeline, plain_spaces, rules_pipeline
from .nlp.quantities import CANDIDATES_KEY
from .records import Quantity, Source, claim_id, machine_claim, record
from .version import fingerprint

PROCESSED = ("article", "comment")
CHUNK_DOCS = 16           # documents a worker takes at once: batches big enough for the model, a steady progress bar
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n\s*")


def paragraphs(text, start, end):
    """(start, end) of each blank-line-separated paragraph in text[start:end], white space trimmed."""
    pos = start
    for m in list(_PARAGRAPH_BREAK.finditer(text, start, end)) + [None]:
        stop = m.start() if m else end
        if text[pos:stop].strip():
            yield trimmed(text, pos, stop)
        if m:
            pos = m.end()


def plan(documents, texts, every_paragraph=False):
    """The paragraphs worth the model: those where the rules pipeline found a quantity
    (every_paragraph keeps the others too, for the bench and a test)."""
    return [(p_start, p_end, context) for p_start, p_end, context, has_quantity in all_paragraphs(documents, texts)
            if has_quantity or every_paragraph]


def all_paragraphs(documents, texts):
    """(start, end, context, has_quantity) of every article/comment paragraph, from one rules pass.

    The pass also collects the abbreviations each document defines, over whole
    segments, so a paragraph knows abbreviations defined in another.
    """
    segments = [(record, seg) for record in documents for seg in record["segments"] if seg["kind"] in PROCESSED]
    docs = rules_pipeline().pipe((plain_spaces(texts[r["doc_id"]][s["start"]:s["end"]]) for r, s in segments),
                                 batch_size=64)
    abbreviations, found = {}, []
    for (record, seg), doc in zip(segments, docs):
        known = abbreviations.setdefault(record["doc_id"], {})
        for abbr in doc._.abbreviations:
            known.setdefault(abbr["short_text"], abbr["long_text"])
        # a number the rules cannot read may still be a count the model's parse finds
        hits = [seg["start"] + q.start_char for key in ("quantities", CANDIDATES_KEY) for q in doc.spans[key]]
        for p_start, p_end in paragraphs(texts[record["doc_id"]], seg["start"], seg["end"]):
            found.append((p_start, p_end, record["doc_id"], seg, any(p_start <= h < p_end for h in hits)))
    return [(p_start, p_end, {"doc_id": doc_id, "section": seg["kind"], "offset": p_start,
                              "author": seg.get("author"), "comment_index": seg.get("index"),
                              "abbreviations": abbreviations[doc_id]}, has_quantity)
            for p_start, p_end, doc_id, seg, has_quantity in found]


def trimmed(text, start, end):
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    return start + lead, start + len(piece.rstrip())


def claim_records(doc, context, text, seen):
    """Claims of one processed paragraph as JSON-ready dicts, offsets into the file text."""
    offset = context["offset"]
    records = []
    for claim in doc.spans["claims"]:
        start, end = trimmed(text, offset + claim.start_char, offset + claim.end_char)
        sentence = text[start:end]
        quantities = [record(Quantity(
            text=text[offset + q.start_char:offset + q.end_char],     # the file's characters, not the spaced ones
            start=offset + q.start_char, end=offset + q.end_char, kind=q.label_,
            value=q._.value, low=q._.low, high=q._.high, unit=q._.unit, qualifier=q._.qualifier,
            change=q._.change, value_si=q._.value_si, unit_si=q._.unit_si, iso_duration=q._.iso_duration, rule=q._.rule,
        )) for q in doc.spans["quantities"] if claim.start <= q.start < claim.end]
        sources = []
        for s in claim._.claim_sources:
            located = s["start"] is not None
            sources.append(record(Source(text=text[offset + s["start"]:offset + s["end"]] if located else s["text"],
                                         start=offset + s["start"] if located else None,
                                         end=offset + s["end"] if located else None,
                                         type=s["type"], canonical=s["canonical"])))
        records.append(machine_claim(
            id=claim_id(context["doc_id"], sentence, seen), doc_id=context["doc_id"], text=sentence,
            start=start, end=end, section=context["section"],
            author=context["author"] if context["section"] == "comment" else None,
            comment_index=context["comment_index"] if context["section"] == "comment" else None,
            quantities=quantities, sources=sources, evidence=claim._.evidence,
            evidence_cues=claim._.evidence_cues, hedged=claim._.hedged,
        ))
    return records


def extract_documents(documents, jobs=1, progress=True, every_paragraph=False):
    """{doc_id: [claim records]} for the given ingest records (no cache).

    With jobs > 1, whole documents go to worker processes (forked after the
    pipelines are loaded, so the model is shared) and only plain records come
    back: shipping spaCy Docs between processes cost more than it saved.
    """
    if jobs > 1 and len(documents) > 1:
        full_pipeline(), rules_pipeline()          # load once, before forking
        gc.freeze()                                # keep the model's pages shared: the workers' GC won't touch them
        size = max(1, min(CHUNK_DOCS, len(documents) // (jobs * 4)))     # at least 4 chunks a worker, to balance
        chunks = [documents[i:i + size] for i in range(0, len(documents), size)]
        results = {}
        try:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks))) as pool, \
                    tqdm(total=len(documents), unit="doc", desc="extract", delay=2, disable=not progress) as bar:
                for part in pool.imap(functools.partial(_extract, progress=False, every_paragraph=every_paragraph),
                                      chunks):
                    results.update(part)
                    bar.update(len(part))
        finally:
            gc.unfreeze()
        return {r["doc_id"]: results[r["doc_id"]] for r in documents}
    return _extract(documents, progress, every_paragraph)


def _extract(documents, progress, every_paragraph=False):
    nlp = full_pipeline()
    texts = document_texts(documents)
    work = [(plain_spaces(texts[context["doc_id"]][p_start:p_end]), context)
            for p_start, p_end, context in plan(documents, texts, every_paragraph)]
    results = {r["doc_id"]: [] for r in documents}
    seen = {}

    def docs():
        for ptext, context in work:
            doc = nlp.make_doc(ptext)
            doc._.context = context
            yield doc

    words = sum(len(t.split()) for t, _ in work)
    with tqdm(total=words, unit="word", desc="extract", delay=2, disable=not progress, unit_scale=True) as bar:
        for doc, (ptext, context) in zip(nlp.pipe(docs(), batch_size=32), work):
            doc_id = context["doc_id"]
            results[doc_id].extend(claim_records(doc, context, texts[doc_id], seen.setdefault(doc_id, {})))
            bar.update(len(ptext.split()))
    return results


def run(corpus, out, jobs=1):
    out = Path(out)
    documents = read_jsonl(out / "documents.jsonl")
    key = fingerprint()
    cache_dir = out / "cache"
    claims, todo = {}, []
    for record in documents:
        cached = cache_dir / f"{record['doc_id']}.json"
        if cached.exists():
            entry = json.loads(cached.read_text(encoding="utf-8"))
            if entry.get("sha256") == record["sha256"] and entry.get("extractor") == key:
                claims[record["doc_id"]] = entry["claims"]
                continue
        todo.append(record)
    if todo:
        fresh = extract_documents(todo, jobs=jobs)
        for record in todo:
            claims[record["doc_id"]] = fresh[record["doc_id"]]
            with atomic_open(cache_dir / f"{record['doc_id']}.json") as fh:
                json.dump({"sha256": record["sha256"], "extractor": key, "claims": fresh[record["doc_id"]]},
                          fh, ensure_ascii=False)
    ordered = [c for record in documents for c in claims[record["doc_id"]]]
    write_jsonl(out / "machine_claims.jsonl", ordered)
    print(f"extract: {len(ordered)} claims from {len(documents)} documents "
          f"({len(todo)} processed, {len(documents) - len(todo)} from cache) -> {out / 'machine_claims.jsonl'}")
    return ordered
