"""Corpora as JSONL and Parquet tables: the same documents and claims as the same
texts in a folder, bad rows refused with file and line, texts never lost."""

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from pipeline import ingest
from pipeline.nlp import stage
from pipeline.errors import InputError
from pipeline.files import read_jsonl
from pipeline.ingest.reader import document_texts

from .conftest import CORPUS, FIXTURES, ROOT

TABLE_FIELDS = ("path", "format", "source", "url")     # where a table row's text lives; the rest must match a folder's


def sample_rows():
    """The sample corpus as table rows, titles and outlets from its manifest (as a scraper's export would carry)."""
    manifest = YAML(typ="safe").load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))["documents"]
    return [{"doc_id": p.stem, "text": p.read_text(encoding="utf-8"), "url": f"https://example.org/{p.stem}",
             **{k: v for k, v in (manifest.get(p.stem) or {}).items() if k in ("title", "outlet", "language")}}
            for p in sorted(CORPUS.glob("*.txt"))]


def write_jsonl_corpus(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def write_parquet_corpus(folder, rows, files=2):
    """A folder of Parquet files (as Spark or Dask write them), rows split across them in order."""
    folder.mkdir()
    size = -(-len(rows) // files)
    for i in range(files):
        pq.write_table(pa.Table.from_pylist(rows[i * size:(i + 1) * size]), folder / f"part-{i:03d}.parquet",
                       row_group_size=2)
    return folder


@pytest.fixture(scope="module")
def table_runs(tmp_path_factory, run_dir):
    """ingest + nlp (in this process) on the sample corpus as a JSONL file and as a Parquet folder."""
    base = tmp_path_factory.mktemp("tables")
    rows = sample_rows()
    corpora = {"jsonl": write_jsonl_corpus(base / "corpus.jsonl", rows),
               "parquet": write_parquet_corpus(base / "corpus_parquet", rows)}
    outs = {}
    for name, corpus in corpora.items():
        outs[name] = base / f"out_{name}"
        ingest.run(corpus, outs[name])
        stage.run(corpus, outs[name], jobs=1, parquet=name == "parquet")
    return corpora, outs


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_table_corpus_gives_the_same_claims_as_the_folder(table_runs, run_dir, fmt):
    _, outs = table_runs
    assert (outs[fmt] / "machine_claims.jsonl").read_bytes() == (run_dir / "out" / "machine_claims.jsonl").read_bytes()


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_table_documents_point_at_their_text_and_say_where_it_came_from(table_runs, run_dir, fmt):
    corpora, outs = table_runs
    folder = {d["doc_id"]: d for d in read_jsonl(run_dir / "out" / "documents.jsonl")}
    documents = read_jsonl(outs[fmt] / "documents.jsonl")
    assert [d["doc_id"] for d in documents] == list(folder)
    for n, doc in enumerate(documents, 1):
        assert {k: v for k, v in doc.items() if k not in TABLE_FIELDS} == \
            {k: v for k, v in folder[doc["doc_id"]].items() if k not in TABLE_FIELDS}
        assert doc["path"] == str(outs[fmt] / "text" / f"{doc['doc_id']}.txt") and doc["format"] == "txt"
        assert doc["url"] == f"https://example.org/{doc['doc_id']}"
    assert documents[0]["source"] == f"{corpora[fmt]}#1" if fmt == "jsonl" else \
        documents[0]["source"] == f"{corpora[fmt] / 'part-000.parquet'}#1"
    assert documents[-1]["source"].endswith("#5" if fmt == "jsonl" else "part-001.parquet#2")
    assert document_texts(documents) == {r["doc_id"]: r["text"] for r in sample_rows()}


def test_parquet_output_holds_the_same_records_as_the_jsonl(table_runs):
    _, outs = table_runs
    table = pq.read_table(outs["parquet"] / "machine_claims.parquet")
    assert table.to_pylist() == read_jsonl(outs["parquet"] / "machine_claims.jsonl")
    assert pa.types.is_list(table.schema.field("quantities").type)


ROW = {"doc_id": "a", "text": "Half of the 40 patients improved within two weeks."}

BAD_ROWS = [   # (lines of the JSONL file, the line named, what the message says)
    (['{"doc_id": "a", "text": "x"}', '{"doc_id": "b", "text": '], 2, "not valid JSON"),
    ([json.dumps({"text": "no id"})], 1, "missing doc_id"),
    ([json.dumps(ROW), json.dumps({**ROW, "text": "other"})], 2, "duplicate doc_id 'a' (first on corpus.jsonl:1)"),
    ([json.dumps(ROW), json.dumps({"doc_id": "b", "title": "no body"})], 2, "neither text nor html"),
    ([json.dumps({"doc_id": "b", "text": "   "})], 1, "empty document (no text)"),
    ([json.dumps({"doc_id": "b", "text": 42})], 1, "text must be a string"),
    ([json.dumps({"doc_id": "../etc/x", "text": "t"})], 1, "cannot name a file"),
    (['["a", "b"]'], 1, "expected an object"),
    ([json.dumps({**ROW, "title": 7})], 1, "title must be a string"),
]


@pytest.mark.parametrize("lines,line,message", BAD_ROWS, ids=[m for _, _, m in BAD_ROWS])
def test_a_bad_jsonl_row_names_file_and_line_and_writes_nothing(tmp_path, lines, line, message):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(InputError) as err:
        ingest.run(corpus, out)
    assert str(err.value).startswith(f"{corpus}:{line}") and message in str(err.value)
    assert err.value.exit_code == 2
    assert list(out.iterdir()) == []                      # no documents.jsonl, no text/, no staging folder left


def test_a_bad_parquet_row_names_its_row_and_keeps_the_previous_output(tmp_path):
    rows = sample_rows()[:2]
    out = tmp_path / "out"
    ingest.run(write_jsonl_corpus(tmp_path / "good.jsonl", rows), out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.Table.from_pylist([{**rows[1], "text": "changed"}, rows[0], rows[1]]), bad)
    with pytest.raises(InputError, match=rf"^{bad}:3 \[doc_id\]: duplicate doc_id"):
        ingest.run(bad, out)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_parquet_file_without_the_columns_says_which_it_has(tmp_path):
    bad = tmp_path / "posts.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": "a", "body": "Half of them."}]), bad)
    with pytest.raises(InputError, match=rf"^{bad}: needs the columns doc_id and text \(or html\); it has: id, body"):
        ingest.run(bad, tmp_path / "out")


def test_an_html_row_gives_the_same_document_as_the_page_in_a_folder(tmp_path):
    page = FIXTURES / "html" / "wordpress.html"
    corpus = write_jsonl_corpus(tmp_path / "pages.jsonl", [{"doc_id": "wordpress", "html": page.read_text(encoding="utf-8")}])
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / page.name).write_bytes(page.read_bytes())
    ingest.run(corpus, tmp_path / "from_table")
    ingest.run(folder, tmp_path / "from_folder")
    [row], [file] = (read_jsonl(tmp_path / d / "documents.jsonl") for d in ("from_table", "from_folder"))
    assert row["format"] == "html" and row["source"] == f"{corpus}#1"
    assert {k: v for k, v in row.items() if k not in ("path", "source", "source_sha256", "source_encoding")} == \
        {k: v for k, v in file.items() if k not in ("path", "source", "source_sha256", "source_encoding")}
    assert Path(row["path"]).read_text(encoding="utf-8") == Path(file["path"]).read_text(encoding="utf-8")
    assert not [p for p in (tmp_path / "from_table").iterdir() if p.name.startswith(".text.")]


def test_the_cli_reads_a_jsonl_corpus_and_a_bad_one_is_exit_2(tmp_path):
    import subprocess
    import sys
    good = write_jsonl_corpus(tmp_path / "c.jsonl", [ROW])
    result = subprocess.run([sys.executable, "-m", "pipeline", "ingest", "--corpus", str(good), "--out",
                             str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "ingest: 1 documents" in result.stdout
    bad = write_jsonl_corpus(tmp_path / "d.jsonl", [ROW, ROW])
    result = subprocess.run([sys.executable, "-m", "pipeline", "ingest", "--corpus", str(bad), "--out",
                             str(tmp_path / "out2")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and f"error: {bad}:2 [doc_id]: duplicate doc_id 'a'" in result.stderr


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300) \
    .filter(lambda t: t.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(texts, min_size=1, max_size=6))
def test_no_table_text_is_ever_altered(tmp_path, bodies):
    """Whatever the characters (CRLF, NUL, emoji, RTL), each stage reads back exactly the row's text."""
    base = tmp_path / str(abs(hash(tuple(bodies))))
    base.mkdir()
    rows = [{"doc_id": f"d{i}", "text": body} for i, body in enumerate(bodies)]
    corpus = write_jsonl_corpus(base / "c.jsonl", rows)
    ingest.run(corpus, base / "out")
    documents = read_jsonl(base / "out" / "documents.jsonl")
    assert document_texts(documents) == {r["doc_id"]: r["text"] for r in rows}
    assert all(d["chars"] == len(r["text"]) for d, r in zip(documents, rows))
    shutil.rmtree(base)
