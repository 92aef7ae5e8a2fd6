import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def corpus_dir():
    return CORPUS


@pytest.fixture
def tmp_corpus(tmp_path):
    """A writable copy of the sample corpus."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    ann = base / "annotations"
    shutil.copytree(ROOT / "annotations", ann)
    out = base / "out"
    for stage in ("ingest", "nlp", "review", "link", "export", "eval"):
        args = [sys.executable, "-m", "pipeline", stage, "--out", str(out)]
        if stage in ("review", "link", "export", "eval"):
            args += ["--annotations", str(ann)]
        result = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
    return base
