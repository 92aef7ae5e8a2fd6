"""The index's overview: claim counts as stacked bars (one segment per evidence label), laid out for SVG.

Every chart counts claims (a claim with two percentages counts once in "percentage"), so a bar's
link, which filters the search to what the bar counts, shows exactly as many claims as the bar says.
"""

from collections import Counter, defaultdict

# Labels are told apart by a glyph and a fill pattern as well as by colour (templates/charts.html).
ICONS = {"study-backed": "✔", "anecdotal": "◆", "unattributed": "?"}

WIDTH, LABEL_WIDTH, BAR_LEFT, BAR_WIDTH = 520, 196, 202, 280   # about the size a chart is shown at
ROW_HEIGHT, BAR_HEIGHT, TOP = 24, 17, 6


def short(text, limit=27):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def chart(key, title, caption, rows, labels, view_link):
    """rows: [(name, filter state, Counter of labels)] -> geometry for templates/charts.html."""
    biggest = max((sum(counts.values()) for _, _, counts in rows), default=0) or 1
    laid = []
    for n, (name, state, counts) in enumerate(rows):
        y, x, segments = TOP + n * ROW_HEIGHT, BAR_LEFT, []
        for label in labels:
            if counts[label]:
                width = counts[label] / biggest * BAR_WIDTH
                segments.append({"label": label, "count": counts[label], "x": round(x, 2), "w": round(width, 2),
                                 "href": view_link(**state, label=label),
                                 "title": f"{name}: {counts[label]} {label}"})
                x += width
        laid.append({"name": name, "short": short(name), "href": view_link(**state), "y": y,
                     "total": sum(counts.values()), "end": round(x, 2), "segments": segments})
    return {"key": key, "title": title, "caption": caption, "rows": laid, "width": WIDTH,
            "label_width": LABEL_WIDTH, "bar_height": BAR_HEIGHT,
            "height": TOP * 2 + max(len(rows), 1) * ROW_HEIGHT}


def overview(records, documents, vocab, top, view_link):
    """The four charts of the index, in reading order."""
    labels = vocab["labels"]
    per_doc, per_source, per_kind, per_section = (defaultdict(Counter) for _ in range(4))
    for claim in records:
        label = claim["evidence"]
        per_doc[claim["doc_id"]][label] += 1
        per_section[claim["section"]][label] += 1
        for kind in {q["kind"] for q in claim["quantities"]}:
            per_kind[kind][label] += 1
        # Narrators are the commenters themselves: a chart of "most cited" would list every commenter.
        for name in {s.get("canonical") or s["text"] for s in claim["sources"] if s.get("type") != "narrator"}:
            per_source[name][label] += 1

    def title_of(doc_id):
        return documents.get(doc_id, {}).get("title") or doc_id

    worst = sorted(per_doc, key=lambda d: (-per_doc[d]["unattributed"], -sum(per_doc[d].values()), d))[:top]
    cited = sorted(per_source, key=lambda s: (-sum(per_source[s].values()), s))[:top]
    return [
        chart("documents", "Documents with the most unsourced figures",
              "Claims per document by evidence label, most unattributed first" +
              (f": the top {len(worst)} of {len(per_doc)} documents." if len(worst) < len(per_doc) else "."),
              [(title_of(d), {"doc": d}, per_doc[d]) for d in worst], labels, view_link),
        chart("sources", "Most cited sources",
              "Claims citing each source (commenters' own accounts left out)" +
              (f": the top {len(cited)} of {len(per_source)} sources." if len(cited) < len(per_source) else "."),
              [(s, {"source": s}, per_source[s]) for s in cited], labels, view_link),
        chart("kinds", "Kinds of quantities", "Claims with at least one figure of each kind.",
              [(k, {"kind": k}, per_kind[k]) for k in vocab["kinds"] if per_kind[k]], labels, view_link),
        chart("sections", "Comments vs article", "Claims in the articles and in reader comments.",
              [(s, {"section": s}, per_section[s]) for s in vocab["sections"] if per_section[s]], labels,
              view_link),
    ]
