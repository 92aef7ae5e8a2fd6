"""Stage 2: OUT/documents.jsonl -> OUT/machine_claims.jsonl.

The trained model is the expensive part (~3.5k words/s), so it only sees the
paragraphs where the rules-only pipeline (~27k words/s) found a quantity;
furniture and references are never processed. Results are cached per
document, keyed by the file's sha256, the extractor fingerprint and how ingest
cut the document (its segments), so a re-run on an unchanged corpus
re-processes nothing and a change of layout rules re-processes what it cut anew.
"""

import functools
import hashlib
import gc
import json
import multiprocessing
import re
from pathlib import Path

from tqdm import tqdm

from .. import settings
from ..files import atomic_open, read_jsonl, write_jsonl
from ..ingest.reader import document_texts
from ..records import Quantity, Source, claim_id, machine_claim, record
from ..version import fingerprint
from . import full_pipeline, plain_spaces, rules_pipeline
from .carryover import continuation_words, opening_continues
from .cues import load_cues
from .quantities import CANDIDATES_KEY

PROCESSED = ("article", "comment")
CHUNK_DOCS = 16           # documents a worker takes at once: batches big enough for the model, a steady progress bar
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n\s*")
RESEARCH_WORD = re.compile(r"\b(?:%s)\b" % "|".join(re.escape(str(w)) for w in load_cues()["research"]), re.I)
CONTINUES = continuation_words()
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")
PIECE_CHARS = 20_000      # longest text given to spaCy at once: far below nlp.max_length, and batches stay small
MODEL_BATCH = 32          # paragraphs the model reads at once; 64 was no faster here (CPU within noise) and took 60 MB more
RULES_BATCH = 64          # segments the rules pipeline reads at once


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
    (every_paragraph keeps the others too, for the bench and a test), and, as context
    only, a paragraph right before one of them that names research (its study may carry
    over into the figures of the next paragraph: component `carryover`)."""
    found = all_paragraphs(documents, texts)
    chosen = []
    for n, (p_start, p_end, context, has_quantity) in enumerate(found):
        following = found[n + 1] if n + 1 < len(found) else None
        text = texts[context["doc_id"]]
        introduces = following is not None and following[3] and following[2]["thread"] is context["thread"] \
            and RESEARCH_WORD.search(text, p_start, p_end) is not None \
            and opening_continues(text[following[0]:following[1]], CONTINUES)
        if has_quantity or every_paragraph:
            chosen.append((p_start, p_end, context))
        elif introduces:
            chosen.append((p_start, p_end, dict(context, context_only=True)))
    return chosen


def all_paragraphs(documents, texts):
    """(start, end, context, has_quantity) of every article/comment paragraph, from one rules pass.

    The pass also collects the abbreviations each document defines, over whole
    segments, so a paragraph knows abbreviations defined in another. A segment
    or paragraph longer than PIECE_CHARS is read in pieces (see `pieces`).
    """
    segments = [(record, seg, a, b) for record in documents for seg in record["segments"] if seg["kind"] in PROCESSED
                for a, b in pieces(texts[record["doc_id"]], seg["start"], seg["end"])]
    docs = rules_pipeline().pipe((plain_spaces(texts[r["doc_id"]][a:b]) for r, _, a, b in segments),
                                  batch_size=RULES_BATCH)
    abbreviations, found = {}, []
    for (record, seg, a, b), doc in zip(segments, docs):
        known = abbreviations.setdefault(record["doc_id"], {})
        for abbr in doc._.abbreviations:
            known.setdefault(abbr["short_text"], abbr["long_text"])
        # a number the rules cannot read may still be a count the model's parse finds
        hits = [a + q.start_char for key in ("quantities", CANDIDATES_KEY) for q in doc.spans[key]]
        text = texts[record["doc_id"]]
        for p_start, p_end in paragraphs(text, a, b):
            for q_start, q_end in pieces(text, p_start, p_end):
                found.append((q_start, q_end, record["doc_id"], seg, any(q_start <= h < q_end for h in hits)))
    threads, numbers = {}, {}        # per document: the carry-over state its paragraphs share, paragraph count
    result = []
    for p_start, p_end, doc_id, seg, has_quantity in found:
        numbers[doc_id] = numbers.get(doc_id, -1) + 1
        result.append((p_start, p_end, {"doc_id": doc_id, "section": seg["kind"], "offset": p_start,
                                        "author": seg.get("author"), "comment_index": seg.get("index"),
                                        "abbreviations": abbreviations[doc_id], "paragraph": numbers[doc_id], "segment": seg["start"],
                                        "thread": threads.setdefault(doc_id, {})}, has_quantity))
    return result


def pieces(text, start, end, limit=None):
    """(start, end) spans that cover text[start:end], none longer than `limit` characters.

    spaCy refuses texts over nlp.max_length (E088), and memory grows with the
    text of a batch, so a long segment is cut at its last paragraph break
    before the limit, else its last sentence end, else its last space (a
    hard cut only in a text with no space at all). Offsets stay file offsets.
    """
    limit = limit or PIECE_CHARS
    while end - start > limit:
        window = text[start:start + limit]
        cut = _last_cut(window, limit)
        yield start, start + cut
        start += cut
    if end > start:
        yield start, end


def _last_cut(window, limit):
    for pattern in (_PARAGRAPH_BREAK, _SENTENCE_END, _SPACE):
        last = None
        for last in pattern.finditer(window, limit // 2):
            pass
        if last is not None and last.end() < len(window):
            return last.end()
    return limit

def trimmed(text, start, end):
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    return start + lead, start + len(piece.rstrip())


def claim_records(doc, context, text, seen):
    """Claims of one processed paragraph as JSON-ready dicts, offsets into the file text."""
    offset = context["offset"]
    records = []
    if context.get("context_only"):
        return records
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
                                         type=s["type"], canonical=s["canonical"],
                                         role=s.get("role"), cue=s.get("cue"))))
        records.append(machine_claim(
            id=claim_id(context["doc_id"], sentence, seen), doc_id=context["doc_id"], text=sentence,
            start=start, end=end, section=context["section"],
            author=context["author"] if context["section"] == "comment" else None,
            comment_index=context["comment_index"] if context["section"] == "comment" else None,
            quantities=quantities, sources=sources, evidence=claim._.evidence,
            evidence_cues=claim._.evidence_cues, hedged=claim._.hedged,
        ))
    return records


def chunked(documents, workers):
    """Whole documents in chunks of up to CHUNK_DOCS, shrinking towards the end (each at most a quarter of
    what is left per worker), so no worker sits idle for long while another finishes a big last chunk."""
    chunks, at = [], 0
    while at < len(documents):
        size = max(1, min(CHUNK_DOCS, (len(documents) - at) // (workers * 4)))
        chunks.append(documents[at:at + size])
        at += size
    return chunks


def extract_documents(documents, jobs=1, progress=True, every_paragraph=False, scheduler=None):
    """{doc_id: [claim records]} for the given ingest records (no cache).

    With jobs > 1, whole documents go to worker processes (forked after the
    pipelines are loaded, so the model is shared) and only plain records come
    back: shipping spaCy Docs between processes cost more than it saved.
    With a `scheduler` ("local" or a Dask address) the chunks go to a Dask
    cluster instead (pipeline/nlp/dask.py); the records are the same.
    """
    if scheduler:
        from .dask import extract_on_cluster
        return extract_on_cluster(documents, scheduler, jobs=jobs, progress=progress, every_paragraph=every_paragraph)
    if jobs > 1 and len(documents) > 1:
        full_pipeline(), rules_pipeline()          # load once, before forking
        gc.freeze()                                # keep the model's pages shared: the workers' GC won't touch them
        chunks = chunked(documents, jobs)
        results = {}
        try:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks))) as pool, \
                    tqdm(total=len(documents), unit="doc", desc="nlp", delay=2, disable=not progress) as bar:
                for part in pool.imap(functools.partial(_extract, progress=False, every_paragraph=every_paragraph),
                                      chunks):
                    results.update(part)
                    bar.update(len(part))
        finally:
            gc.unfreeze()
        return {r["doc_id"]: results[r["doc_id"]] for r in documents}
    return _extract(documents, progress, every_paragraph)


def _extract(documents, progress, every_paragraph=False, texts=None):
    """Claims of whole documents in this process; `texts` ({doc_id: text}) when the caller has read them."""
    nlp = full_pipeline()
    texts = texts or document_texts(documents)
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
    with tqdm(total=words, unit="word", desc="nlp", delay=2, disable=not progress, unit_scale=True) as bar:
        for doc, (ptext, context) in zip(nlp.pipe(docs(), batch_size=MODEL_BATCH), work):
            doc_id = context["doc_id"]
            results[doc_id].extend(claim_records(doc, context, texts[doc_id], seen.setdefault(doc_id, {})))
            bar.update(len(ptext.split()))
    return results


def segments_key(record):
    """A hash of how ingest cut the document: new layout rules (layouts.yml) change which parts are
    article, comment or furniture, and so the claims, without changing the file."""
    return hashlib.sha256(json.dumps(record["segments"], sort_keys=True).encode()).hexdigest()[:16]


def run(corpus, out, jobs=1, scheduler=None, parquet=False):
    out = Path(out)
    documents = read_jsonl(out / "documents.jsonl")
    key = fingerprint()
    cache_dir = out / "cache"
    claims, todo = {}, []
    cut = {record["doc_id"]: segments_key(record) for record in documents}
    for record in documents:
        cached = cache_dir / f"{record['doc_id']}.json"
        if cached.exists():
            entry = json.loads(cached.read_text(encoding="utf-8"))
            if entry.get("sha256") == record["sha256"] and entry.get("extractor") == key \
                    and entry.get("segments") == cut[record["doc_id"]]:
                claims[record["doc_id"]] = entry["claims"]
                continue
        todo.append(record)
    if todo:
        fresh = extract_documents(todo, jobs=jobs, scheduler=scheduler)
        for record in todo:
            claims[record["doc_id"]] = fresh[record["doc_id"]]
            with atomic_open(cache_dir / f"{record['doc_id']}.json") as fh:
                json.dump({"sha256": record["sha256"], "extractor": key, "segments": cut[record["doc_id"]],
                           "claims": fresh[record["doc_id"]]}, fh, ensure_ascii=False)
    ordered = [c for record in documents for c in claims[record["doc_id"]]]
    write_jsonl(out / "machine_claims.jsonl", ordered)
    if parquet:                                     # FORMAT=parquet: the same records, for tables at scale
        from ..parquet import write_claims_parquet
        write_claims_parquet(out / "machine_claims.parquet", ordered)
    print(f"nlp: {len(ordered)} claims from {len(documents)} documents "
          f"({len(todo)} processed, {len(documents) - len(todo)} from cache) -> {out / 'machine_claims.jsonl'}")
    return ordered
