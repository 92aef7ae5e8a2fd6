"""The report's files without a browser: escaping, sizes that do not grow with the corpus, links, rewrites."""

import importlib.util
import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline.errors import InputError
from pipeline.export import validate_records
from pipeline.export.report import CHUNK, LINK_GROUPS_ON_INDEX, LINK_GROUPS_PER_PAGE, link_groups, page_name, write_report

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("report_speed", ROOT / "bench" / "report_speed.py")
report_speed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(report_speed)

EVIL = "<script>window.__xss = 1</script>"


def hostile_corpus():
    """One document whose title, sentence, author, source and note try to inject markup, plus values
    this code does not know yet (a new kind, a new label, a source role and cue)."""
    sentence = f"A trial found 45% of patients improved {EVIL} said the <b>Lancet</b>."
    comment = "I took 20 mg & felt <i>fine</i>."
    title = f"Title {EVIL}"
    text = f"{title}\n\n{sentence}\n\n{comment}\n"
    s0, c0 = text.index(sentence), text.index(comment)
    document = {"doc_id": "evil doc/1", "title": title, "outlet": None, "segments": [
        {"kind": "title", "start": 0, "end": s0, "author": None, "index": None, "parent": None, "date": None},
        {"kind": "article", "start": s0, "end": c0, "author": None, "index": None, "parent": None, "date": None},
        {"kind": "comment", "start": c0, "end": len(text), "author": "<img src=x onerror=alert(1)>", "index": 1,
         "parent": None, "date": "<u>today</u>"}]}
    lancet = s0 + sentence.index("<b>Lancet</b>")
    claims = [
        {"id": "evil-1", "doc_id": "evil doc/1", "text": sentence, "start": s0, "end": s0 + len(sentence),
         "section": "article", "author": None, "comment_index": None,
         "quantities": [{"text": "45%", "start": s0 + sentence.index("45%"), "end": s0 + sentence.index("45%") + 3,
                         "kind": "percentage", "value": 45.0, "low": None, "high": None, "unit": "%", "qualifier": None},
                        {"text": "2.5 m", "start": None, "end": None, "kind": "measurement", "value": 2.5, "low": None,
                         "high": None, "unit": "metre", "qualifier": None}],
         "sources": [{"text": "<b>Lancet</b>", "start": lancet, "end": lancet + 13, "type": "journal",
                      "canonical": "</script><script>window.__xss = 2</script>", "role": "research", "cue": "said"}],
         "evidence": "study-backed", "evidence_cues": [], "hedged": False, "review": "machine", "note": EVIL},
        {"id": "evil-2", "doc_id": "evil doc/1", "text": comment, "start": c0, "end": c0 + len(comment),
         "section": "comment", "author": "<img src=x onerror=alert(1)>", "comment_index": 1,
         "quantities": [{"text": "20 mg", "start": c0 + 7, "end": c0 + 12, "kind": "dose", "value": 20.0, "low": None,
                         "high": None, "unit": "mg", "qualifier": None}],
         "sources": [], "evidence": "<em>new-label</em>", "evidence_cues": [], "hedged": True, "review": "machine"},
    ]
    return [document], {"evil doc/1": text}, claims


@pytest.fixture
def hostile_report(tmp_path):
    documents, texts, claims = hostile_corpus()
    write_report(tmp_path / "report.html", documents, claims, texts)
    return tmp_path


def test_markup_in_the_data_is_shown_as_text_never_run(hostile_report):
    pages = [hostile_report / "report.html", *(hostile_report / "report").glob("*.html")]
    assert len(pages) == 2
    for page in pages:
        source = page.read_text(encoding="utf-8")
        assert "__xss" not in source or "&lt;script&gt;window.__xss" in source, page.name
        assert "<script>window.__xss" not in source and "<img src=x" not in source and "<em>new-label" not in source
        assert "<b>Lancet" not in source and "<i>fine" not in source
    doc_page = lxml_html.parse(str(hostile_report / "report" / page_name("evil doc/1"))).getroot()
    assert doc_page.xpath("//script") == []
    marks = doc_page.xpath("//mark[contains(@class, 'claim')]")
    assert len(marks) == 2 and EVIL in marks[0].text_content() and "<i>fine</i>" in marks[1].text_content()
    assert doc_page.xpath("//li[@class='comment']//span[@class='author']")[0].text == "<img src=x onerror=alert(1)>"
    assert EVIL in doc_page.findtext(".//h1")
    index = lxml_html.parse(str(hostile_report / "report.html")).getroot()
    inline = [s for s in index.xpath("//script") if not s.get("src")]
    assert len(inline) == 2     # the vocabulary (JSON) and the search script: nothing from the data
    # The data files are scripts: JSON with every <, > and & escaped, so nothing can close a tag.
    for data in (hostile_report / "report" / "data").glob("*.js"):
        assert not re.search(r"[<>&]", data.read_text(encoding="utf-8")), data.name


def test_values_this_code_does_not_know_are_shown_not_dropped(hostile_report):
    index = (hostile_report / "report.html").read_text(encoding="utf-8")
    assert 'value="measurement"' in index and 'value="&lt;em&gt;new-label&lt;/em&gt;"' in index
    page = (hostile_report / "report" / page_name("evil doc/1")).read_text(encoding="utf-8")
    assert "2.5 m → measurement 2.5 metre" in page and "(journal, research)" in page


def test_page_names_are_safe_file_names():
    assert page_name("004_dc2d9b10ce66d02d") == "004_dc2d9b10ce66d02d.html"
    odd = page_name("../a b/c")
    assert re.fullmatch(r"[A-Za-z0-9_.-]+\.html", odd) and "/" not in odd and not odd.startswith(".")
    assert page_name("../a b/c") != page_name("../a_b/c")


def test_synthetic_claims_are_valid_records():
    documents, texts, records, _ = report_speed.synthetic(200, n_links=5)
    validate_records(records, "synthetic")
    for claim in records:
        text = texts[claim["doc_id"]]
        assert text[claim["start"]:claim["end"]] == claim["text"]
        assert all(text[q["start"]:q["end"]] == q["text"] for q in claim["quantities"])


def test_no_page_grows_with_the_corpus(tmp_path):
    built = {}
    for n in (400, 4000):
        documents, texts, records, links = report_speed.synthetic(n, n_links=n // 20)
        out = tmp_path / str(n)
        (out).mkdir()
        (out / "links.jsonl").write_text("".join(json.dumps(g) + "\n" for g in links), encoding="utf-8")
        write_report(out / "report.html", documents, records, texts)
        built[n] = report_speed.sizes(out)
        built[n]["largest_doc_page"] = max(p.stat().st_size for p in (out / "report").glob("syn*.html"))
        for page in (out / "report").glob("_links-*.html"):
            assert page.read_text(encoding="utf-8").count('class="group') <= LINK_GROUPS_PER_PAGE
        assert built[n]["data_files"] == 1 + -(-n // CHUNK)        # documents.js + the claim chunks
        assert {p.name for p in (out / "report").glob("syn*.html")} == {f"{d['doc_id']}.html" for d in documents}
    # Ten times the claims: the index is the same size give or take its figures; each page is bounded.
    assert abs(built[4000]["index"] - built[400]["index"]) < 0.05 * built[400]["index"]
    assert built[4000]["largest_doc_page"] < 1.2 * built[400]["largest_doc_page"]
    assert built[4000]["largest_data"] < 1.2 * 1024 * 1024


def test_links_disagreements_first_and_missing_claims_named(tmp_path):
    documents, texts, records, links = report_speed.synthetic(300, n_links=40)
    by_id = {c["id"]: c for c in records}
    for n, group in enumerate(links):          # a mix of verdicts, the agreeing ones first in the file
        for comparison in group["comparisons"]:
            comparison["verdict"] = ("same", "rounded", comparison["verdict"])[n % 3] if n < 30 else "differs"
    links[-1]["claims"].append({"claim_id": "gone-1", "doc_id": documents[0]["doc_id"], "section": "article"})
    groups = link_groups(links, by_id, {d["doc_id"]: d for d in documents}, lambda d, c=None: f"{d}.html#{c}")
    assert any(g["differs"] for g in groups) and any(not g["differs"] for g in groups)
    flags = [bool(g["differs"]) for g in groups]
    assert flags == sorted(flags, reverse=True)
    for group in groups:
        verdicts = [c["verdict"] for c in group["comparisons"]]
        assert verdicts == sorted(verdicts, key=["differs", "range_contains", "rounded", "same"].index)
        if group["differs"]:
            assert group["comparisons"][0]["b"] in {f.get("id") for f in group["figures"][:2]}
    assert [f["missing"] for g in groups for f in g["figures"] if f["missing"]] == ["gone-1"]
    (tmp_path / "links.jsonl").write_text("".join(json.dumps(g) + "\n" for g in links), encoding="utf-8")
    write_report(tmp_path / "report.html", documents, records, texts)
    index = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert index.count('class="group') == LINK_GROUPS_ON_INDEX and "_links-1.html" in index
    assert (tmp_path / "report" / "_links-1.html").read_text(encoding="utf-8").count('class="group') == len(links)


def test_a_bad_links_file_is_named_with_its_line(tmp_path):
    documents, texts, records, _ = report_speed.synthetic(20)
    (tmp_path / "links.jsonl").write_text('{"id": "g1", "claims": []}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"links\.jsonl:2"):
        write_report(tmp_path / "report.html", documents, records, texts)
    assert not (tmp_path / "report.html").exists() and not (tmp_path / "report").exists()


def test_a_rebuild_replaces_the_pages_and_leaves_no_temporary_files(tmp_path):
    documents, texts, records, _ = report_speed.synthetic(60)
    write_report(tmp_path / "report.html", documents, records, texts)
    assert len(list((tmp_path / "report").glob("syn*.html"))) == 6
    write_report(tmp_path / "report.html", documents[:2], [c for c in records if c["doc_id"] in
                                                           {d["doc_id"] for d in documents[:2]}], texts)
    assert sorted(p.name for p in (tmp_path / "report").glob("*.html")) == ["syn000000.html", "syn000001.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "report.html"]
