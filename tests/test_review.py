"""Annotators' YAML: edits survive every re-run; crashes leave files whole; bad files are named."""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pipeline.nlp.stage import claim_id
from pipeline.nlp import plain_spaces, rules_pipeline
from pipeline.files import read_jsonl
from pipeline.review.merge import machine_entry, merge
from pipeline.review.yamlio import _dump, dumps, fast_claim_text, load_bytes, load_file, load_plain_bytes, new_file

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


# -- the property: random documents, random annotator edits, random document edits ---------------
#
# A document is paragraphs of unique sentences, each with a figure; the stand-in extractor claims
# every sentence with its figure, and gives each later sentence of a paragraph the paragraph's
# opening word as a source carried over from the first sentence (offsets outside the claim).
# Each round: the document is edited (insert, delete, move, reword a paragraph, re-space a
# sentence), then the annotator edits the file as it now is, then the run re-anchors, validates
# and merges, exactly as `python -m pipeline review` does (review.load_review's steps).

SUBJECTS = ("Researchers", "Doctors", "Patients", "Nurses", "Readers")
VERBS = ("saw", "reported", "found", "noted")
VERB = re.compile(r"\b(saw|reported|found|noted|said|wrote)\b")
FIGURE = re.compile(r"(\d+)\s+percent")


def sentence(k, verb=0):
    return f"{SUBJECTS[k % len(SUBJECTS)]} in group {k} {VERBS[verb % len(VERBS)]} {k * 7 % 90 + 2} percent fewer visits."


def render(paragraphs):
    return "\n\n".join(" ".join(p) for p in paragraphs) + "\n"


def extractor(paragraphs, text, evidence):
    """Machine claims of the document: every sentence, its figure, a carried-over source."""
    seen, claims, pos = {}, [], 0
    for para in paragraphs:
        first = None
        for n, sent in enumerate(para):
            start = text.index(sent, pos)
            pos = start + len(sent)
            figure = FIGURE.search(sent)
            q_start, q_end = start + figure.start(), start + figure.end()
            sources = []
            if n == 0:
                first = (start, sent.split()[0])
            else:
                sources = [{"text": first[1], "start": first[0], "end": first[0] + len(first[1]), "type": "study",
                            "canonical": first[1]}]
            claims.append({"id": claim_id("d", sent, seen), "doc_id": "d", "text": sent, "start": start,
                           "end": start + len(sent), "section": "article", "author": None, "comment_index": None,
                           "quantities": [{"text": figure.group(), "start": q_start, "end": q_end, "kind": "percentage",
                                           "value": float(figure.group(1)), "low": None, "high": None, "unit": None,
                                           "qualifier": None, "iso_duration": None, "rule": "r"}],
                           "sources": sources, "evidence": evidence, "evidence_cues": ["x"], "hedged": False})
    return claims


doc_edit = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 50), st.integers(1, 3)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 50)),
    st.tuples(st.just("reword"), st.integers(0, 50), st.integers(0, 3)),
    st.tuples(st.just("respace"), st.integers(0, 50), st.integers(0, 3), st.sampled_from(["\n", "  ", " \n "])),
)
annotator_edit = st.one_of(
    st.tuples(st.just("confirm"), st.integers(0, 60)),
    st.tuples(st.just("reject"), st.integers(0, 60)),
    st.tuples(st.just("note"), st.integers(0, 60),
              st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20)),
    st.tuples(st.just("evidence"), st.integers(0, 60), st.sampled_from(["study-backed", "anecdotal", "unattributed"])),
    st.tuples(st.just("hedged"), st.integers(0, 60), st.booleans()),
    st.tuples(st.just("value"), st.integers(0, 60), st.one_of(st.none(), st.floats(0, 1000, allow_nan=False))),
    st.tuples(st.just("kind"), st.integers(0, 60), st.sampled_from(["percentage", "dose", "money"])),
    st.tuples(st.just("source"), st.integers(0, 60), st.sampled_from(["WHO", "Dr Lee", "a survey"])),
    st.tuples(st.just("comment"), st.integers(0, 60), st.text(alphabet="abc xyz", min_size=1, max_size=12)),
    st.tuples(st.just("add"), st.integers(0, 60), st.one_of(st.none(), st.floats(0, 99, allow_nan=False))),
)


def edit_document(paragraphs, e, fresh):
    """One document edit; `fresh` hands out sentence numbers never used before."""
    if e[0] == "insert":
        paragraphs.insert(e[1] % (len(paragraphs) + 1), [sentence(next(fresh)) for _ in range(e[2])])
    elif not paragraphs:
        return
    elif e[0] == "delete" and len(paragraphs) > 1:
        del paragraphs[e[1] % len(paragraphs)]
    elif e[0] == "move":
        paragraphs.insert(e[2] % len(paragraphs), paragraphs.pop(e[1] % len(paragraphs)))
    elif e[0] == "reword":
        para = paragraphs[e[1] % len(paragraphs)]
        n = e[2] % len(para)
        para[n] = VERB.sub(lambda m: "said" if m.group() != "said" else "wrote", para[n], count=1)
    elif e[0] == "respace":
        para = paragraphs[e[1] % len(paragraphs)]
        n = e[2] % len(para)
        para[n] = para[n].replace(" ", e[3], 1)


def edit_annotations(data, e, text, comments, unclaimed):
    claims = data["claims"]
    if e[0] == "add":
        if not unclaimed:
            return
        sent = unclaimed.pop(e[1] % len(unclaimed))
        claims.append(CommentedMap([
            ("status", "added"), ("text", sent), ("section", "article"), ("evidence", "anecdotal"), ("hedged", True),
            ("quantities", CommentedSeq([CommentedMap([("text", FIGURE.search(sent).group()), ("kind", "percentage"),
                                                       ("value", e[2])])])),
            ("sources", CommentedSeq()), ("note", "added by hand")]))
        return
    if not claims:
        return
    entry = claims[e[1] % len(claims)]
    if e[0] in ("confirm", "reject") and entry["status"] == "added":
        return              # an annotator's own claim keeps its status (a 'confirmed' one would need an id)
    if e[0] == "confirm":
        entry["status"] = "confirmed"
    elif e[0] == "reject":
        entry["status"] = "rejected"
    elif e[0] == "note":
        entry["note"] = e[2]
    elif e[0] == "evidence":
        entry["status"], entry["evidence"] = "corrected" if entry["status"] != "added" else "added", e[2]
    elif e[0] == "hedged":
        entry["status"], entry["hedged"] = "corrected" if entry["status"] != "added" else "added", e[2]
    elif e[0] in ("value", "kind") and entry.get("quantities"):
        entry["status"] = "corrected" if entry["status"] != "added" else "added"
        entry["quantities"][0]["value" if e[0] == "value" else "kind"] = e[2]
    elif e[0] == "source":
        entry["status"] = "corrected" if entry["status"] != "added" else "added"
        entry["sources"] = CommentedSeq([CommentedMap([("text", e[2]), ("start", None), ("end", None), ("type", "study")])])
    elif e[0] == "comment":
        if entry.ca.items.get("text"):
            return          # one comment per line; replacing one's own comment is not a loss
        marker = f"annotator says {e[2]} #{len(comments)}"
        entry.yaml_add_eol_comment(marker, "text")
        comments.append(marker)


def builtin(node):
    """Round-trip data as plain Python (ruamel's scalar and container types dropped), to compare with plain data."""
    if isinstance(node, dict):
        return {builtin(k): builtin(v) for k, v in node.items()}
    if isinstance(node, list):
        return [builtin(v) for v in node]
    for kind in (bool, str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node


def words(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def owned(node):
    """What the annotator wrote: every field but offsets, stale and the machine's read-only ones,
    texts compared word for word (a re-spaced sentence keeps its words)."""
    if isinstance(node, dict):
        return {k: owned(words(v)) for k, v in node.items()
                if k not in ("start", "end", "stale", "id", "evidence_cues", "rule", "iso_duration", "canonical")}
    if isinstance(node, list):
        return [owned(v) for v in node]
    return node


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes=st.lists(st.integers(1, 4), min_size=1, max_size=6),
       rounds=st.lists(st.tuples(st.lists(doc_edit, max_size=3), st.lists(annotator_edit, max_size=6),
                                 st.sampled_from(["study-backed", "unattributed"])), min_size=1, max_size=4))
def test_every_annotator_edit_survives_every_rerun(tmp_path_factory, sizes, rounds):
    from pipeline.review.merge import reanchor_file
    from pipeline.review.validate import validate_file

    path = tmp_path_factory.getbasetemp() / "d.yaml"      # named for messages only; nothing is written
    counter = iter(range(10_000))
    paragraphs = [[sentence(next(counter)) for _ in range(n)] for n in sizes]
    text = render(paragraphs)
    data = merge(new_file("d"), extractor(paragraphs, text, "unattributed"), text, "sha0", "v1")
    comments = []
    for n, (doc_edits, edits, evidence) in enumerate(rounds, 1):
        for e in doc_edits:
            edit_document(paragraphs, e, counter)
        text, sha = render(paragraphs), f"sha{n}"
        data = roundtrip(data)
        claimed = {words(c["text"]) for c in data["claims"]}
        unclaimed = [s for p in paragraphs for s in p if words(s) not in claimed]
        for e in edits:
            edit_annotations(data, e, text, comments, unclaimed)
        reviewed = [owned(e) for e in data["claims"] if e.get("status") != "machine" or e.get("note")]
        # The run: re-anchor, validate (a valid file never stops it), merge.
        reanchor_file(path, data, text, sha)
        validate_file(path, data, text)
        data = merge(data, extractor(paragraphs, text, evidence), text, sha, f"v{n + 1}")
        dumped = dumps(data)
        assert dumped == _dump(data)                      # a claim at a time: the text of one whole dump
        assert load_plain_bytes(path, dumped.encode()) == builtin(load_bytes(path, dumped.encode()))
        after = {words(e["text"]): owned(e) for e in data["claims"]}
        for before in reviewed:
            assert before["text"] in after, f"reviewed claim lost: {before['text'][:40]}"
            got = after[before["text"]]
            for key in OWNED:
                assert got.get(key) == before.get(key), (key, got.get(key), before.get(key))
        for marker in comments:
            assert marker in dumped, f"YAML comment lost: {marker}"
        ids = [e["id"] for e in data["claims"]]
        assert len(ids) == len(set(ids)) and all(ids)
        for entry in data["claims"]:
            if entry.get("stale"):
                assert words(entry["text"]) not in words(text)
                continue
            assert text[entry["start"]:entry["end"]] == entry["text"]          # follows its sentence
            for item in list(entry.get("quantities") or []) + list(entry.get("sources") or []):
                if item.get("start") is not None:
                    assert text[item["start"]:item["end"]] == item["text"]


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
    # A kill can leave a temporary file behind, never a damaged annotation file; the next run sweeps it.
    from pipeline.review import sweep_temp_files
    sweep_temp_files(tmp_path, time.time() + 1)
    assert not [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


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
    (lambda s: s + "  - status: added\n    text: A sentence that is in no document at all.\n    evidence: anecdotal\n",
     "[claims[6].text]: the text of this added claim is not in the document; copy the sentence exactly as the document has it"),
    (lambda s: s + "  - id: x-1\n    status: rejected\n    text: Not a sentence of this document.\n    quantities: abc\n",
     "[claims[6].quantities]: quantities must be a list (not 'abc')"),
    (lambda s: s.replace("comment_index:", "comment_index: [1]", 1), "[claims[0].comment_index]: comment_index must be a whole number or null (not [1])"),
    (lambda s: s.replace("doc_id: 004_dc2d9b10ce66d02d", "doc_id: 003_fa9334d1e693ae5f", 1),
     "[doc_id]: doc_id '003_fa9334d1e693ae5f' does not match the file name: this file belongs to document '004_dc2d9b10ce66d02d'"),
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
    before = {p.name: p.read_text(encoding="utf-8") for p in ann.glob("*.yaml")}
    run = lambda *a: subprocess.run([sys.executable, "-m", "pipeline", *a], capture_output=True, text=True, cwd=ROOT)
    assert run("ingest", "--out", str(out)).returncode == 0
    # The NLP output is not needed to validate the annotation files: an empty one stands in for it.
    (out / "machine_claims.jsonl").write_text("", encoding="utf-8")
    result = run("review", "--out", str(out), "--annotations", str(ann))
    assert result.returncode == 2, result.stderr
    assert f"error: {bad}:" in result.stderr and message in result.stderr, result.stderr
    line = result.stderr.split(f"{bad}:")[1].split(" ")[0].rstrip(":")
    assert line.split(":")[0].isdigit(), result.stderr
    assert {p.name: p.read_text(encoding="utf-8") for p in ann.glob("*.yaml")} == before
    assert not (out / "claims.jsonl").exists()


# -- the two ways annotation files are written and read, against ruamel's whole-document ones -----
COMMENTED = """\
# Review file: a header comment
doc_id: d   # the document
sha256: abc
extractor: v1
claims:
  # a comment before the first claim
  - id: d-1
    status: machine   # eol comment
    text: "Quoted: yes"
    value: 1.50
  # between claims, on its own line

  - id: d-2
    status: confirmed
    note: |
      two lines
      of note
    quantities:
      - {text: 12%, value: 12}   # flow style kept
    sources: []
# at the very end
"""


@pytest.mark.parametrize("text", [
    COMMENTED,
    COMMENTED.replace("claims:\n", "claims:   # on the key itself\n"),        # not claim by claim: one dump
    COMMENTED.replace("extractor: v1\n", "") + "extractor: v1\n",             # claims not last: one dump
    "doc_id: d\nsha256:\nextractor:\nclaims: []\n",
])
def test_dumping_a_claim_at_a_time_writes_the_text_of_one_whole_dump(text):
    data = load_bytes("f.yaml", text.encode())
    assert dumps(data) == _dump(data)
    assert "# between claims, on its own line" in dumps(data) or "claims: []" in text


# Scalars a claim can hold, tricky ones weighted in: YAML indicators, words and numbers the resolver
# reads as other types, unicode outside the printable ranges, long text (ruamel folds past its width).
TRICKY = st.sampled_from(["", " ", "yes", "No", "null", "~", "true", "012", "1e3", ".5", "1:30", "2024-01-01",
                          "- x", "? x", ": x", "a: b", "a #b", "a#b", "x:", "...", "---", "&a", "*a", "!t", "%",
                          "@x", "`x", "'q'", '"q"', "a\tb", "a\nb", "\ufeffx", "\x85", "\u2028", "nbsp\xa0x",
                          "emoji \U0001F600", "\x7f", "<<", "=", "1_000", "0x1F", ".inf", "-.NaN", "x" * 5000,
                          "word " * 900, "12%", "£1.2bn", "1 in 3", "Dr. O’Neil", "[a]", "{a}", "a, b",
                          # texts with line breaks (comments keep their wrapping): ruamel double-quotes them
                          "It ran for four weeks\n    and dosing was twice.", 'she said "no"\nok', "back\\slash\nx",
                          "it's\nfine", "a\n\nb", "end\n", "\nstart", " lead\nx", "trail \nx", "a: b\n# c",
                          "x\n\ty", "nbsp\xa0\nx", "é ü\n😀", "\x7f\nx", "\ufeff\nx", ("w " * 1990) + "\nend"])
SCALARS = st.one_of(TRICKY, st.text(max_size=40), st.integers(), st.floats(), st.booleans(), st.none())
CLAIMS = st.dictionaries(st.sampled_from(["id", "status", "text", "start", "value", "note", "a: b", "12"]), st.one_of(
    SCALARS, st.lists(SCALARS, max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["text", "kind", "low"]), SCALARS, max_size=3), max_size=2),
    st.dictionaries(st.sampled_from(["x", "y"]), SCALARS, max_size=2)), max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CLAIMS)
def test_a_machine_claim_is_written_as_ruamel_writes_it(claim):
    """The fast writer's text for a claim equals ruamel's, or it leaves the claim to ruamel."""
    text = fast_claim_text(claim)
    if text is not None:
        assert text == _dump(CommentedSeq([claim]))


def test_most_machine_claims_take_the_fast_writer(run_dir):
    """Claims as review builds them from the sample corpus's machine claims mostly skip ruamel, and
    each one that does is written exactly as ruamel writes it."""
    claims = [machine_entry(c) for c in read_jsonl(run_dir / "out" / "machine_claims.jsonl")]
    fast = [(c, fast_claim_text(c)) for c in claims]
    assert all(text == _dump(CommentedSeq([c])) for c, text in fast if text is not None)
    assert sum(text is not None for _, text in fast) >= 0.9 * len(claims)


@pytest.mark.parametrize("scalar", ["yes", "on", "No", "012", "0o12", "1:30", "2024-01-01", ".5", "1e3", "~", "null",
                                    "'quoted'", '"tab\\tnewline\\n"', "0x1F", ".inf", "-.NaN", "true", "1_000"])
def test_plain_reading_gives_the_values_of_a_round_trip_read(scalar):
    raw = f"doc_id: d\nclaims:\n  - note: {scalar}\n    n: [{scalar}, {{k: {scalar}}}]\n".encode()
    plain, trip = load_plain_bytes("f.yaml", raw), builtin(load_bytes("f.yaml", raw))
    if scalar.lower().endswith("nan"):
        assert str(plain) == str(trip)
    else:
        got, want = plain["claims"][0], trip["claims"][0]
        assert plain == trip and type(got["note"]) is type(want["note"]) and type(got["n"][0]) is type(want["n"][0])


def test_plain_reading_keeps_the_lines_validation_names():
    from pipeline.errors import line_of
    from pipeline.review.yamlio import PlainMap
    data = load_plain_bytes("f.yaml", COMMENTED.encode())
    assert isinstance(data, PlainMap)                 # libyaml's events, not the round-trip fallback
    claim = data["claims"][1]
    assert line_of(data, key="claims") == 5 and line_of(data["claims"], index=1) == 13
    assert line_of(claim, key="note") == 15 and line_of(claim["quantities"], index=0) == 19


@pytest.mark.parametrize("text,message", [
    ("a: 1\na: 2\n", "found duplicate key"),
    ("a: *nowhere\n", "found undefined alias"),
    ("a: [1\n", "not valid YAML"),
    ("a: 1\n---\nb: 2\n", "but found another document"),
])
def test_what_plain_reading_refuses_is_ruamels_error_as_review_gives_it(text, message):
    from pipeline.errors import InputError
    with pytest.raises(InputError) as plain:
        load_plain_bytes("f.yaml", text.encode())
    with pytest.raises(InputError) as trip:
        load_bytes("f.yaml", text.encode())
    assert str(plain.value) == str(trip.value) and message in str(plain.value)


def test_a_tag_is_read_as_review_reads_it_and_never_run():
    raw = b"a: !!python/object/apply:os.system ['echo hacked']\nb: !custom x\n"
    plain, trip = load_plain_bytes("f.yaml", raw), load_bytes("f.yaml", raw)
    assert repr(builtin(plain)) == repr(builtin(trip)) and plain["a"] == ["echo hacked"]
