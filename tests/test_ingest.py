"""Ingest: segmentation of the sample corpus and of hand-written layouts, and bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.errors import InputError
from pipeline.ingest import ingest_document, run
from pipeline.ingest.segment import segment

from .conftest import CORPUS, FIXTURES, ROOT


def comments(record):
    """{index: (author, parent, date)} of a document's comments."""
    out = {}
    for s in record["segments"]:
        if s["kind"] == "comment":
            out.setdefault(s["index"], (s["author"], s["parent"], s["date"]))
    return out


def texts(path, record, kind):
    text = Path(path).read_text(encoding="utf-8")
    return [text[s["start"]:s["end"]].strip() for s in record["segments"] if s["kind"] == kind]


def assert_covers(text, segments):
    assert segments[0]["start"] == 0 and segments[-1]["end"] == len(text)
    for a, b in zip(segments, segments[1:]):
        assert a["end"] == b["start"], (a, b)
        assert a["start"] < a["end"]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.stem[:3])
def test_segments_cover_each_sample_document_exactly(path):
    record = ingest_document(path)
    assert_covers(path.read_text(encoding="utf-8"), record["segments"])


def test_wordpress_thread_of_sample_000_authors_and_parents():
    record = ingest_document(CORPUS / "000_53bf8ff8aa0bde55.txt")
    got = {i: (a, p) for i, (a, p, _) in comments(record).items()}
    assert got == {
        1: ("Richard", None), 2: ("Joseph", 1), 3: ("Richard Howlin", 2), 4: ("Joseph", 3),
        5: ("Richard Howlin", 4), 6: ("Joseph", 4), 7: ("Richard Howlin", 4), 8: ("Joseph", 4),
        9: ("Richard Howlin", 4), 10: ("Monika Lauer", None), 11: ("Elin", None), 12: ("Rockgal", None),
        13: ("King Crimson", 12),            # no name line; signed at the bottom
        14: ("Elin Newton", 13), 15: ("Anonymous", 14), 16: ("Elin", 15), 17: ("Finn", 15),
        18: ("Richard", 15), 19: ("Rockgal", 13), 20: ("chris Summers", 12),
        21: ("Anonymous", None),             # "5. Hi everybody." has no name line
        22: ("Anonymous", None),             # the lost comment 6, after a double blank line
        23: ("Jane", None), 24: ("Richard", 23), 25: ("Jane", None), 26: ("Richard", 25), 27: ("Jane", None),
    }


def test_sample_000_article_ends_before_furniture():
    path = CORPUS / "000_53bf8ff8aa0bde55.txt"
    record = ingest_document(path)
    article = "\n".join(texts(path, record, "article"))
    assert "In a small 2006" in article and "Richard J. Hodes" in article
    furniture = "\n".join(texts(path, record, "furniture"))
    for bit in ("Photo: Julia", "Share this:", "32 Responses", "Related Posts", "February 23, 2024", "More about me"):
        assert bit in furniture and bit not in article


@pytest.mark.parametrize("stem,kind,snippet", [
    ("001_715ba4a1d9a7906f", "furniture", "Back to Blog List"),
    ("001_715ba4a1d9a7906f", "furniture", "Learn about depression, including symptoms"),
    ("001_715ba4a1d9a7906f", "furniture", "Bipolar DisordersDepression"),
    ("001_715ba4a1d9a7906f", "article", "*APA Council of Research"),
    ("002_fefda87a930da40c", "furniture", "Stay up-to-date on our research reviews"),
    ("002_fefda87a930da40c", "article", "18 of the 20 patients studied"),
    ("003_fa9334d1e693ae5f", "furniture", "Help your dog stay calm"),
    ("003_fa9334d1e693ae5f", "article", "Feelings of sadness."),
    ("003_fa9334d1e693ae5f", "furniture", "Your email will not be published"),
    ("004_dc2d9b10ce66d02d", "article", "1. What is Ketamine and how does it work for depression?"),
    ("004_dc2d9b10ce66d02d", "references", "Browne, C. A., Smith"),
    ("004_dc2d9b10ce66d02d", "references", "Zheng, W., Cai, D. B."),
])
def test_sample_segment_kinds(stem, kind, snippet):
    path = CORPUS / f"{stem}.txt"
    record = ingest_document(path)
    assert any(snippet in t for t in texts(path, record, kind)), f"{snippet!r} not in {kind}"


def test_sample_news_comment_with_date_line():
    record = ingest_document(CORPUS / "003_fa9334d1e693ae5f.txt")
    assert comments(record) == {1: ("Starli Brighton", None, "1 year ago")}


@pytest.mark.parametrize("stem", ["001_715ba4a1d9a7906f", "002_fefda87a930da40c", "004_dc2d9b10ce66d02d"])
def test_sample_documents_without_comments(stem):
    assert comments(ingest_document(CORPUS / f"{stem}.txt")) == {}


@pytest.mark.parametrize("name,expected,in_comments,not_in_comments", [
    ("disqus.txt", {1: ("Maria Gonzalez", None, "2 years ago"), 2: ("Tom B.", 1, "a year ago"),
                    3: ("sleepyhead", None, "3 months ago")},
     ["300 mg every night", "1 in 3 of his customers", "after two weeks"],
     ["Reply", "Share ›", "5 △ ▽", "500 mg daily"]),
    ("forum.txt", {1: ("jdoe42", None, "March 3, 2021"), 2: ("Kate_R", 1, "March 4, 2021 at 5:12 pm"),
                   3: ("mike", None, "March 5, 2021")},
     ["2,000 IU daily", "about six months", "60% of trials"],
     ["Joined: Jan 2019", "600 to 800 IU"]),
    ("news.txt", {1: ("Ann Whitfield", None, "5 days ago"), 2: ("Robert Chen", None, "2 hours ago")},
     ["3 hours last week", "Twice a month"],
     ["Required fields", "40 minutes"]),
    ("dateless.txt", {1: ("Hannah O.", None, None), 2: ("Dev Patel", None, None), 3: ("The author", None, None)},
     ["in 2 years", "three colds since October", "for the mood alone", "only counted sick days"],
     ["120 winter swimmers", "Comments"]),
    ("dotted.txt", {1: ("OwlAtNoon", None, "14/11/2026 22:10"), 2: ("Pillowfort_Pete", None, "14/11/2026 22:31"),
                    3: ("OwlAtNoon", None, "14/11/2026 22:40"), 4: ("Marigold Rae", None, "15/11/2026, 7:05 am")},
     ["17 minutes faster", "46 older adults", "200mg before bed"],
     ["OwlAtNoon ·", "Does magnesium"]),
    ("network.txt", {1: ("Dr Mei Tanaka", None, None), 2: ("Sam Whitlock", None, None), 3: ("Jordan Okafor", 2, None)},
     ["about 18 grams a day", "two fibre-rich sides", "love that"],
     ["185 studies", "Like · Comment", "Head Chef"]),
    ("reddit.txt", {1: ("u/saltless_sam", None, None), 2: ("u/nitrate_nina", None, None),
                    3: ("u/saltless_sam", 2, None), 4: ("u/nitrate_nina", 3, None),
                    5: ("u/pharmacist_pj", None, None)},
     ["about 4 mmHg", "for a month", "70 ml with breakfast", "1 in 5 people"],
     ["u/saltless_sam (OP)", "replying to"]),
    ("wordpress.txt", {1: ("Alice", None, None), 2: ("Bob", 1, None), 3: ("Carol", 2, None), 4: ("Dave", None, None)},
     ["75 mg a day", "3 days shorter", "Thanks Bob", "Never worked"],
     ["Jo Writer", "4 Responses", "Example Health"]),
])
def test_comment_layouts(name, expected, in_comments, not_in_comments):
    path = FIXTURES / "layouts" / name
    record = ingest_document(path)
    assert_covers(path.read_text(encoding="utf-8"), record["segments"])
    assert comments(record) == expected
    body = "\n".join(texts(path, record, "comment"))
    for bit in in_comments:
        assert bit in body
    for bit in not_in_comments:
        assert bit not in body


def test_banner_before_title_is_furniture():
    path = FIXTURES / "layouts" / "wordpress.txt"
    record = ingest_document(path)
    assert record["title"] == "Zinc and Colds"
    assert "Save 20% on pet food" in texts(path, record, "furniture")[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "Title line", "", "  ", "Some article text with 5 numbers.", "Share this:", "12 Responses",
    "  1. Alice", "    1. Hi Bob, thanks", "Bob", "• 2 years ago", "Reply", "Posted by x on May 1, 2020",
    "References", "Smith, J. (2020). Title. Journal, 1(2), 3-4.", "\u00a0", "caf\u00e9 \u2014 ok", "\r",
]), min_size=1, max_size=30), st.sampled_from(["\n", "\r\n"]))
def test_segments_always_cover_any_text(lines, newline):
    text = newline.join(lines) + "x"
    segments, _ = segment(text)
    assert_covers(text, segments)


# -- bad input ---------------------------------------------------------------

def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("content,message", [
    (b"", "empty document"),
    (b"  \n\n \t", "empty document"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
])
def test_bad_documents_fail_with_file_name_and_no_output(tmp_path, content, message):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Title\n\nText with 5 mg.\n", encoding="utf-8")
    (corpus / "bad.txt").write_bytes(content)
    out = tmp_path / "out"
    result = cli("ingest", "--corpus", str(corpus), "--out", str(out))
    assert result.returncode == 2
    assert str(corpus / "bad.txt") in result.stderr and message in result.stderr
    assert not (out / "documents.jsonl").exists()
    assert not list(out.glob("*")) if out.exists() else True


def test_missing_corpus_folder(tmp_path):
    result = cli("ingest", "--corpus", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "corpus folder not found" in result.stderr


def test_cp1252_is_decoded_with_a_warning_and_recorded(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "latin.txt").write_bytes("Caf\u00e9 study\n\nIt costs \u00a39 \u2013 cheap.\n".encode("cp1252"))
    result = cli("ingest", "--corpus", str(corpus), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "latin.txt:1: not UTF-8; decoded as cp1252" in result.stderr
    record = json.loads((tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8"))
    assert record["encoding"] == "cp1252" and record["chars"] == len("Caf\u00e9 study\n\nIt costs \u00a39 \u2013 cheap.\n")


def test_a_20_mb_document_is_segmented(tmp_path):
    page = (FIXTURES / "layouts" / "wordpress.txt").read_text(encoding="utf-8")
    body = "Zinc study paragraph with 12 patients and 40 minutes of waiting.\n\n" * 320_000
    big = tmp_path / "c"
    big.mkdir()
    (big / "big.txt").write_text(page.replace("Originally published", body + "Originally published"), encoding="utf-8")
    assert (big / "big.txt").stat().st_size > 20_000_000
    records = run(big, tmp_path / "out")
    assert records[0]["chars"] > 20_000_000
    assert {s["kind"] for s in records[0]["segments"]} >= {"title", "article", "comment", "furniture"}


def test_manifest_errors_name_the_line(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Title\n\nText.\n", encoding="utf-8")
    (corpus / "manifest.yaml").write_text("documents:\n  a: {title: 'x'\n  b: 2\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        run(corpus, tmp_path / "out")
    assert "manifest.yaml:" in str(err.value) and "not valid YAML" in str(err.value)
