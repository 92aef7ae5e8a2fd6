"""Stages chained in one process (python -m pipeline review link export) on one Workspace."""

import shutil

import pytest

from pipeline import export, link, review
from pipeline.__main__ import main
from pipeline.errors import InputError
from pipeline.workspace import Workspace

from .conftest import CORPUS, ROOT

OUTPUTS = ("claims.jsonl", "claims.csv", "links.jsonl", "report.html", "eval.json")


def fresh(run_dir, base):
    """The nlp stage's outputs of the session run, with the project's annotation files as they are in git."""
    (base / "out").mkdir(parents=True)
    for name in ("documents.jsonl", "machine_claims.jsonl"):
        shutil.copy(run_dir / "out" / name, base / "out" / name)
    shutil.copytree(ROOT / "annotations", base / "ann")
    return base


def test_chained_stages_write_what_the_stages_run_one_by_one_write(run_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)                      # documents.jsonl names the corpus files from there
    base = fresh(run_dir, tmp_path)
    assert main(["review", "link", "export", "eval", "--corpus", str(CORPUS), "--out", str(base / "out"),
                 "--annotations", str(base / "ann")]) == 0
    for name in OUTPUTS:
        assert (base / "out" / name).read_bytes() == (run_dir / "out" / name).read_bytes(), name
    for path in (run_dir / "annotations").glob("*.yaml"):
        assert (base / "ann" / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_workspace_reads_each_document_once(run_dir, tmp_path):
    """After review, the documents are not read again: link and export work with the texts gone."""
    base = fresh(run_dir, tmp_path)
    corpus = shutil.copytree(CORPUS, tmp_path / "corpus")
    documents = (base / "out" / "documents.jsonl").read_text(encoding="utf-8")
    moved = documents.replace('"path": "corpus/', f'"path": "{corpus}/')
    assert moved.count(str(corpus)) == documents.count('"doc_id"')
    (base / "out" / "documents.jsonl").write_text(moved, encoding="utf-8")
    workspace = Workspace(base / "out", base / "ann")
    review.run(None, base / "out", base / "ann", workspace=workspace)
    shutil.rmtree(corpus)
    link.run(None, base / "out", base / "ann", workspace=workspace)
    export.run(None, base / "out", base / "ann", workspace=workspace)
    with pytest.raises(InputError, match="cannot read"):       # what a stage on its own would have met
        Workspace(base / "out", base / "ann").texts
    for name in OUTPUTS[:4]:
        assert (base / "out" / name).read_bytes() == (run_dir / "out" / name).read_bytes(), name


def test_chained_stages_run_in_their_order(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["export", "link", "--out", "nowhere"])
    assert stopped.value.code == 2 and "in the order review link export eval" in capsys.readouterr().err
