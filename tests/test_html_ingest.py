"""HTML ingest: article, metadata and comment threads from saved pages; bad pages; the .txt fixes."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from ruamel.yaml import YAML

from pipeline.errors import InputError
from pipeline.ingest import ingest_document
from pipeline.ingest.comments import PageComment
from pipeline.ingest.html import build_record, compose, looks_like_html, page_record
from pipeline.ingest.reader import document_texts

from .conftest import FIXTURES, ROOT

PAGES = FIXTURES / "html"
CASES = YAML(typ="safe").load((Path(__file__).parent / "cases" / "html_pages.yml").read_text(encoding="utf-8"))
MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|[{}]|&[a-z]+;|\b[\w-]+\s*:\s*[\d.]+(px|em|rem|%)|\bfunction\s*\(|=>")


def paragraphs(text, record, kind):
    out = []
    for s in record["segments"]:
        if s["kind"] == kind:
            out += [p.strip() for p in re.split(r"\n\s*\n", text[s["start"]:s["end"]]) if p.strip()]
    return out


def thread(text, record):
    """[(author, date, parent, text)] of each comment, in page order."""
    found = {}
    for s in record["segments"]:
        if s["kind"] == "comment":
            a, d, p, t = found.get(s["index"], (s["author"], s["date"], s["parent"], ""))
            found[s["index"]] = (a, d, p, t + text[s["start"]:s["end"]])
    assert sorted(found) == list(range(1, len(found) + 1))
    return [found[i] for i in sorted(found)]


@pytest.fixture(scope="module")
def built():
    return {name: build_record((PAGES / name).read_bytes(), Path(name).stem, PAGES / name, "out")
            for name in CASES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_title_meta_article_and_comments(name, built):
    case, (record, text) = CASES[name], built[name]
    assert record["title"] == case["title"]
    assert {k: record["meta"][k] for k in case["meta"]} == case["meta"]
    got = paragraphs(text, record, "article")
    assert len(got) == len(case["article"]), got
    for paragraph, start in zip(got, case["article"]):
        assert paragraph.startswith(start), (paragraph, start)
    comments = thread(text, record)
    assert [(a, d, p) for a, d, p, _ in comments] == [(a, d, p) for a, d, p, _ in case["comments"]]
    for (_, _, _, body), (_, _, _, words) in zip(comments, case["comments"]):
        assert words in body
    for bit in case["absent"]:
        assert bit not in text, bit


@pytest.mark.parametrize("name", sorted(CASES))
def test_segments_cover_the_text_and_comments_are_not_article(name, built):
    record, text = built[name]
    segs = record["segments"]
    assert segs[0]["start"] == 0 and segs[-1]["end"] == len(text) == record["chars"]
    assert all(a["end"] == b["start"] for a, b in zip(segs, segs[1:]))
    assert segs[0]["kind"] == "title" and text[:segs[0]["end"]].strip() == record["title"]
    article = "\n".join(paragraphs(text, record, "article"))
    for comment in paragraphs(text, record, "comment"):
        assert comment not in article
    assert not MARKUP.search(article + "\n".join(paragraphs(text, record, "comment")))


def test_record_contract_text_file_and_document_texts(tmp_path):
    html = (PAGES / "wordpress.html").read_bytes()
    record = page_record(html, "wp", PAGES / "wordpress.html", tmp_path)
    written = Path(record["path"])
    assert written == tmp_path / "text" / "wp.txt"
    assert record["format"] == "html" and record["source"] == str(PAGES / "wordpress.html")
    assert set(record["meta"]) == {"title", "author", "date", "site_name", "url", "language"}
    text = written.read_text(encoding="utf-8")
    assert document_texts([record]) == {"wp": text} and len(text) == record["chars"]
    assert page_record(html.decode("utf-8"), "wp", "x", tmp_path)["segments"] == record["segments"]   # str in


def test_manifest_entry_wins_for_title_and_gives_a_missing_url():
    html = (PAGES / "scripts_styles.html").read_bytes()          # no canonical link in this page
    record, text = build_record(html, "walk", "walk.html", "out",
                                {"title": "Is a 10-minute walk after dinner worth it?", "outlet": "FitDaily Mag",
                                 "url": "https://fitdaily.example/walk"})
    assert record["outlet"] == "FitDaily Mag" and record["meta"]["url"] == "https://fitdaily.example/walk"
    assert text.startswith("Is a 10-minute walk after dinner worth it?\n\nA short walk")


def test_meta_charset_of_a_non_utf8_page_is_honoured():
    html = ('<html><head><meta charset="iso-8859-1"><title>Caf\u00e9 pr\u00eat</title></head><body>'
            '<article><p>Un caf\u00e9 co\u00fbte 2,50 \u20ac ici, mais \u00bd tasse suffit pour 80 % des gens.</p>'
            '</article></body></html>').encode("cp1252")
    record, text = build_record(html, "fr", "fr.html", "out")
    assert record["source_encoding"] == "cp1252" and record["title"] == "Caf\u00e9 pr\u00eat"
    assert "co\u00fbte 2,50 \u20ac ici, mais \u00bd tasse" in text


@pytest.mark.parametrize("name,data,message", [
    ("empty.html", b"", "empty"),
    ("blank.html", b"  \n\t\n", "empty"),
    ("empty_body.html", b"<!DOCTYPE html><html><head><title>Soon</title></head><body>\n</body></html>",
     "no article text and no comments"),
    ("only_script.html", b"<html><body><script>var a = {\"width\": \"100%\", \"n\": 50};</script>"
                         b"<style>p{width:50%}</style></body></html>", "no article text and no comments"),
    ("malformed.html", b"<html><head><title>Broken</ti\x00\x00\x01\x02<<<>>></body", "binary"),   # not text at all
    ("truncated.html", b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Cut off</title><scr",
     "no article text and no comments"),
    ("lies.html", b"<html><head><meta charset=\"utf-8\"></head><body><p>Caf\xe9 50% off</p></body></html>",
     "is not utf-8"),
    ("unknown.html", b"<html><head><meta charset=\"x-klingon\"></head><body><p>Text 5 mg</p></body></html>",
     "unknown encoding"),
])
def test_bad_pages_exit_2_naming_the_file_and_write_nothing(tmp_path, name, data, message):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    shutil.copy(PAGES / "wordpress.html", corpus / "a_good.html")     # read first, must not be written either
    (corpus / name).write_bytes(data)
    result = subprocess.run([sys.executable, "-m", "pipeline", "ingest", "--corpus", str(corpus), "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert name in result.stderr and message in result.stderr
    assert not out.exists()
    with pytest.raises(InputError):
        build_record(data, "x", name, "out")


def test_txt_that_is_html_is_read_as_a_page_with_a_notice(tmp_path, capsys):
    from pipeline.ingest import run
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PAGES / "disqus.html", corpus / "saved.txt")
    records = run(corpus, tmp_path / "out")
    assert "saved.txt: this .txt file is a web page" in capsys.readouterr().err
    assert records[0]["format"] == "html" and records[0]["title"] == CASES["disqus.html"]["title"]
    assert looks_like_html("\ufeff <!-- saved --> <!DOCTYPE html><html>") and not looks_like_html("Title <b>x</b>")


def test_pages_through_ingest_and_nlp_give_clean_claims(tmp_path):
    """The real extract stage on every fixture page: claims hold no markup, come from article and
    comments only, and carry the comment's author."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    for name in CASES:
        shutil.copy(PAGES / name, corpus / name)
    for stage in ("ingest", "nlp"):
        result = subprocess.run([sys.executable, "-m", "pipeline", stage, "--corpus", str(corpus), "--out", str(out),
                                 *(["--jobs", "1"] if stage == "nlp" else [])], capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
    documents = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = document_texts(documents)
    claims = [json.loads(line) for line in (out / "machine_claims.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(claims) >= 20
    by_doc = {}
    for claim in claims:
        assert not MARKUP.search(claim["text"]), claim["text"]
        assert claim["section"] in ("article", "comment")
        assert texts[claim["doc_id"]][claim["start"]:claim["end"]] == claim["text"]
        for source in claim["sources"]:
            assert not MARKUP.search(source["text"] or ""), source
        by_doc.setdefault(claim["doc_id"], []).append(claim)
    absent = {Path(name).stem: case["absent"] for name, case in CASES.items()}
    for doc_id, found in by_doc.items():
        for claim in found:
            assert not any(bit in claim["text"] for bit in absent[doc_id] if len(bit) > 3), claim["text"]
    sick_days = [c for c in by_doc["disqus"] if "29% fewer sick days" in c["text"]]
    assert sick_days and sick_days[0]["section"] == "article"
    cramps = [c for c in by_doc["wordpress"] if "400 mg" in c["text"]]
    assert cramps and cramps[0]["section"] == "comment" and cramps[0]["author"] == "Bob Tanaka"
    assert any(c["author"] == "Kate_R" and "4,000 IU" in c["text"] for c in by_doc["forum"])


@settings(max_examples=150, deadline=None)
@given(title=st.one_of(st.none(), st.text(min_size=1, max_size=30).filter(str.strip)),
       article=st.lists(st.text(min_size=1, max_size=60).filter(str.strip), max_size=6),
       bodies=st.lists(st.lists(st.text(min_size=1, max_size=40).filter(str.strip), min_size=1, max_size=3),
                       max_size=4))
def test_compose_never_loses_or_misplaces_text(title, article, bodies):
    clean = lambda s: " ".join(s.split())      # what paragraphs() hands compose: no blank lines inside
    article = [clean(p) for p in article if clean(p)]
    comments = [PageComment(author=f"u{n}", date=None, paragraphs=[clean(p) for p in b if clean(p)] or ["x"],
                            parent=n - 1 if n else None) for n, b in enumerate(bodies)]
    title = clean(title) if title and clean(title) else None
    text, segments = compose(title, article, comments)
    if not (title or article or comments):
        assert (text, segments) == ("", [])
        return
    assert segments[0]["start"] == 0 and segments[-1]["end"] == len(text)
    assert all(a["end"] == b["start"] and a["start"] < a["end"] for a, b in zip(segments, segments[1:]))
    pieces = [p for p in re.split(r"\n\n", text.rstrip("\n"))]
    if title and article and article[0].lower() == title.lower():
        article = article[1:]                 # the <h1> repeating the title is dropped
    for p in article:
        assert p in pieces
    for n, comment in enumerate(comments, 1):
        mine = "".join(text[s["start"]:s["end"]] for s in segments if s["kind"] == "comment" and s["index"] == n)
        assert [p for p in re.split(r"\n\n", mine.strip("\n"))] == comment.paragraphs


# -- .txt ingest: counters, bylines, the furniture warning (issue 13, item 5) ------
TXT_CASES = [
    ("counter above the article",
     "Clinic Waits Fall\n80 Comments\n\nThe clinic said waits fell from 40 minutes to 15 minutes.\n\n"
     "A survey of 300 patients found 7 in 10 were satisfied.\n\nThe board meets in 2 weeks.\n",
     {"article": ["The clinic said waits fell", "A survey of 300 patients", "The board meets"], "comment": []}),
    ("view comments link",
     "Clinic Waits Fall\nView comments\n\nThe clinic said waits fell from 40 minutes to 15 minutes.\n\n"
     "Another 20% of visits were online.\n",
     {"article": ["The clinic said waits fell", "Another 20% of visits"], "comment": []}),
    ("byline published by NAME at DATE",
     "Clinic Waits Fall\n\nPublished by Jane Roe at April 21, 2022\n\n"
     "The clinic said waits fell from 40 minutes to 15 minutes.\n\nSome 20% of visits were online.\n",
     {"article": ["The clinic said waits fell", "Some 20% of visits"], "comment": []}),
    ("byline as name line and date line",
     "Clinic Waits Fall\n\nJane Roe\nApril 21, 2022\n\nThe clinic said waits fell from 40 minutes to 15 minutes.\n",
     {"article": ["The clinic said waits fell"], "comment": []}),
    ("a real thread after the counter still counts",
     "Clinic Waits Fall\n\nThe clinic said waits fell from 40 minutes to 15 minutes.\n\n2 Comments\n\n"
     "Ann Whitfield\n5 days ago\nMy mother waited 3 hours.\n\nRobert Chen\n2 hours ago\nTwice a month I go.\n",
     {"article": ["The clinic said waits fell"], "comment": ["My mother waited", "Twice a month"]}),
    ("forum thread that starts with a post header",
     "Vitamin D thread\n\nPosted by jdoe on March 3, 2021\nMy doctor said 2,000 IU.\n\n"
     "Posted by mike on March 5, 2021\nA review found no benefit in 60% of trials.\n",
     {"article": [], "comment": ["My doctor said", "A review found"]}),
]


@pytest.mark.parametrize("name,text,expected", TXT_CASES, ids=[c[0] for c in TXT_CASES])
def test_txt_counters_and_bylines(tmp_path, name, text, expected):
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    record = ingest_document(path)
    for kind, starts in expected.items():
        got = paragraphs(text, record, kind)
        assert len(got) == len(starts), (kind, got)
        assert all(g.startswith(s) for g, s in zip(got, starts)), (kind, got)


def test_txt_warns_naming_the_line_when_most_of_a_document_is_furniture(tmp_path, capsys):
    path = tmp_path / "doc.txt"
    path.write_text("Clinic Waits Fall\n\nShare this:\n\n" + "The clinic said waits fell by 40%.\n\n" * 6,
                    encoding="utf-8")
    ingest_document(path)
    err = capsys.readouterr().err
    assert f"{path}:3:" in err and "'Share this:'" in err and "furniture" in err
    path.write_text("Clinic Waits Fall\n\n" + "The clinic said waits fell by 40%.\n\n" * 6, encoding="utf-8")
    ingest_document(path)
    assert "furniture" not in capsys.readouterr().err


def _render(nodes, style):
    """WordPress or Disqus markup of a comment tree [(author, text, [children])]."""
    out = []
    for author, text, children in nodes:
        kids = _render(children, style)
        if style == "wordpress":
            out.append(f'<li class="comment"><article class="comment-body"><footer class="comment-meta">'
                       f'<div class="comment-author vcard"><b class="fn">{author}</b> <span class="says">says:</span>'
                       f'</div></footer><div class="comment-content"><p>{text}</p></div>'
                       f'<div class="reply"><a>Reply</a></div></article>'
                       + (f'<ol class="children">{kids}</ol>' if children else "") + "</li>")
        else:
            out.append(f'<li class="post"><div class="post-content"><header><span class="post-byline"><span '
                       f'class="author"><a>{author}</a></span></span></header><div class="post-message"><p>{text}</p>'
                       f'</div></div><ul class="children">{kids}</ul></li>')
    return "".join(out)


def _preorder(nodes, parent=None, out=None):
    out = [] if out is None else out
    for author, text, children in nodes:
        out.append((author, parent, text))
        _preorder(children, len(out), out)
    return out


_trees = st.recursive(st.just([]), lambda kids: st.lists(st.tuples(st.just(None), st.just(None), kids), max_size=3),
                      max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(shape=_trees, style=st.sampled_from(["wordpress", "disqus"]))
def test_any_nesting_of_replies_gives_every_comment_its_author_and_parent(shape, style):
    counter = iter(range(1000))

    def fill(nodes):
        return [(f"Reader {n}", f"Comment number {n} says 3 mg.", fill(children))
                for n, (_, _, children) in ((next(counter), node) for node in nodes)]
    tree = fill(shape)
    markup = _render(tree, style)
    markup = (f'<div id="comments"><ol class="comment-list">{markup}</ol></div>' if style == "wordpress"
              else f'<div id="disqus_thread"><ul id="post-list" class="post-list">{markup}</ul></div>')
    page = f"<html><body><article><h1>T</h1><p>An article with 5 mg of text.</p></article>{markup}</body></html>"
    record, text = build_record(page, "t", "t.html", "out")
    got = [(a, p, body.strip()) for a, _, p, body in thread(text, record)]
    assert got == _preorder(tree)
    assert paragraphs(text, record, "article") == ["An article with 5 mg of text."]



def test_markup_errors_a_browser_repairs_are_repaired_not_rejected():
    page = (b"<html><head><title>Unclosed tags</title><body><div class=entry><h1>Unclosed tags"
            b"<p>A trial of 40 adults found a 12% drop.<p>Another 5 mg dose <b>helped <i>most</b> people."
            b"</span></td><p>Follow-up lasted 2 years")
    record, text = build_record(page, "broken", "broken.html", "out")
    assert paragraphs(text, record, "article") == [
        "A trial of 40 adults found a 12% drop.", "Another 5 mg dose helped most people.", "Follow-up lasted 2 years"]


@pytest.mark.parametrize("page", [p.name for p in sorted(PAGES.glob("*.html"))] + ["form"])
def test_the_page_parser_gives_every_node_lxml_html_s_own_class(page):
    """Ingest's parser picks element classes in C; trafilatura relies on them being lxml.html's."""
    import lxml.html
    from pipeline.ingest.html import _parse

    html = ("<html><body><form><label>Dose<input name=d></label><select><option>5 mg</select>"
            "<textarea>t</textarea></form><!-- a comment --></body></html>" if page == "form"
            else (PAGES / page).read_text(encoding="utf-8"))
    expected = [type(node) for node in lxml.html.document_fromstring(html).iter()]
    assert [type(node) for node in _parse(html, page).iter()] == expected
    assert page != "form" or {c.__name__ for c in expected} >= {"FormElement", "InputElement", "HtmlComment"}
