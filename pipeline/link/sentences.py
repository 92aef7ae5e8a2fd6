"""The sentences of the corpus that hold no figure, as the link stage reads them.

A page often names its study in a sentence without a number ("Now Halvorsen's
team has tested the question, in a trial published in the BMJ (doi…)") and
gives the figures in the next ones ("They recruited 512 women"). The nlp stage
makes claims only of sentences with a figure, so the link stage reads the
others here: each becomes a record without quantities (`figureless`: True)
that names studies, ties them to journals and institutions, and sets the study
later sentences of its article are carried to, but is never itself a member of a
group. Journals, institutions and people are those the nlp stage found in some
claim of the corpus, looked up by name.
"""

import re
from bisect import bisect_right

SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“(]?[A-Z0-9])|\n+")
# A full stop after these ends no sentence: "led by Dr. Ingrid Halvorsen", "Okafor et al. In", "J. Smith".
ABBREVIATION = re.compile(r"(?:\b(?:Dr|Prof|Mr|Mrs|Ms|St|Jr|Sr|al|vs|approx|No|Fig|e\.g|i\.e)|\b[A-Z])\.$")
SECTIONS = ("article", "comment")
# A title names the page's study as often as its first paragraph does ("…: the RESTWELL randomised
# trial", "Tea and hip fractures - the Ashcombe study"): read as the article's first sentence.
READ_AS = {"title": "article", "article": "article", "comment": "comment"}
WORD = re.compile(r"\w[\w&-]*")
NAMED_TYPES = ("journal", "institution", "person")


def known_names(records):
    """{surface text: source record} of the journals, institutions and people named in some claim."""
    found = {}
    for claim in records:
        for source in claim["sources"]:
            if source.get("type") in NAMED_TYPES and len(source["text"]) > 2:
                found.setdefault(source["text"], {"text": source["text"], "type": source["type"],
                                                  "canonical": source.get("canonical") or source["text"]})
    return found


def find_names(sentence, by_first):
    """(offset, name) of each known name in the sentence, looked up by its first word (linear in the sentence)."""
    found, after = [], 0
    for match in WORD.finditer(sentence):
        if match.start() < after:
            continue
        for name in by_first.get(match.group(0), ()):
            end = match.start() + len(name)
            if sentence.startswith(name, match.start()) and (end == len(sentence) or not sentence[end].isalnum()):
                found.append((match.start(), name))
                after = end
                break
    return found


def split(text, start, end):
    """(start, end) of each sentence of text[start:end]."""
    spans, at = [], start
    for match in SENTENCE_END.finditer(text, start, end):
        if match.group(0)[:1] != "\n" and ABBREVIATION.search(text, max(at, match.start() - 8), match.start()):
            continue
        spans.append((at, match.start()))
        at = match.end()
    spans.append((at, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def segment_sentences(document, text):
    """(start, end, segment number, segment) of each sentence of the document's article and comment segments."""
    for n, segment in enumerate(document.get("segments") or ()):
        if segment["kind"] in READ_AS:
            for start, end in split(text, segment["start"], segment["end"]):
                yield start, end, n, segment


def document_sentences(documents, texts):
    """{doc_id: its segment_sentences, in order}: each document split once for the readers below."""
    return {d["doc_id"]: list(segment_sentences(d, texts[d["doc_id"]])) for d in documents if d["doc_id"] in texts}


def figureless_sentences(documents, texts, records, split_documents=None):
    """Records of the article and comment sentences no claim covers, in document order, each with the known
    journals, institutions and people it names as its sources. `split_documents`: document_sentences'
    result, when already made."""
    split_documents = document_sentences(documents, texts) if split_documents is None else split_documents
    names = known_names(records)
    by_first = {}                               # first word -> the names starting with it, longest first
    for name in sorted(names, key=len, reverse=True):
        first = WORD.search(name)
        if first and first.start() == 0:
            by_first.setdefault(first.group(0), []).append(name)
    claimed = {}
    for claim in records:
        claimed.setdefault(claim["doc_id"], []).append((claim["start"], claim["end"]))
    out = []
    for document in documents:
        doc, text = document["doc_id"], texts.get(document["doc_id"])
        if text is None:
            continue
        spans = sorted(claimed.get(doc, []))
        starts = [s for s, _ in spans]
        for start, end, _, segment in split_documents[doc]:
            n = bisect_right(starts, end) - 1
            if n >= 0 and spans[n][1] > start:
                continue                        # a claim's sentence (or part of one)
            sentence = text[start:end].strip()
            sources = [dict(names[name], start=start + at, end=start + at + len(name))
                       for at, name in find_names(sentence, by_first)]
            out.append({"id": None, "doc_id": doc, "text": sentence, "start": start, "end": end,
                        "section": READ_AS[segment["kind"]], "comment_index": segment.get("index"),
                        "sources": sources, "quantities": [], "evidence_cues": [], "evidence": None,
                        "figureless": True, "title": segment["kind"] == "title"})
    return out


def sentences_before(documents, texts, records, split_documents=None):
    """{claim id: the sentence before the claim's in its segment (its voice)}, for claims that have one."""
    split_documents = document_sentences(documents, texts) if split_documents is None else split_documents
    by_doc = {}
    for claim in records:
        by_doc.setdefault(claim["doc_id"], []).append(claim)
    out = {}
    for document in documents:
        doc, text = document["doc_id"], texts.get(document["doc_id"])
        if text is None or doc not in by_doc:
            continue
        spans = split_documents[doc]
        starts = [start for start, _, _, _ in spans]
        for claim in by_doc[doc]:
            n = bisect_right(starts, claim["start"]) - 1        # the sentence holding the claim's start
            if n >= 1 and spans[n - 1][2] == spans[n][2]:
                out[claim["id"]] = text[spans[n - 1][0]:spans[n - 1][1]]
    return out


def interleave(records, sentences):
    """The claims and the figure-less sentences in one document order (documents in the claims' order)."""
    if not sentences:
        return records
    order = {}
    for claim in records:
        order.setdefault(claim["doc_id"], len(order))
    for sentence in sentences:
        order.setdefault(sentence["doc_id"], len(order))
    return sorted(records + sentences, key=lambda r: (order[r["doc_id"]], r["start"]))
