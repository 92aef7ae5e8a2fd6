"""The currency words the quantities component reads are babel's: the committed snapshot equals what the
installed babel derives, and loading the component no longer parses babel's locales."""

import subprocess
import sys

from pipeline.nlp.currencies import currency_words, from_babel

from .conftest import ROOT


def test_the_snapshot_is_what_the_installed_babel_gives():
    case_sensitive, lowered = currency_words()
    derived = from_babel()
    assert (case_sensitive, lowered) == derived, "babel changed: run `make currencies` and commit the file"
    assert list(case_sensitive) == list(derived[0]) and list(lowered) == list(derived[1])   # same order too
    assert case_sensitive["RM"] == "MYR" and lowered["€"] == "EUR" and lowered["shekels"] == "ILS"


def test_loading_the_rules_pipeline_reads_no_cldr_locale():
    code = ("import babel.localedata as L\n"
            "from pipeline.nlp import rules_pipeline\n"
            "rules_pipeline()\n"
            "print(len(L._cache))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "0"
