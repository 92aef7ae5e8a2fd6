"""OUT/cache/annotations/: a file's parse is kept, and stands for the file only while nothing it was
made from has changed; the outputs are the same with and without it."""

import json
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings

from pipeline import export, link, review
from pipeline.review.parsed import ParsedFiles, plain_copy
from pipeline.review.yamlio import dumps, load_bytes, load_plain_bytes, new_file
from pipeline.workspace import Workspace

from .conftest import ROOT
from .test_workspace import fresh
from .test_review import CLAIMS

OUTPUTS = ("claims.jsonl", "claims.csv", "links.jsonl", "report.html")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CLAIMS)
def test_the_plain_copy_is_what_a_plain_read_of_the_written_file_gives(claim):
    data = new_file("doc")
    data["claims"].append(claim)
    plain = plain_copy(data)
    if plain is not None:
        assert load_plain_bytes("doc.yaml", dumps(data).encode("utf-8")) == plain


@pytest.mark.parametrize("scalar", ["yes", "on", "No", "012", "0o12", "0x1F", "1:30", "2024-01-01", ".5", "1.50", "1e3",
                                    "~", "null", "'quoted'", '"tab\\tnewline\\n"', ".inf", "-.NaN", "true", "False",
                                    "1_000", "&a 5", "!!str 12", "!!float 3", "|\n      block"])
def test_a_round_trip_read_is_plain_as_a_plain_read_of_its_rewrite(scalar):
    """An annotator's file as review holds it (ruamel's types): its plain copy, when it has one, is what
    a reader's parse of the file review writes gives."""
    data = load_bytes("f.yaml", f"doc_id: f\nclaims:\n  - note: {scalar}\n    n: [1]\n".encode())
    plain = plain_copy(data)
    if plain is not None:
        assert load_plain_bytes("f.yaml", dumps(data).encode("utf-8")) == plain
        assert type(plain["claims"][0]["note"]) is type(load_plain_bytes("f.yaml", dumps(data).encode())["claims"][0]["note"])


def test_what_json_cannot_hold_as_read_is_not_plain():
    assert plain_copy({"a": float("nan")}) is None and plain_copy({1: "x"}) is None and plain_copy({"a": b"x"}) is None
    assert plain_copy(load_bytes("f.yaml", b"claims:\n  - when: 2024-01-01\n")) is None


KEPT = ("out", "cache", "annotations")


def stages(base, cached=True):
    """review, then link and export in one process (as `make extract`); cached=False: no kept parse."""
    ws = Workspace(base / "out", base / "ann")
    review.run(None, base / "out", base / "ann", workspace=ws)
    if not cached:
        shutil.rmtree(base.joinpath(*KEPT), ignore_errors=True)
        (base / "out" / "cache").mkdir(exist_ok=True)
        base.joinpath(*KEPT).write_text("a file where the folder would be: no parse can be kept", encoding="utf-8")
    link.run(None, base / "out", base / "ann", workspace=ws)
    export.run(None, base / "out", base / "ann", workspace=ws)


def copy_run(run_dir, base, annotations=True):
    """The session run's nlp outputs, with the project's annotation files or none (machine claims only)."""
    fresh(run_dir, base)
    if not annotations:
        shutil.rmtree(base / "ann")
    return base


@pytest.mark.parametrize("annotated", [True, False], ids=["project-annotations", "machine-only"])
def test_outputs_are_the_same_with_and_without_the_kept_parses(run_dir, tmp_path, monkeypatch, annotated):
    monkeypatch.chdir(ROOT)
    with_cache = copy_run(run_dir, tmp_path / "a", annotated)
    without = copy_run(run_dir, tmp_path / "b", annotated)
    stages(with_cache)
    stages(without, cached=False)
    kept = list(with_cache.joinpath(*KEPT).glob("*.json"))
    assert len(kept) == len(list((with_cache / "ann").glob("*.yaml"))) == 5     # written by review or the first reader
    for name in OUTPUTS:
        assert (with_cache / "out" / name).read_bytes() == (without / "out" / name).read_bytes(), name
        if annotated:
            assert (with_cache / "out" / name).read_bytes() == (run_dir / "out" / name).read_bytes(), name


def test_an_edit_after_review_is_read_from_the_file_not_the_kept_parse(run_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    base = copy_run(run_dir, tmp_path)
    stages(base)
    path = sorted((base / "ann").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    edited, n = re.subn(r"(?m)^(\s+)status: (?!rejected)\w+$", r"\1status: rejected", text, count=1)
    assert n == 1
    path.write_text(edited, encoding="utf-8")
    before = [json.loads(line) for line in (base / "out" / "claims.jsonl").read_text(encoding="utf-8").splitlines()]
    export.run(None, base / "out", base / "ann")                     # a new process: reads the files
    after = [json.loads(line) for line in (base / "out" / "claims.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(after) == len(before) - 1
    entry = json.loads((base / "out" / "cache" / "annotations" / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert entry["data"]["claims"][[c["status"] for c in entry["data"]["claims"]].index("rejected")]  # re-kept


def test_a_kept_parse_stands_only_for_the_same_file_document_and_text(tmp_path):
    parsed = ParsedFiles(tmp_path)
    key = parsed.key("f" * 64, "d" * 64, "The text.")
    parsed.put("doc", key, {"doc_id": "doc", "claims": []})
    assert parsed.get("doc", key) == {"doc_id": "doc", "claims": []}
    assert parsed.get("doc", parsed.key("e" * 64, "d" * 64, "The text.")) is None          # other bytes
    assert parsed.get("doc", parsed.key("f" * 64, "c" * 64, "The text.")) is None          # other document
    assert parsed.get("doc", parsed.key("f" * 64, "d" * 64, "The text!")) is None          # text decoded anew
    (tmp_path / "cache" / "annotations" / "doc.json").write_text("{not json", encoding="utf-8")
    assert parsed.get("doc", key) is None                                                  # torn: parsed again
    assert parsed.get("other", key) is None


def test_what_a_plain_read_gives_otherwise_is_never_kept():
    """A tagged map (!!omap: a list of pairs to a plain read), a lone surrogate (not UTF-8), a list that
    holds itself: no plain copy, so the reader parses the file (and reports what it finds)."""
    omap = load_bytes("d.yaml", b"doc_id: d\nclaims:\n- !!omap\n  - id: d-1\n  - status: confirmed\n")
    itself = []
    itself.append(itself)
    assert plain_copy(omap) is None and plain_copy({"n": "\ud800"}) is None and plain_copy({"a": itself}) is None
    ParsedFiles("/nonexistent-never-made").put("d", ["k"], {"n": "\ud800"})      # refused, never raised
