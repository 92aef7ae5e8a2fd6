"""The claims pipeline is a real spaCy pipeline: packaged to a folder, spacy.load gives the same claims."""

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
