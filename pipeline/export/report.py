"""report.html: one self-contained page (no network) for journalists.

Each document lists its claims in order, the sentence shown with its
quantities and sources marked, coloured by evidence label; filters by label,
kind and section work without a server.
"""

import html
from collections import Counter

from ..files import write_text

COLOURS = {"study-backed": "#2b7a3d", "anecdotal": "#b5651d", "unattributed": "#7a7a7a"}

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:1rem 1.5rem;color:#222}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.filters{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #eee;z-index:1}
.filters fieldset{display:inline-block;border:1px solid #ddd;margin:.2rem;padding:.2rem .5rem}
.claim{border-left:5px solid #999;margin:.6rem 0;padding:.3rem .7rem;background:#fafafa}
.claim .meta{font-size:.8rem;color:#555}
.q{background:#fff3b0;border-bottom:2px solid #d4a800;padding:0 2px}
.s{background:#dbeafe;border-bottom:2px solid #3b82f6;padding:0 2px}
.label{color:#fff;border-radius:3px;padding:0 .35rem;font-size:.75rem}
.counts{font-size:.85rem;color:#444}
.hidden{display:none}
"""

SCRIPT = """
function applyFilters(){
  const on = name => Array.from(document.querySelectorAll('input[name='+name+']:checked')).map(i => i.value);
  const ev = on('evidence'), kinds = on('kind'), sections = on('section');
  let shown = 0;
  document.querySelectorAll('.claim').forEach(c => {
    const ok = ev.includes(c.dataset.evidence) && sections.includes(c.dataset.section)
      && c.dataset.kinds.split(' ').some(k => kinds.includes(k));
    c.classList.toggle('hidden', !ok); if (ok) shown++;
  });
  document.getElementById('shown').textContent = shown;
}
document.addEventListener('change', applyFilters);
document.addEventListener('DOMContentLoaded', applyFilters);
"""


def number(value):
    """10.0 -> '10', 1500000.0 -> '1,500,000', 0.5625 -> '0.5625'; None (an annotator left it out) -> '?'."""
    if value is None:
        return "?"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:.4g}"


def normalized(q):
    """'proportion 0.5625', 'frequency 0.5 per week', 'timeframe 2–4 week (approx)'."""
    value = number(q["value"]) if q["low"] is None else f"{number(q['low'])}–{number(q['high'])}"
    return " ".join([q["kind"], value] + ([q["unit"]] if q["unit"] else []) +
                    ([f"({q['qualifier']})"] if q["qualifier"] else []))


def marked_sentence(claim):
    """The sentence with quantity and source spans wrapped (non-overlapping, in order)."""
    base = claim["start"]
    marks = []
    for q in claim["quantities"]:
        if q["start"] is not None:
            marks.append((q["start"] - base, q["end"] - base, "q", normalized(q)))
    for s in claim["sources"]:
        if s["start"] is not None:
            marks.append((s["start"] - base, s["end"] - base, "s", f"source: {s['type']}"))
    marks.sort()
    text, out, pos = claim["text"], [], 0
    for start, end, cls, tip in marks:
        if start < pos or start < 0 or end > len(text):
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f'<span class="{cls}" title="{html.escape(tip)}">{html.escape(text[start:end])}</span>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def claim_html(claim):
    kinds = " ".join(sorted({q["kind"] for q in claim["quantities"]}))
    colour = COLOURS[claim["evidence"]]
    where = "article" if claim["section"] == "article" else f"comment #{claim['comment_index']} by {claim['author']}"
    sources = ", ".join(f"{s['text']} ({s['type']})" for s in claim["sources"]) or "none"
    values = "; ".join(f"{q['text']} → {normalized(q)}" for q in claim["quantities"])
    return (f'<div class="claim" style="border-color:{colour}" data-evidence="{claim["evidence"]}" '
            f'data-section="{claim["section"]}" data-kinds="{kinds}" id="{html.escape(claim["id"])}">'
            f'<div><span class="label" style="background:{colour}">{claim["evidence"]}</span>'
            f'{" <em>hedged</em>" if claim["hedged"] else ""} {marked_sentence(claim)}</div>'
            f'<div class="meta">{html.escape(where)} · sources: {html.escape(sources)} · {html.escape(values)}'
            f' · review: {claim["review"]}</div></div>')


def checkbox_group(name, values):
    boxes = "".join(f'<label><input type="checkbox" name="{name}" value="{v}" checked> {v}</label> ' for v in values)
    return f"<fieldset><legend>{name}</legend>{boxes}</fieldset>"


def write_report(path, documents, records):
    by_doc = {}
    for claim in records:
        by_doc.setdefault(claim["doc_id"], []).append(claim)
    kinds = sorted({q["kind"] for c in records for q in c["quantities"]})
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Quantitative claims</title>"
             f"<style>{STYLE}</style><script>{SCRIPT}</script></head><body>",
             f"<h1>Quantitative claims</h1><p class=counts>{len(records)} claims in {len(documents)} documents; "
             f"<span id=shown>{len(records)}</span> shown.</p>",
             '<div class="filters">', checkbox_group("evidence", list(COLOURS)), checkbox_group("kind", kinds),
             checkbox_group("section", ["article", "comment"]), "</div>"]
    for document in documents:
        claims = by_doc.get(document["doc_id"], [])
        counts = Counter(c["evidence"] for c in claims)
        summary = ", ".join(f"{counts[k]} {k}" for k in COLOURS if counts[k]) or "no claims"
        parts.append(f'<h2 id="{html.escape(document["doc_id"])}">{html.escape(document["title"] or document["doc_id"])}</h2>'
                     f'<p class=counts>{html.escape(document["doc_id"])} · {len(claims)} claims: {summary}</p>')
        parts.extend(claim_html(c) for c in claims)
    parts.append("</body></html>")
    write_text(path, "\n".join(parts))
