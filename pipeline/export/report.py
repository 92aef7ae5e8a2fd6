"""The report journalists open: OUT/report.html plus OUT/report/ (one page per document, the data).

    OUT/report.html                 overview charts, "same source, different figures", search
    OUT/report/<doc>.html           one document: its text with the claims highlighted, comments threaded
    OUT/report/_links-<n>.html      every link group, when there are more than the index shows
    OUT/report/data/documents.js    [doc_id, title, page] per document
    OUT/report/data/claims-<n>.js   CHUNK claims each, one compact row per claim (ROW_FIELDS)

No page grows with the corpus: the index holds the charts (top CHART_ROWS rows each) and the
first LINK_GROUPS_ON_INDEX link groups; the search runs in the browser over the data files,
which the index loads with <script src> (that works from file://, where fetch() does not).
Everything is rendered by Jinja2 with autoescaping; the data files are JSON with <, > and &
escaped, and the page's script puts data into the page with textContent only.
"""

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections import Counter, defaultdict
from itertools import chain
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..files import read_jsonl, write_text
from ..vocab import EVIDENCE, EXPORTED_STATUSES, KINDS, SECTIONS
from . import charts

CHUNK = 2000                    # claims per data file (under 1 MB)
CHART_ROWS = 15                 # documents / sources shown in a chart
LINK_GROUPS_ON_INDEX = 20
LINK_GROUPS_PER_PAGE = 200
PAGE_DIR = "report"
# Layout of one claim row in data/claims-<n>.js; the page's script reads the positions from these names.
ROW_FIELDS = ("doc", "id", "text", "section", "author", "comment_index", "evidence", "review", "hedged",
              "quantities", "sources", "note")
QUANTITY_FIELDS = ("kind", "value", "low", "high", "unit", "qualifier", "start", "end", "text", "shown")
SOURCE_FIELDS = ("text", "type", "canonical", "start", "end", "role")
VERDICTS = ("differs", "range_contains", "rounded", "same")     # disagreements first

ENV = Environment(loader=PackageLoader("pipeline.export", "templates"), autoescape=True,
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
ENV.filters["counted"] = lambda n, word: f"{n:,} {word}{'' if n == 1 else 's'}"     # 1 claim, 2,000 claims


def number(value):
    """10.0 -> '10', 1500000.0 -> '1,500,000', 0.5625 -> '0.5625'; None (an annotator left it out) -> '?'."""
    if value is None:
        return "?"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:.4g}"


def normalized(q):
    """'proportion 0.5625', 'frequency 0.5 per week', 'timeframe 2–4 week (approx)'."""
    if q.get("value") is None and q.get("low") is None:
        value = []
    elif q.get("low") is None or q.get("high") is None:
        value = [number(q["value"])]
    else:
        value = [f"{number(q['low'])}–{number(q['high'])}"]
    return " ".join([q["kind"]] + value + ([q["unit"]] if q.get("unit") else []) +
                    ([f"({q['qualifier']})"] if q.get("qualifier") else []))


def vocabulary(records):
    """Kinds, labels, sections and statuses in display order: the project's sets, then any value the
    records carry that this code does not know yet (shown as is rather than dropped)."""
    def extend(known, seen):
        return list(known) + sorted(set(seen) - set(known))
    return {"kinds": extend(KINDS, (q["kind"] for c in records for q in c["quantities"])),
            "labels": extend(EVIDENCE, (c["evidence"] for c in records)),
            "sections": extend(SECTIONS, (c["section"] for c in records)),
            "statuses": extend(EXPORTED_STATUSES, (c["review"] for c in records))}


def page_name(doc_id):
    """File name of a document's page: the doc_id when it is a safe file name, else a slug + hash."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,100}", doc_id):
        return f"{doc_id}.html"
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", doc_id).strip("._")[:60] or "doc"
    return f"{slug}-{hashlib.sha1(doc_id.encode()).hexdigest()[:10]}.html"


def view_link(**state):
    """'#label=unattributed&doc=…': the index's filter state, as its script reads it."""
    return "#" + urlencode({k: v for k, v in state.items() if v not in (None, "")})


def source_name(source):
    return source.get("canonical") or source["text"]


def marked_parts(claim):
    """The sentence cut into [{"text", "mark": None|"q"|"s", "title"}] (marks in order, never overlapping)."""
    base, text = claim["start"], claim["text"]
    marks = sorted([(q["start"] - base, q["end"] - base, "q", q["text"] + " = " + normalized(q))
                    for q in claim["quantities"] if q.get("start") is not None] +
                   [(s["start"] - base, s["end"] - base, "s", "source: " + describe_source(s))
                    for s in claim["sources"] if s.get("start") is not None])
    parts, pos = [], 0
    for start, end, mark, title in marks:
        if start < pos or start < 0 or end > len(text):
            continue
        if start > pos:
            parts.append({"text": text[pos:start], "mark": None, "title": None})
        parts.append({"text": text[start:end], "mark": mark, "title": title})
        pos = end
    if pos < len(text):
        parts.append({"text": text[pos:], "mark": None, "title": None})
    return parts


def describe_source(source):
    """'The Lancet (journal, research)': type and, when present, the source's role."""
    extra = [source.get("type"), source.get("role")]
    return f"{source_name(source)} ({', '.join(e for e in extra if e)})"


def where(claim):
    if claim["section"] == "comment":
        return f"comment #{claim['comment_index']} by {claim['author'] or 'Anonymous'}"
    return claim["section"]


def claim_view(claim, documents, doc_link):
    """What the templates show of a claim."""
    document = documents.get(claim["doc_id"], {})
    return {"id": claim["id"], "label": claim["evidence"], "where": where(claim), "hedged": claim["hedged"],
            "review": claim["review"], "note": claim.get("note"), "parts": marked_parts(claim),
            "values": [f"{q['text']} → {normalized(q)}" for q in claim["quantities"]],
            "sources": [describe_source(s) for s in claim["sources"]],
            "cues": claim.get("evidence_cues") or [],
            "doc_title": document.get("title") or claim["doc_id"], "href": doc_link(claim["doc_id"], claim["id"])}


# ----------------------------------------------------------------------------- the index's data


def claim_row(claim, doc_index, vocab):
    """One claim as a compact row (ROW_FIELDS, with QUANTITY_FIELDS and SOURCE_FIELDS inside); vocabulary
    values as indexes into `vocab`, quantity and source offsets relative to the sentence."""
    def relative(item):
        return {k: None if item.get(k) is None else item[k] - claim["start"] for k in ("start", "end")}

    def quantity(q):
        values = q | relative(q) | {"kind": vocab["kinds"].index(q["kind"]), "shown": normalized(q)}
        return [values.get(f) for f in QUANTITY_FIELDS]

    def source(s):
        values = s | relative(s)
        return [values.get(f) for f in SOURCE_FIELDS]

    values = claim | {"doc": doc_index, "section": vocab["sections"].index(claim["section"]),
                      "evidence": vocab["labels"].index(claim["evidence"]),
                      "review": vocab["statuses"].index(claim["review"]), "hedged": int(bool(claim["hedged"])),
                      "quantities": [quantity(q) for q in claim["quantities"]],
                      "sources": [source(s) for s in claim["sources"]]}
    return [values.get(f) for f in ROW_FIELDS]


def script_data(call, value):
    """`REPORT.call(<json>);` with <, > and & escaped, so no data can ever close a <script>."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"REPORT.{call}({data});\n"


# ----------------------------------------------------------------------------- links.jsonl


def link_groups(links, by_id, documents, doc_link):
    """links.jsonl groups for the templates, disagreements first (groups, and comparisons in a group)."""
    rank = {v: n for n, v in enumerate(VERDICTS)}
    groups = []
    for group in links:
        comparisons = sorted(group.get("comparisons") or [], key=lambda c: rank.get(c.get("verdict"), len(rank)))
        disagreeing = [c for c in comparisons if c.get("verdict") == "differs"]
        first = {x for c in disagreeing for x in (c.get("a"), c.get("b"))}
        members = sorted(group.get("claims") or [], key=lambda m: m.get("claim_id") not in first)
        figures = []
        for member in members:
            claim = by_id.get(member.get("claim_id"))
            if claim is None:
                figures.append({"missing": member.get("claim_id"), "doc_title": documents.get(
                    member.get("doc_id"), {}).get("title") or member.get("doc_id")})
            else:
                figures.append(claim_view(claim, documents, doc_link) | {"missing": None})
        source = group.get("source") or {}
        groups.append({"id": group.get("id"), "source": source.get("canonical") or "(unnamed source)",
                       "type": source.get("type"), "figures": figures, "comparisons": comparisons,
                       "differs": len(disagreeing),
                       "worst": min((rank.get(c.get("verdict"), len(rank)) for c in comparisons), default=len(rank))})
    groups.sort(key=lambda g: (g["worst"], -g["differs"], str(g["id"])))
    return groups


def comparison_text(comparison):
    """'45 vs 40 percent: differs'."""
    def shown(value):
        return number(value) if isinstance(value, (int, float)) else str(value)
    unit = f" {comparison['unit']}" if comparison.get("unit") else ""
    return (f"{shown(comparison.get('a_value'))} vs {shown(comparison.get('b_value'))}{unit} "
            f"({comparison.get('kind') or 'figure'}): {str(comparison.get('verdict') or 'unknown').replace('_', ' ')}")


# ----------------------------------------------------------------------------- document pages


def threaded(comments):
    """Comments (merged by index) nested under their parents; an unknown parent makes a thread root."""
    by_index = {c["index"]: c for c in comments}
    roots = []
    for comment in comments:
        parent = by_index.get(comment["parent"])
        (parent["replies"] if parent is not None and parent is not comment else roots).append(comment)
    return roots


def text_pieces(text, start, end, claims, views):
    """text[start:end] cut into plain pieces and the claims inside it (each claim placed once);
    `views`: {claim id: its claim_view}."""
    pieces, pos = [], start
    for claim in claims:
        if claim["start"] < pos or claim["end"] > end:
            continue
        if claim["start"] > pos:
            pieces.append({"text": text[pos:claim["start"]], "claim": None})
        pieces.append({"text": None, "claim": views[claim["id"]]})
        pos = claim["end"]
    if pos < end:
        pieces.append({"text": text[pos:end], "claim": None})
    return pieces


def document_view(document, text, claims, documents, doc_link):
    """Article blocks, threaded comments and references of one document, claims placed in them."""
    claims = sorted(claims, key=lambda c: c["start"])
    views = {c["id"]: claim_view(c, documents, doc_link) for c in claims}      # one per claim: text and list share it
    blocks, comments, references = [], {}, []
    for segment in document.get("segments") or []:
        kind, start, end = segment.get("kind"), segment["start"], segment["end"]
        inside = [c for c in claims if start <= c["start"] < end]
        pieces = text_pieces(text, start, end, inside, views)
        if kind == "article":
            blocks.append(pieces)
        elif kind == "comment":
            comment = comments.setdefault(segment.get("index"), {
                "index": segment.get("index"), "parent": segment.get("parent"), "replies": [], "parts": [],
                "author": segment.get("author") or "Anonymous", "date": segment.get("date")})
            comment["parts"].append(pieces)
        elif kind == "references":
            references.append(pieces)
    placed = {p["claim"]["id"] for block in blocks + references for p in block if p["claim"]}
    placed |= {p["claim"]["id"] for c in comments.values() for part in c["parts"] for p in part if p["claim"]}
    return {"blocks": blocks, "threads": threaded(list(comments.values())), "references": references,
            "comment_count": len(comments),
            "claims": [views[c["id"]] | {"placed": c["id"] in placed} for c in claims],
            "unplaced": sum(c["id"] not in placed for c in claims)}


# ----------------------------------------------------------------------------- writing


def asset(name):
    """A static file of templates/ (CSS, JS), inlined verbatim into the pages."""
    return Markup(ENV.loader.get_source(ENV, name)[0])


def write_tree(folder, files):
    """Write (relative path, text) pairs as `folder`, replacing any earlier one: built beside it, then renamed.

    A text may be a string or an iterable of strings (a template's `generate()`): a long document's
    page is then written as it is rendered, never held whole."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for relative, text in files:
            target = building / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8") as fh:
                fh.writelines([text] if isinstance(text, str) else text)
        os.chmod(building, 0o755)
        old = folder.with_name(f".{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        building.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


class Report:
    """What every page of one report needs: the records by document and id, page names, links between pages."""

    def __init__(self, path, documents, records):
        self.path, self.documents, self.records = Path(path), documents, records
        self.vocab = vocabulary(records)
        self.by_doc_id = {d["doc_id"]: d for d in documents}
        self.by_id = {c["id"]: c for c in records}
        self.pages = {d["doc_id"]: page_name(d["doc_id"]) for d in documents}
        self.by_doc = defaultdict(list)
        for claim in records:
            self.by_doc[claim["doc_id"]].append(claim)
        self.common = {"css": asset("report.css"), "labels": self.vocab["labels"], "icons": charts.ICONS,
                       "index_href": f"../{self.path.name}"}

    def from_doc_page(self, doc_id, claim_id=None):
        return self.pages.get(doc_id, "") + (f"#{claim_id}" if claim_id else "")

    def from_index(self, doc_id, claim_id=None):
        return f"{PAGE_DIR}/{self.from_doc_page(doc_id, claim_id)}"

    def document_pages(self, texts):
        for document in self.documents:
            doc_id = document["doc_id"]
            claims = self.by_doc.get(doc_id, [])
            view = document_view(document, texts[doc_id], claims, self.by_doc_id, self.from_doc_page)
            yield self.pages[doc_id], ENV.get_template("document.html").generate(
                self.common, document=document, view=view, counts=Counter(c["evidence"] for c in claims),
                search_href=f"../{self.path.name}" + view_link(doc=doc_id))

    def link_pages(self, links):
        """report/_links-<n>.html, when there are more groups than the index shows."""
        groups = link_groups(links, self.by_id, self.by_doc_id, self.from_doc_page)
        if len(groups) <= LINK_GROUPS_ON_INDEX:
            return []
        names = [f"_links-{n + 1}.html" for n in range(-(-len(groups) // LINK_GROUPS_PER_PAGE))]
        return [(name, ENV.get_template("links.html").render(
            self.common, groups=groups[n * LINK_GROUPS_PER_PAGE:(n + 1) * LINK_GROUPS_PER_PAGE],
            comparison_text=comparison_text, page=n + 1, pages=names, total=len(groups)))
            for n, name in enumerate(names)]

    def data_files(self):
        """report/data/documents.js and claims-<n>.js: what the index's search reads."""
        doc_index = {d["doc_id"]: n for n, d in enumerate(self.documents)}
        yield "data/documents.js", script_data("addDocuments", [
            [d["doc_id"], d.get("title") or d["doc_id"], self.pages[d["doc_id"]]] for d in self.documents])
        for n in range(0, len(self.records), CHUNK):
            yield f"data/claims-{n // CHUNK + 1}.js", script_data("addClaims", [
                claim_row(c, doc_index[c["doc_id"]], self.vocab) for c in self.records[n:n + CHUNK]])

    def index(self, links, link_pages):
        groups = link_groups(links, self.by_id, self.by_doc_id, self.from_index) if links is not None else None
        data = [f"{PAGE_DIR}/data/documents.js"] + [f"{PAGE_DIR}/data/claims-{n // CHUNK + 1}.js"
                                                   for n in range(0, len(self.records), CHUNK)]
        return ENV.get_template("index.html").render(
            self.common, overview=charts.overview(self.records, self.by_doc_id, self.vocab, CHART_ROWS, view_link),
            vocab=self.vocab, total=len(self.records), documents=len(self.documents),
            totals=Counter(c["evidence"] for c in self.records),
            groups=groups[:LINK_GROUPS_ON_INDEX] if groups is not None else None, group_total=len(groups or []),
            link_pages=[f"{PAGE_DIR}/{name}" for name, _ in link_pages], comparison_text=comparison_text,
            data_files=data, script=asset("report.js"),
            meta={"page_dir": PAGE_DIR, "fields": ROW_FIELDS, "quantity_fields": QUANTITY_FIELDS,
                  "source_fields": SOURCE_FIELDS, "icons": charts.ICONS, **self.vocab})


def write_report(path, documents, records, texts, links_path=None):
    """OUT/report.html (the index) and OUT/report/ from the claims.jsonl records, documents.jsonl and
    the document texts. `links_path` defaults to links.jsonl next to the report; without it the
    "same source" section is left out. Pages are written as they are rendered (memory stays flat)."""
    path = Path(path)
    links_path = Path(links_path) if links_path else path.with_name("links.jsonl")
    links = read_jsonl(links_path) if links_path.exists() else None
    site = Report(path, documents, records)
    link_pages = site.link_pages(links) if links is not None else []
    write_tree(path.with_name(PAGE_DIR), chain(site.document_pages(texts), link_pages, site.data_files()))
    write_text(path, site.index(links, link_pages))
