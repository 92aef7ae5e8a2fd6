"""The claims pipeline is a real spaCy pipeline: packaged to a folder, spacy.load gives the same claims."""

import json
import subprocess
import sys


import pipeline
from pipeline.nlp.stage import paragraphs
from pipeline.nlp import plain_spaces
from pipeline.nlp.rulefiles import PATTERNS

from .conftest import CORPUS, ROOT


def sample_paragraphs(limit=40):
    found = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found += [plain_spaces(text[s:e]) for s, e in paragraphs(text, 0, len(text)) if any(ch.isdigit() for ch in text[s:e])]
    return found[:limit]


def test_packaged_pipeline_gives_the_same_claims(tmp_path):
    target = tmp_path / "claims_pipeline"
    result = subprocess.run([sys.executable, "-m", "pipeline", "package", str(target)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    config = (target / "config.cfg").read_text(encoding="utf-8")
    assert str(PATTERNS) not in config, "the packaged config names rule files by a path of this machine"
    # A fresh interpreter, as a user's own code would be: no import of this project first.
    code = ("import json, sys, spacy; nlp = spacy.load(sys.argv[1]); "
            "print(json.dumps([d._.claim_records for d in nlp.pipe(json.load(sys.stdin))]))")
    texts = sample_paragraphs()
    import json
    loaded = subprocess.run([sys.executable, "-c", code, str(target)], input=json.dumps(texts),
                            capture_output=True, text=True, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    ours = [d._.claim_records for d in pipeline.load().pipe(texts)]
    assert json.loads(loaded.stdout) == ours
    assert sum(len(c) for c in ours) >= 20


def test_load_exposes_spans_and_records():
    doc = pipeline.load()("In a 2019 trial, 40% of 200 patients improved within two weeks.")
    assert [q.label_ for q in doc.spans["quantities"]] == ["percentage", "count", "timeframe"]
    [record] = doc._.claim_records
    assert record["text"] == doc.text and [q["text"] for q in record["quantities"]] == ["40%", "200", "two weeks"]


def test_a_packaged_pipeline_reads_the_rule_files_it_carries(tmp_path):
    """The package holds every rule file config.cfg names; spacy.load(DIR) reads those copies, not patterns/."""
    target = tmp_path / "claims_pipeline"
    pipeline.nlp.package(target)
    for component, files in {"quantities": ["quantities.jsonl", "not_quantities.jsonl", "lexicon.yml", "units.yml"],
                             "attribution": ["reporting.yml", "attribution.jsonl"], "carryover": ["carryover.yml"],
                             "evidence_label": ["evidence_label.yml", "evidence.yml", "reporting.yml"]}.items():
        for name in files:
            assert (target / component / name).read_bytes() == (PATTERNS / name).read_bytes(), (component, name)
    exclusions = target / "quantities" / "not_quantities.jsonl"
    exclusions.write_text(exclusions.read_text(encoding="utf-8") + '{"label": "not_quantity", "id": "test-mg", '
                          '"pattern": [{"_": {"qclass": "num"}}, {"LOWER": "mg"}]}\n', encoding="utf-8")
    code = ("import json, sys, spacy; doc = spacy.load(sys.argv[1])(sys.argv[2]); "
            "print(json.dumps([[q.text, q.label_] for q in doc.spans['quantities']]))")
    text = "Patients took 20 mg twice a day."
    loaded = subprocess.run([sys.executable, "-c", code, str(target), text], capture_output=True, text=True, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout) == [["twice a day", "frequency"]]
    doc = pipeline.load()(text)       # the project's own files are unchanged
    assert [[q.text, q.label_] for q in doc.spans["quantities"]] == [["20 mg", "dose"], ["twice a day", "frequency"]]
