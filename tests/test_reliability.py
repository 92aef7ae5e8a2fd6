"""Issue 14: annotators never blocked, never lost; every bad input a clear error (exit 2, file, line).

Each test runs the real stages (`pipeline.__main__.main` in this process, or
`python -m pipeline` / `make` in a subprocess) on a copy of one sample
document in a temporary folder.
"""

import csv
import fcntl
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time

import pytest

from pipeline.__main__ import main
from pipeline.export.table import write_csv
from pipeline.review.yamlio import dump_file, load_file

from .conftest import CORPUS, ROOT

DOC_ID = "004_dc2d9b10ce66d02d"
TEXT = (CORPUS / f"{DOC_ID}.txt").read_text(encoding="utf-8")


def stages(base, *names, corpus=None):
    """Run stages in this process; the exit code of the first that fails, else 0."""
    for name in names:
        args = [name, "--corpus", str(corpus or base / "corpus"), "--out", str(base / "out")]
        if name == "nlp":
            args += ["--jobs", "1"]
        if name in ("review", "link", "export", "eval"):
            args += ["--annotations", str(base / "ann")]
        code = main(args)
        if code:
            return code
    return 0


def cli(*args, env=None, **kw):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, **kw)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """One sample document with its reviewed annotation file, through ingest and nlp once."""
    base = tmp_path_factory.mktemp("one")
    (base / "corpus").mkdir()
    shutil.copy(CORPUS / f"{DOC_ID}.txt", base / "corpus")
    (base / "ann").mkdir()
    shutil.copy(ROOT / "annotations" / f"{DOC_ID}.yaml", base / "ann")
    assert stages(base, "ingest", "nlp") == 0
    return base


@pytest.fixture
def project(extracted, tmp_path):
    shutil.copytree(extracted, tmp_path, dirs_exist_ok=True)
    return tmp_path


def claims_of(base):
    return [json.loads(line) for line in (base / "out" / "claims.jsonl").read_text(encoding="utf-8").splitlines()]


def entries(base):
    return load_file(base / "ann" / f"{DOC_ID}.yaml")["claims"]


def edit_annotations(base, change):
    path = base / "ann" / f"{DOC_ID}.yaml"
    data = load_file(path)
    change(data["claims"])
    dump_file(path, data)


def added(text, value=1.0, kind="count"):
    return {"status": "added", "text": text, "evidence": "anecdotal", "hedged": False,
            "quantities": [{"text": text.split()[0], "kind": kind, "value": value}], "sources": []}


# -- 1. a changed document: re-anchor first, validate second ---------------------------------------

def test_a_paragraph_inserted_at_the_top_moves_every_claim_and_stops_nothing(project, capsys):
    assert stages(project, "review", "export") == 0
    reviewed = {e["id"]: (e["status"], e.get("note"), e["evidence"]) for e in entries(project)}
    doc = project / "corpus" / f"{DOC_ID}.txt"
    first_break = TEXT.index("\n\n") + 2
    doc.write_text(TEXT[:first_break] + "An editor added this paragraph, with 12 new words in it.\n\n" +
                   TEXT[first_break:], encoding="utf-8")
    assert stages(project, "ingest", "nlp", "review", "export") == 0, capsys.readouterr().err
    text = doc.read_text(encoding="utf-8")
    after = entries(project)
    assert {e["id"]: (e["status"], e.get("note"), e["evidence"]) for e in after if e["id"] in reviewed} == reviewed
    for entry in after:
        assert not entry.get("stale") and text[entry["start"]:entry["end"]] == entry["text"]
        for item in list(entry["quantities"]) + list(entry["sources"]):
            assert item["start"] is None or text[item["start"]:item["end"]] == item["text"]
    assert all(text[c["start"]:c["end"]] == c["text"] for c in claims_of(project))


def test_untouched_machine_claims_of_an_edited_document_never_block(project, capsys):
    (project / "ann" / f"{DOC_ID}.yaml").unlink()
    assert stages(project, "review") == 0                 # a fresh file: machine claims only
    doc = project / "corpus" / f"{DOC_ID}.txt"
    doc.write_text("Breaking: a new first line.\n\n" + TEXT.replace("  ", " "), encoding="utf-8")
    assert stages(project, "ingest", "review", "export") == 0, capsys.readouterr().err   # old machine claims


def test_a_deleted_sentence_makes_its_reviewed_claim_stale_not_an_error(project):
    sentence = next(e["text"] for e in entries(project) if e["status"] == "confirmed")
    (project / "corpus" / f"{DOC_ID}.txt").write_text(TEXT.replace(sentence, ""), encoding="utf-8")
    assert stages(project, "ingest", "nlp", "review", "export") == 0
    gone = [e for e in entries(project) if e["text"] == sentence]
    assert gone and gone[0]["stale"] is True and gone[0]["status"] == "confirmed"
    assert sentence not in {c["text"] for c in claims_of(project)}


# -- 3, 4, 10. added claims ------------------------------------------------------------------------

def test_several_added_claims_get_ids_and_a_null_value_exports(project):
    sentences = [e["text"] for e in entries(project)][:2]
    edit_annotations(project, lambda claims: claims.extend([added(s) for s in sentences] +
                                                           [added(sentences[0].split(".")[0][:60], value=None)]))
    assert stages(project, "review", "link", "export") == 0
    ids = [e["id"] for e in entries(project)]
    assert len(ids) == len(set(ids)) and all(ids)
    exported = [c for c in claims_of(project) if c["review"] == "added"]
    assert len(exported) == 3
    assert any(q["value"] is None for c in exported for q in c["quantities"])
    assert "?" in (project / "out" / "report.html").read_text(encoding="utf-8")


def test_an_added_claim_whose_text_is_nowhere_stops_the_run_with_its_line(project, capsys):
    edit_annotations(project, lambda claims: claims.append(added("Nobody wrote this 7 times.")))
    path = project / "ann" / f"{DOC_ID}.yaml"
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if "Nobody wrote this" in text)
    before = path.read_bytes()
    assert stages(project, "review") == 2
    assert capsys.readouterr().err == (
        f"error: {path}:{line} [claims[6].text]: the text of this added claim is not in the document; "
        f"copy the sentence exactly as the document has it\n")
    assert path.read_bytes() == before


# -- 2. saves during a run, and the run lock ---------------------------------------------------------

def test_a_save_made_while_review_runs_is_merged_not_lost(project):
    """A real second writer: review pauses between reading and writing (PIPELINE_REVIEW_PAUSE, a hook
    that only waits), this test saves the file meanwhile, then lets review go on."""
    pause = project / "pause"
    pause.mkdir()
    path = project / "ann" / f"{DOC_ID}.yaml"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "review", "--out", str(project / "out"),
                             "--annotations", str(project / "ann")], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PIPELINE_REVIEW_PAUSE": str(pause)})
    deadline = time.monotonic() + 120
    while not (pause / "paused").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    data = load_file(path)                                   # the annotator's editor saves
    data["claims"][1]["note"] = "saved while the run was going"
    data["claims"][2]["status"] = "rejected"
    dump_file(path, data)
    (pause / "resume").touch()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"review: {path} was saved during this run; merging the saved version" in err
    after = load_file(path)
    assert after["claims"][1]["note"] == "saved while the run was going"
    assert after["claims"][2]["status"] == "rejected"


def test_a_second_run_waits_for_the_lock_then_stops_naming_it(project):
    lock = project / "ann" / ".review.lock"
    with open(lock, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write("4242\n")
        fh.flush()
        result = cli("review", "--out", str(project / "out"), "--annotations", str(project / "ann"),
                     env={"PIPELINE_LOCK_WAIT": "1"})
        fcntl.flock(fh, fcntl.LOCK_UN)
    assert result.returncode == 2
    assert f"review: waiting for another review run (pid 4242) to finish with {lock}" in result.stderr
    assert f"error: {lock}: another review run (pid 4242) is still using this folder after 1 s; " \
           f"try again when it has finished" in result.stderr
    assert cli("review", "--out", str(project / "out"), "--annotations", str(project / "ann")).returncode == 0


def test_orphan_temp_files_are_swept_and_orphan_annotation_files_kept(project, capsys):
    old = project / "ann" / f".{DOC_ID}.yaml.abc123.tmp"
    old.write_text("half", encoding="utf-8")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    fresh = project / "ann" / f".{DOC_ID}.yaml.zzz999.tmp"
    fresh.write_text("being written", encoding="utf-8")
    os.utime(fresh, (time.time() + 3600, time.time() + 3600))       # newer than the run: not ours to remove
    orphan = project / "ann" / "gone_doc.yaml"
    orphan.write_text("doc_id: gone_doc\nclaims: []\n", encoding="utf-8")
    assert stages(project, "review") == 0
    assert not old.exists() and fresh.exists()
    assert orphan.read_text(encoding="utf-8") == "doc_id: gone_doc\nclaims: []\n"
    assert f"warning: {orphan}: no document 'gone_doc' in this run's corpus; the file is kept as it is" \
        in capsys.readouterr().err


# -- 5. any document length ------------------------------------------------------------------------

def test_a_multi_megabyte_document_is_read_in_pieces_with_offsets_kept(tmp_path):
    prose = "The committee met again on a grey morning and talked about the roads. "
    half = prose * 7_200                  # a paragraph of ~1 MB with no blank line, beyond spaCy's max_length
    figures = ["Nearly 40 percent of the town voted for the new bridge.",
               "The works took 18 months to finish, the mayor said.",
               "Tickets now cost 3 dollars a ride."]
    text = ("A Very Long Report\n\n" + figures[0] + "\n\n" + "\n\n".join([prose * 40] * 20) + "\n\n" +
            half + figures[1] + " " + half + "\n\n" + figures[2] + "\n")
    assert 2 * len(half) + len(figures[1]) > 1_000_000           # spaCy's default nlp.max_length
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "long.txt").write_text(text, encoding="utf-8")
    assert stages(tmp_path, "ingest", "nlp") == 0
    claims = [json.loads(line) for line in (tmp_path / "out" / "machine_claims.jsonl").read_text().splitlines()]
    for claim in claims:
        assert text[claim["start"]:claim["end"]] == claim["text"]
        for q in claim["quantities"]:
            assert text[q["start"]:q["end"]] == q["text"]
    found = {c["text"] for c in claims}
    assert figures[0] in found and figures[2] in found
    assert any(figures[1] in t for t in found)


def test_a_five_megabyte_line_is_not_a_title(tmp_path, capsys):
    (tmp_path / "corpus").mkdir()
    line = "word " * 1_000_000
    (tmp_path / "corpus" / "flat.txt").write_text(line, encoding="utf-8")
    assert stages(tmp_path, "ingest") == 0
    record = json.loads((tmp_path / "out" / "documents.jsonl").read_text())
    assert record["title"] is None and [s["kind"] for s in record["segments"]] == ["article"]
    assert (f"warning: {tmp_path / 'corpus' / 'flat.txt'}:1: no title: the first line of text is "
            f"{len(line.strip()):,} characters long, so it is read as article") in capsys.readouterr().err


# -- 6, 7. the manifest ------------------------------------------------------------------------------

def manifest(base, body):
    (base / "corpus" / "manifest.yaml").write_text(body, encoding="utf-8")


def segments_of(base):
    return json.loads((base / "out" / "documents.jsonl").read_text(encoding="utf-8"))["segments"]


TITLE = TEXT.strip().splitlines()[0].strip()


@pytest.mark.parametrize("hint", [TITLE.replace(" ", "  ").upper(), TITLE.replace(":", ",").rstrip("?"),
                                  TITLE[:-1] + "s"])
def test_a_manifest_title_that_differs_a_little_is_still_found(project, capsys, hint):
    manifest(project, f"documents:\n  {DOC_ID}:\n    title: {json.dumps(hint)}\n")
    assert stages(project, "ingest") == 0
    kinds = [s["kind"] for s in segments_of(project)]
    assert "title" in kinds and "article" in kinds and "warning" not in capsys.readouterr().err


def test_a_manifest_title_not_in_the_text_is_ignored_with_a_warning(project, capsys):
    manifest(project, f"documents:\n  {DOC_ID}:\n    title: Something else entirely\n")
    assert stages(project, "ingest") == 0
    assert "article" in [s["kind"] for s in segments_of(project)]
    assert (f"warning: {project / 'corpus' / f'{DOC_ID}.txt'}:1: the manifest's title 'Something else entirely' "
            f"is not in the text; the title is taken from the text") in capsys.readouterr().err


@pytest.mark.parametrize("body,message", [
    (f"documents:\n  {DOC_ID}: abc\n", f":2 [documents.{DOC_ID}]: must be a mapping with title, outlet, language (not 'abc')"),
    (f"documents:\n  {DOC_ID}:\n    outlet: x\n    title: [1, 2]\n", f":4 [documents.{DOC_ID}.title]: title must be text or null (not [1, 2])"),
    ("documents: [a, b]\n", ":1 [documents]: expected a mapping 'documents: {doc_id: {title, outlet, language}}'"),
])
def test_manifest_entries_of_the_wrong_type(project, capsys, body, message):
    manifest(project, body)
    assert stages(project, "ingest") == 2
    assert capsys.readouterr().err == f"error: {project / 'corpus' / 'manifest.yaml'}{message}\n"


# -- 8. make with file names that have spaces and accents -----------------------------------------------

def test_make_extract_with_spaces_and_accents_in_file_names(tmp_path):
    corpus = tmp_path / "my corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / f"{DOC_ID}.txt", corpus / "Ketamine für alle – Teil 1.txt")
    make = ["make", "-C", str(ROOT), "extract", f"CORPUS={corpus}", f"OUT={tmp_path / 'out'}",
            f"ANNOTATIONS={tmp_path / 'ann'}", "JOBS=1"]
    first = subprocess.run(make, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "ann" / "Ketamine für alle – Teil 1.yaml").exists() and (tmp_path / "out" / "claims.csv").exists()
    again = subprocess.run(make, capture_output=True, text=True)
    assert again.returncode == 0 and "pipeline" not in again.stdout, again.stdout     # nothing re-run
    (corpus / "Ketamine für alle – Teil 1.txt").write_text(TEXT + "\nOne more line.\n", encoding="utf-8")
    third = subprocess.run(make, capture_output=True, text=True)
    assert third.returncode == 0 and "pipeline ingest" in third.stdout, third.stderr


# -- 9. CSV injection ----------------------------------------------------------------------------------

def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(tmp_path):
    claim = {"doc_id": "d", "id": "d-1", "section": "comment", "author": "@handle", "comment_index": 1,
             "evidence": "anecdotal", "hedged": False, "review": "added",
             "text": '=HYPERLINK("http://x","click") 5 mg', "sources": [{"text": "+Lab", "type": "study"}],
             "quantities": [{"text": "-5 mg", "kind": "dose", "value": -5.0, "low": None, "high": None,
                             "unit": "\tmg", "qualifier": None, "start": 1, "end": 2}]}
    write_csv(tmp_path / "c.csv", [claim])
    with open(tmp_path / "c.csv", encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["sentence"] == "'=HYPERLINK(\"http://x\",\"click\") 5 mg"
    assert (row["author"], row["quantity"], row["sources"], row["unit"]) == ("'@handle", "'-5 mg", "'+Lab (study)", "'\tmg")
    assert row["value"] == "-5.0" and row["doc_id"] == "d"          # numbers stay numbers


# -- minor: encodings, disk full, permissions -----------------------------------------------------------

@pytest.mark.parametrize("encoding,recorded", [("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig")])
def test_byte_order_marks_name_the_encoding_and_are_not_text(project, encoding, recorded):
    (project / "corpus" / f"{DOC_ID}.txt").write_bytes(TEXT.encode(encoding))
    assert stages(project, "ingest", "nlp", "review", "export") == 0
    record = json.loads((project / "out" / "documents.jsonl").read_text(encoding="utf-8"))
    assert record["encoding"] == recorded and record["title"] == TITLE and record["chars"] == len(TEXT)
    assert all(TEXT[c["start"]:c["end"]] == c["text"] for c in claims_of(project))


def _tiny_disk(path):
    """A 4 kB tmpfs when this process may mount one, else None."""
    path.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        return None
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(path)], capture_output=True)
    return path if done.returncode == 0 else None


def test_a_full_disk_is_a_clear_error_and_leaves_nothing_behind(project):
    out = project / "small"
    disk = _tiny_disk(out)
    try:
        if disk:          # a real full disk
            result = cli("ingest", "--corpus", str(CORPUS), "--out", str(out))
            reason = "No space left on device"
        else:             # no tmpfs: the kernel's file-size limit fails the write the same way
            def limit():
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
            result = cli("ingest", "--corpus", str(CORPUS), "--out", str(out), preexec_fn=limit)
            reason = "File too large"
        assert result.returncode == 2
        assert result.stderr == (f"error: {out / 'documents.jsonl'}: cannot write: {reason} (disk full?); "
                                 f"the previous file, if any, is unchanged\n")
        assert list(out.iterdir()) == []
    finally:
        if disk:
            subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600)])
def test_outputs_follow_the_umask_and_existing_files_keep_their_mode(project, umask, mode):
    result = cli("ingest", "--corpus", str(project / "corpus"), "--out", str(project / "o"),
                 preexec_fn=lambda: os.umask(umask))
    assert result.returncode == 0
    assert (project / "o" / "documents.jsonl").stat().st_mode & 0o777 == mode
    os.chmod(project / "o" / "documents.jsonl", 0o640)
    assert cli("ingest", "--corpus", str(project / "corpus"), "--out", str(project / "o")).returncode == 0
    assert (project / "o" / "documents.jsonl").stat().st_mode & 0o777 == 0o640


def test_yaml_loader_used_for_the_manifest_runs_no_code(project, capsys):
    manifest(project, f"documents:\n  {DOC_ID}:\n    title: !!python/object/apply:os.system ['touch {project}/pwned']\n")
    assert stages(project, "ingest") == 2
    assert not (project / "pwned").exists()
    assert f"[documents.{DOC_ID}.title]: title must be text or null" in capsys.readouterr().err



def test_a_carried_over_source_keeps_its_offsets_when_its_claim_is_found_again():
    from pipeline.review.merge import anchor
    before = "A 2019 trial at Lakeside Clinic enrolled adults. About 40 percent of them improved.\n"
    claim_start = before.index("About")
    entry = {"status": "confirmed", "text": before[claim_start:-1], "start": claim_start, "end": len(before) - 1,
             "quantities": [{"text": "40 percent", "start": before.index("40"), "end": before.index("40") + 10}],
             "sources": [{"text": "A 2019 trial", "start": 0, "end": 12, "type": "study"}]}
    prefix = "New opening paragraph.\n\n"
    after = prefix + before.replace("adults.", "adults  aged 30.")
    assert anchor(entry, after)
    source = entry["sources"][0]
    assert (source["start"], source["end"]) == (len(prefix), len(prefix) + 12)
    assert after[entry["start"]:entry["end"]] == entry["text"]
    assert after[entry["quantities"][0]["start"]:entry["quantities"][0]["end"]] == "40 percent"
    gone = after.replace("A 2019 trial", "One trial")
    assert anchor(entry, gone) and entry["sources"][0]["start"] is None        # kept, only its offsets lost
