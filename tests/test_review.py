"""Annotators' YAML: edits survive every re-run; crashes leave files whole; bad files are named."""

import copy
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pipeline.extract import claim_id
from pipeline.nlp import plain_spaces, rules_pipeline
from pipeline.review.merge import merge
from pipeline.review.yamlio import dumps, load_file, new_file

from .conftest import CORPUS, ROOT

DOC = CORPUS / "004_dc2d9b10ce66d02d.txt"
TEXT = DOC.read_text(encoding="utf-8")
SENTENCES = [(s.start_char, s.end_char) for s in rules_pipeline()(plain_spaces(TEXT)).sents
             if len(TEXT[s.start_char:s.end_char].strip()) > 25 and "\n" not in TEXT[s.start_char:s.end_char].strip()]
OWNED = ("text", "section", "author", "comment_index", "evidence", "hedged", "quantities", "sources", "note", "status")


def machine_claim(doc_id, text, sentence, seen, evidence="unattributed", value=1.0):
    start = text.index(sentence)
    return {"id": claim_id(doc_id, sentence, seen), "doc_id": doc_id, "text": sentence, "start": start,
            "end": start + len(sentence), "section": "article", "author": None, "comment_index": None,
            "quantities": [{"text": sentence.split()[0], "start": start, "end": start + len(sentence.split()[0]),
                            "kind": "count", "value": value, "low": None, "high": None, "unit": None, "qualifier": None}],
            "sources": [], "evidence": evidence, "evidence_cues": [], "hedged": False}


def machine_run(text, picks, evidence, value):
    """What a (changed) extractor would find: the picked sample sentences still in the text."""
    seen, found = {}, []
    for i in sorted(set(picks)):
        sentence = TEXT[SENTENCES[i][0]:SENTENCES[i][1]].strip()
        if sentence in text:
            found.append(machine_claim("d", text, sentence, seen, evidence, value))
    return found


def roundtrip(data):
    """Write and read back, as a real re-run does."""
    from ruamel.yaml import YAML
    return YAML().load(dumps(data))


def plain(node):
    if isinstance(node, dict):
        return {k: plain(v) for k, v in node.items() if k not in ("start", "end", "stale")}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


edit = st.one_of(
    st.tuples(st.just("confirm"), st.integers(0, 30)),
    st.tuples(st.just("reject"), st.integers(0, 30)),
    st.tuples(st.just("note"), st.integers(0, 30),
              st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20)),
    st.tuples(st.just("evidence"), st.integers(0, 30), st.sampled_from(["study-backed", "anecdotal", "unattributed"])),
    st.tuples(st.just("hedged"), st.integers(0, 30), st.booleans()),
    st.tuples(st.just("value"), st.integers(0, 30), st.floats(0, 1000, allow_nan=False)),
    st.tuples(st.just("kind"), st.integers(0, 30), st.sampled_from(["percentage", "dose", "money"])),
    st.tuples(st.just("source"), st.integers(0, 30), st.sampled_from(["WHO", "Dr Lee", "a survey"])),
    st.tuples(st.just("comment"), st.integers(0, 30), st.text(alphabet="abc xyz", min_size=1, max_size=12)),
    st.tuples(st.just("add"), st.integers(0, len(SENTENCES) - 1)),
)
change = st.one_of(
    st.tuples(st.just("prepend"), st.text(alphabet="Ab .\n", min_size=1, max_size=40)),
    st.tuples(st.just("drop_sentence"), st.integers(0, len(SENTENCES) - 1)),
    st.tuples(st.just("extractor"), st.lists(st.integers(0, len(SENTENCES) - 1), max_size=12),
              st.sampled_from(["study-backed", "unattributed"]), st.floats(1, 99, allow_nan=False)),
)


def apply_edit(data, e, text, comments):
    claims = data["claims"]
    if e[0] == "add":
        start, end = SENTENCES[e[1]]
        sentence = text[start:end].strip() if start < len(text) else ""
        if not sentence or sentence not in text or any(c.get("text") == sentence for c in claims):
            return
        entry = CommentedMap([("status", "added"), ("text", sentence), ("section", "article"),
                              ("evidence", "anecdotal"), ("hedged", True), ("quantities", CommentedSeq()),
                              ("sources", CommentedSeq()), ("note", "added by hand")])
        claims.append(entry)
        return
    if not claims:
        return
    entry = claims[e[1] % len(claims)]
    if e[0] == "confirm":
        entry["status"] = "confirmed"
    elif e[0] == "reject":
        entry["status"] = "rejected"
    elif e[0] == "note":
        entry["note"] = e[2]
    elif e[0] == "evidence":
        entry["status"], entry["evidence"] = "corrected", e[2]
    elif e[0] == "hedged":
        entry["status"], entry["hedged"] = "corrected", e[2]
    elif e[0] in ("value", "kind") and entry.get("quantities"):
        entry["status"] = "corrected"
        entry["quantities"][0]["value" if e[0] == "value" else "kind"] = e[2]
    elif e[0] == "source":
        entry["status"] = "corrected"
        entry["sources"] = CommentedSeq([CommentedMap([("text", e[2]), ("start", None), ("end", None), ("type", "study")])])
    elif e[0] == "comment":
        if entry.ca.items.get("text"):
            return          # one comment per line; replacing one's own comment is not a loss
        marker = f"annotator says {e[2]} #{len(comments)}"
        entry.yaml_add_eol_comment(marker, "text")
        comments.append(marker)


def apply_change(text, machine, c):
    if c[0] == "prepend":
        return c[1] + text, None
    if c[0] == "drop_sentence":
        start, end = SENTENCES[c[1]]
        sentence = TEXT[start:end].strip()
        return text.replace(sentence, "", 1), None
    return text, machine_run(text, c[1], c[2], c[3])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds=st.lists(st.tuples(st.lists(edit, max_size=6), st.lists(change, max_size=2)), min_size=1, max_size=5))
def test_every_annotator_edit_survives_every_rerun(rounds):
    text = TEXT
    machine = machine_run(text, range(0, len(SENTENCES), 2), "unattributed", 1.0)
    data = merge(new_file("d"), machine, text, "sha", "v1")
    comments = []
    for edits, changes in rounds:
        data = roundtrip(data)
        for e in edits:
            apply_edit(data, e, text, comments)
        reviewed = [copy.deepcopy(plain(e)) for e in data["claims"] if e.get("status") != "machine" or e.get("note")]
        for c in changes:
            text, fresh = apply_change(text, machine, c)
            if fresh is not None:
                machine = fresh
        machine = [m for m in machine if m["text"] in text]
        machine = machine_run(text, [i for i in range(len(SENTENCES))
                                     if TEXT[SENTENCES[i][0]:SENTENCES[i][1]].strip() in {m["text"] for m in machine}],
                              machine[0]["evidence"] if machine else "unattributed",
                              machine[0]["quantities"][0]["value"] if machine else 1.0)
        data = merge(data, machine, text, "sha", "v2")
        dumped = dumps(data)
        after = {e["text"]: plain(e) for e in data["claims"]}
        for before in reviewed:
            assert before["text"] in after, f"reviewed claim lost: {before['text'][:40]}"
            got = after[before["text"]]
            for key in OWNED:
                assert got.get(key) == before.get(key), (key, got.get(key), before.get(key))
        for marker in comments:
            assert marker in dumped, f"YAML comment lost: {marker}"
        for entry in data["claims"]:
            if entry.get("stale"):
                assert entry["text"] not in text
            elif entry.get("status") != "machine":
                assert text[entry["start"]:entry["end"]] == entry["text"]


def test_machine_claims_refresh_and_reviewed_ones_do_not():
    text = TEXT
    machine = machine_run(text, [0, 1, 2], "unattributed", 1.0)
    data = roundtrip(merge(new_file("d"), machine, text, "sha", "v1"))
    data["claims"][0]["status"] = "confirmed"
    refreshed = machine_run(text, [0, 1, 2], "study-backed", 5.0)
    data = merge(data, refreshed, text, "sha", "v2")
    assert data["claims"][0]["evidence"] == "unattributed" and data["claims"][0]["quantities"][0]["value"] == 1.0
    assert data["claims"][1]["evidence"] == "study-backed" and data["claims"][1]["quantities"][0]["value"] == 5.0
    assert data["extractor"] == "v2"


def test_dropped_machine_claims_go_reviewed_ones_turn_stale_then_come_back():
    text = TEXT
    machine = machine_run(text, [0, 1, 2], "unattributed", 1.0)
    data = roundtrip(merge(new_file("d"), machine, text, "sha", "v1"))
    data["claims"][1]["status"] = "rejected"
    sentence = data["claims"][1]["text"]
    shorter = text.replace(sentence, "")
    data = merge(data, machine_run(shorter, [], "x", 1), shorter, "sha", "v2")
    assert [c["status"] for c in data["claims"]] == ["rejected"] and data["claims"][0]["stale"] is True
    data = merge(roundtrip(data), machine, text, "sha", "v3")
    assert "stale" not in data["claims"][1] and data["claims"][1]["status"] == "rejected"
    assert len(data["claims"]) == 3


KILLER = textwrap.dedent("""
    import sys
    from pipeline.review.yamlio import dump_file, load_file
    paths = sys.argv[1:]
    n = 0
    while True:
        for p in paths:
            data = load_file(p)
            data["claims"][0]["note"] = ("x" * 2000) + str(n)
            dump_file(p, data)
            n += 1
""")


def test_a_run_killed_mid_write_leaves_every_file_whole(tmp_path):
    import shutil
    paths = []
    for src in sorted((ROOT / "annotations").glob("*.yaml")):
        dest = tmp_path / src.name
        shutil.copy(src, dest)
        paths.append(dest)
    for attempt in range(5):
        proc = subprocess.Popen([sys.executable, "-c", KILLER, *map(str, paths)], cwd=ROOT)
        time.sleep(0.6 + attempt * 0.37)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        for path in paths:
            data = load_file(path)            # parses: never half-written
            assert data["claims"] and data["doc_id"] == path.stem
    leftovers = [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"]
    # A kill can leave a temporary file behind, never a damaged annotation file.
    assert all(name.startswith(".") for name in leftovers)


# -- bad files: exact messages, exit code 2, nothing written --------------------------------------

GOOD = (ROOT / "annotations" / "004_dc2d9b10ce66d02d.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("mutate,message", [
    (lambda s: s.replace("claims:\n", "claims:\n  - [unclosed\n", 1), "not valid YAML"),
    (lambda s: s.replace("status: confirmed", "status: maybe", 1),
     "[claims[0].status]: 'maybe' is not allowed; use one of: machine, confirmed, corrected, rejected, added"),
    (lambda s: s.replace("kind: count", "kind: weight", 1),
     "[claims[0].quantities[0].kind]: 'weight' is not allowed; use one of: percentage, proportion, count, timeframe, frequency, dose, money"),
    (lambda s: s.replace("evidence: unattributed", "evidence: rumour", 1),
     "[claims[0].evidence]: 'rumour' is not allowed; use one of: study-backed, anecdotal, unattributed"),
    (lambda s: s.replace("start: 1903", "start: 1902", 1), "[claims[0].text]: text does not match the document at 1902:"),
    (lambda s: s.replace("text: two or more", "text: three or more", 1), "[claims[0].quantities[0].text]: text does not match the document"),
    (lambda s: s.replace("hedged: false", "hedged: perhaps", 1), "[claims[0].hedged]: hedged must be true or false"),
    (lambda s: s.replace("        qualifier: at_least\n", "        qualifier: at_least\n        change: sideways\n", 1),
     "[claims[0].quantities[0].change]: 'sideways' is not allowed; use one of: from, to"),
])
def test_bad_annotation_files(tmp_path, mutate, message):
    import shutil
    out = tmp_path / "out"
    ann = tmp_path / "ann"
    shutil.copytree(ROOT / "annotations", ann)
    bad = ann / "004_dc2d9b10ce66d02d.yaml"
    mutated = mutate(GOOD)
    assert mutated != GOOD
    bad.write_text(mutated, encoding="utf-8")
    before = {p.name: p.read_text(encoding="utf-8") for p in ann.iterdir()}
    run = lambda *a: subprocess.run([sys.executable, "-m", "pipeline", *a], capture_output=True, text=True, cwd=ROOT)
    assert run("ingest", "--out", str(out)).returncode == 0
    # The NLP output is not needed to validate: a copy of real machine claims stands in for it.
    (out / "machine_claims.jsonl").write_text("", encoding="utf-8")
    result = run("review", "--out", str(out), "--annotations", str(ann))
    assert result.returncode == 2, result.stderr
    assert f"error: {bad}:" in result.stderr and message in result.stderr, result.stderr
    line = result.stderr.split(f"{bad}:")[1].split(" ")[0].rstrip(":")
    assert line.split(":")[0].isdigit(), result.stderr
    assert {p.name: p.read_text(encoding="utf-8") for p in ann.iterdir()} == before
    assert not (out / "claims.jsonl").exists()
