"""Who said the figure: table-driven cases in news, health-blog and comment registers.

tests/cases/attribution_tuned.yml are the cases the rules were written against;
tests/cases/attribution_heldout.yml were written at the same time and set aside
(never used to write rules). Known limits are strict xfails in the files.
"""

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.test_claims import claim, claims_of

CASES = Path(__file__).parent / "cases"


def cases(name):
    for case in YAML(typ="safe").load((CASES / f"attribution_{name}.yml").read_text(encoding="utf-8")):
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
        yield pytest.param(case, id=f"{name}-{case['id']}", marks=marks)


def check(tmp_path, case):
    comments = [tuple(c) for c in case.get("comments", [])] or None
    claims = claims_of(tmp_path, case["text"], comments=comments)
    for expected in case["claims"]:
        c = claim(claims, expected["snippet"])
        assert c["evidence"] == expected["evidence"], (c["evidence"], c["evidence_cues"], c["sources"])
        for want in expected.get("sources", []):
            assert any(want["text"] in s["text"] and s["role"] == want.get("role", s["role"])
                       and s["cue"] == want.get("cue", s["cue"]) for s in c["sources"]), (want, c["sources"])


@pytest.mark.parametrize("case", list(cases("tuned")))
def test_tuned(tmp_path, case):
    check(tmp_path, case)


@pytest.mark.parametrize("case", list(cases("heldout")))
def test_heldout(tmp_path, case):
    check(tmp_path, case)


def test_id_stays_a_word_but_id_with_apostrophe_still_splits():
    import spacy

    from pipeline.nlp.tokenizer import number_friendly_tokenizer
    nlp = number_friendly_tokenizer(spacy.blank("en"))
    assert [t.text for t in nlp("the studio id Software")] == ["the", "studio", "id", "Software"]
    assert [t.text for t in nlp("I'd say so")][:2] == ["I", "'d"]


def test_the_antecedent_resolver_is_a_config_seam():
    """A coreference component can replace the salience rule by naming its own registered resolver."""
    import spacy

    from pipeline import settings
    from pipeline.nlp import add_components, full_pipeline, number_friendly_tokenizer

    @spacy.registry.misc("test_no_antecedent.v1")
    def make_none():
        return lambda doc, mention, lexicon, sources: None

    text = "Dr. Omar Haddad runs the sleep laboratory. He said 30% of the students slept badly."
    default = full_pipeline()(text)
    assert [a._.antecedent.text for a in default.spans["attributions"] if a._.speaker.text == "He"] == ["Omar Haddad"]
    nlp = add_components(number_friendly_tokenizer(spacy.load(settings.MODEL)), "claims",
                         overrides={"attribution": {"resolver": {"@misc": "test_no_antecedent.v1"}}})
    plugged = nlp(text)
    assert [a._.antecedent for a in plugged.spans["attributions"] if a._.speaker.text == "He"] == [None]


def test_study_heads_are_data_a_config_entry_swaps(tmp_path):
    """The `sources` component's study head nouns come from its `lexicon` file: adding a word there
    (here "registry") makes "a national registry" a described study, with no code change."""
    import spacy
    from ruamel.yaml import YAML

    from pipeline import settings
    from pipeline.nlp import add_components, full_pipeline, number_friendly_tokenizer
    from pipeline.nlp.rulefiles import PATTERNS

    text = "A national registry of 5,000 births shows 12% were preterm."
    assert [s.text for s in full_pipeline()(text).spans["sources"] if s.label_ == "study"] == []
    yaml = YAML(typ="safe")
    words = yaml.load((PATTERNS / "reporting.yml").read_text(encoding="utf-8"))
    words["study_heads"].append("registry")
    path = tmp_path / "reporting.yml"
    with open(path, "w", encoding="utf-8") as fh:
        yaml.dump(words, fh)
    nlp = add_components(number_friendly_tokenizer(spacy.load(settings.MODEL)), "claims",
                         overrides={"sources": {"lexicon": str(path)}})
    assert [s.text for s in nlp(text).spans["sources"] if s.label_ == "study"] == ["A national registry"]


def test_the_cue_sentence_matcher_finds_what_spacys_dependency_matcher_finds(corpus_dir):
    """CueSentenceMatcher overrides a private method of spaCy's DependencyMatcher: same matches on every
    paragraph of the attribution cases and of the sample corpus, so a spaCy upgrade that breaks it fails here."""
    from spacy.matcher import DependencyMatcher

    from pipeline.nlp import full_pipeline
    from pipeline.nlp.attribution import expand

    nlp = full_pipeline()
    ours = nlp.get_pipe("attribution")
    theirs = DependencyMatcher(nlp.vocab)
    for rule_id, rule in ours.rules.items():
        if "pattern" in rule:
            theirs.add(rule_id, [expand(rule["pattern"], ours.lexicon)])
    texts = [case["text"] for name in ("tuned", "heldout")
             for case in YAML(typ="safe").load((CASES / f"attribution_{name}.yml").read_text(encoding="utf-8"))]
    texts += [p for f in sorted(corpus_dir.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n")]
    compared = 0
    with nlp.select_pipes(disable=["attribution", "carryover", "evidence_label"]):
        docs = list(nlp.pipe(texts))
    for doc in docs:
        cues = ours.cue_words(doc)
        sentences = [s for s in doc.sents if cues[s.start:s.end].any()]
        expected = sorted(theirs(doc))
        assert sorted(ours.matcher.matches_in(doc, sentences)) == expected, doc.text
        compared += len(expected)
    assert compared > 50
