"""Review leaves alone a file it merged last time and found nothing to change in, when nothing it reads
has changed since (pipeline/review/state.py). Skipping must never change what review writes: the
property test runs real review runs with the state and compares every file with a run without it."""

import json
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline import review
from pipeline.review.state import NAME

from .conftest import ROOT


@pytest.fixture
def base(run_dir, tmp_path, monkeypatch):
    """The nlp stage's outputs of the session run and the project's annotation files, in tmp_path."""
    monkeypatch.chdir(ROOT)                      # documents.jsonl names the corpus files from there
    (tmp_path / "out").mkdir()
    for name in ("documents.jsonl", "machine_claims.jsonl"):
        shutil.copy(run_dir / "out" / name, tmp_path / "out" / name)
    shutil.copytree(ROOT / "annotations", tmp_path / "ann")
    return tmp_path


def run(base, capsys):
    review.run(None, base / "out", base / "ann")
    return capsys.readouterr().out


def files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.yaml"))}


def unchanged(message):
    return int(re.search(r"(\d+) unchanged since the last run", message).group(1))


def test_a_file_is_skipped_only_once_a_merge_left_it_as_it_was(base, capsys):
    total = len(files(base / "ann"))
    assert unchanged(run(base, capsys)) == 0                     # no state yet: every file is merged
    run(base, capsys)                                            # a file the first run rewrote is merged again
    before = files(base / "ann")
    assert unchanged(run(base, capsys)) == total                 # now nothing is read, nothing written
    assert files(base / "ann") == before


def test_an_annotators_save_is_merged_by_the_next_run(base, capsys):
    run(base, capsys), run(base, capsys)
    path = sorted((base / "ann").glob("*.yaml"))[0]
    path.write_text(path.read_text(encoding="utf-8").replace("status: confirmed", "status: rejected", 1), encoding="utf-8")
    total = len(files(base / "ann"))
    assert unchanged(run(base, capsys)) == total - 1
    assert "status: rejected" in path.read_text(encoding="utf-8")


def test_a_changed_extractor_output_merges_that_document_again(base, capsys):
    run(base, capsys), run(base, capsys)
    lines = (base / "out" / "machine_claims.jsonl").read_text(encoding="utf-8").splitlines()
    (base / "out" / "machine_claims.jsonl").write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    total = len(files(base / "ann"))
    assert unchanged(run(base, capsys)) == total - 1


@pytest.mark.parametrize("state", ["not json", "[]", '{"x": 1}', '{"000_53bf8ff8aa0bde55": {"file": 1}}'])
def test_a_broken_state_only_means_every_file_is_merged(base, capsys, state):
    run(base, capsys), run(base, capsys)
    (base / "out" / "cache" / NAME).write_text(state, encoding="utf-8")
    assert unchanged(run(base, capsys)) == 0


EDITS = st.lists(st.tuples(st.sampled_from(["reject", "comment", "drop_machine_claim", "run"]),
                           st.integers(0, 4)), min_size=1, max_size=6)


def edit(base, what, k):
    paths = sorted((base / "ann").glob("*.yaml"))
    path = paths[k % len(paths)]
    if what == "reject":
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^(\s+)status: machine$", r"\1status: rejected", text, count=1, flags=re.M),
                        encoding="utf-8")
    elif what == "comment":
        path.write_text(path.read_text(encoding="utf-8") + f"# annotator's comment {k}\n", encoding="utf-8")
    elif what == "drop_machine_claim":
        claims = base / "out" / "machine_claims.jsonl"
        records = [json.loads(line) for line in claims.read_text(encoding="utf-8").splitlines()]
        mine = [n for n, r in enumerate(records) if r["doc_id"] == path.stem]
        if mine:
            del records[mine[0]]
        claims.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=EDITS)
def test_skipping_never_changes_what_review_writes(base, capsys, tmp_path_factory, steps):
    work = tmp_path_factory.mktemp("state")
    shutil.copytree(base / "out", work / "out")
    (work / "ann").mkdir()                       # files of machine claims only: the kind a merge changes
    run(work, capsys)
    for what, k in steps + [("run", 0), ("run", 0)]:
        if what != "run":
            edit(work, what, k)
            continue
        without = tmp_path_factory.mktemp("nostate")
        shutil.copytree(work / "out", without / "out", ignore=shutil.ignore_patterns(NAME))
        shutil.copytree(work / "ann", without / "ann")
        run(work, capsys)
        run(without, capsys)
        assert files(work / "ann") == files(without / "ann")
