"""Claims, sources and evidence labels on sentences written for these tests, through real files."""

import pytest

from pipeline.nlp.stage import extract_documents
from pipeline.ingest import ingest_document


def claims_of(tmp_path, body, comments=None):
    """Write a page (article paragraphs, then optional comments), ingest and extract it."""
    page = "A Test Page\n\n" + body.strip() + "\n"
    if comments:
        page += "\n3 Responses\n" + "".join(f"  {n}. {author}\n\n    {text}\n\n" for n, (author, text) in enumerate(comments, 1))
    path = tmp_path / "page.txt"
    path.write_text(page, encoding="utf-8")
    return extract_documents([ingest_document(path)], progress=False)["page"]


def claim(claims, snippet):
    found = [c for c in claims if snippet in c["text"]]
    assert len(found) == 1, [c["text"] for c in claims]
    return found[0]


def sources(c, type_=None):
    return [s["text"] for s in c["sources"] if type_ is None or s["type"] == type_]


@pytest.mark.parametrize("sentence,evidence,source,type_", [
    ("A trial published in The Lancet found that 40% of patients improved.", "study-backed", "Lancet", "journal"),
    ("According to the World Health Organization, 5% of adults have depression.", "study-backed", "World Health Organization", "institution"),
    ("Smith et al. reported a response in 12 of 20 patients.", "study-backed", "Smith et al.", "study"),
    ("Jane Doe of The New York Times wrote that 3 in 10 clinics closed.", "study-backed", "Jane Doe", "person"),
    ("Jane Doe of The New York Times wrote that 3 in 10 clinics closed.", "study-backed", "New York Times", "publication"),
    ("A recent clinical trial showed relief within 40 minutes.", "study-backed", "A recent clinical trial", "study"),
    ("Depression affects up to one-third of patients.", "unattributed", None, None),
    ("The drug costs $500 per infusion.", "unattributed", None, None),
])
def test_article_evidence_and_source_types(tmp_path, sentence, evidence, source, type_):
    c = claim(claims_of(tmp_path, sentence), sentence[:20])
    assert c["evidence"] == evidence
    if source:
        assert any(source in s for s in sources(c, type_)), c["sources"]
    else:
        assert c["sources"] == []
        assert "no source and no personal experience" in c["evidence_cues"]


def test_comment_first_person_is_anecdotal_with_author_as_narrator(tmp_path):
    claims = claims_of(tmp_path, "Nothing here.", comments=[("Maria", "I took 20 mg twice a day for three weeks.")])
    c = claim(claims, "I took 20 mg")
    assert c["evidence"] == "anecdotal" and c["section"] == "comment" and c["author"] == "Maria"
    assert {"text": "Maria", "start": None, "end": None, "type": "narrator", "canonical": "Maria",
            "role": "narrator", "cue": None} in c["sources"]
    assert "first_person:I" in c["evidence_cues"]


def test_comment_citing_a_study_is_study_backed(tmp_path):
    claims = claims_of(tmp_path, "Nothing here.", comments=[
        ("Tom", "A 2019 review in JAMA Psychiatry found that 60% of trials showed a benefit.")])
    c = claim(claims, "60% of trials")
    assert c["evidence"] == "study-backed" and c["author"] == "Tom"
    assert "JAMA Psychiatry" in " ".join(sources(c))


def test_comment_stating_a_general_fact_is_unattributed(tmp_path):
    claims = claims_of(tmp_path, "Nothing here.", comments=[("Ann", "Most insurers cover 80% of the cost.")])
    assert claim(claims, "80% of the cost")["evidence"] == "unattributed"


def test_hearsay_is_anecdotal(tmp_path):
    claims = claims_of(tmp_path, "Nothing here.", comments=[("Bo", "My doctor said it works for half of his patients.")])
    c = claim(claims, "half of his patients")
    assert c["evidence"] == "anecdotal" and any(cue.startswith("hearsay:") for cue in c["evidence_cues"])


def test_patient_testimony_in_an_article_is_anecdotal(tmp_path):
    body = ("Dana Brooks joined a support group. “I had panic attacks for 12 years,” she said.")
    c = claim(claims_of(tmp_path, body), "12 years")
    assert c["evidence"] == "anecdotal"
    assert sources(c, "narrator") == ["Dana Brooks"]


def test_study_carries_over_within_a_paragraph_and_stops_at_a_break(tmp_path):
    body = ("In a 2015 study at Stanford University, 30 volunteers took the drug. "
            "Symptoms improved within 2 hours in 60 percent of the participants.\n\n"
            "Relief lasted about 3 days in most people.")
    claims = claims_of(tmp_path, body)
    carried = claim(claims, "60 percent")
    assert carried["evidence"] == "study-backed"
    assert any(cue.startswith("context:") for cue in carried["evidence_cues"])
    assert "Stanford University" in " ".join(sources(carried))
    after_break = claim(claims, "3 days")
    assert after_break["evidence"] == "unattributed" and after_break["sources"] == []


@pytest.mark.parametrize("body,snippet,evidence,source", [
    # a figure, then the sentence that names where it came from
    ("Roughly 45% of the volunteers slept longer after a month. The trial was paid for by a sleep charity.",
     "45%", "study-backed", "The trial"),
    ("Blood pressure fell by 8 points in 3 weeks. This study is the largest of its kind.",
     "8 points", "study-backed", "This study"),
    # a paragraph that opens on a study described earlier carries it on
    ("The study followed 300 nurses. Half of them worked night shifts.", "Half of them", "study-backed", "The study"),
    # not when the later sentence is someone's opinion of "the study"
    ("Nearly 30% of adults take a supplement. I think the study is wrong.", "30%", "unattributed", None),
    # nor across a paragraph break
    ("About 12% of the pills were fake.\n\nThe study was retracted in May.", "12%", "unattributed", None),
])
def test_a_study_named_after_the_figure_or_before_the_paragraph(tmp_path, body, snippet, evidence, source):
    c = claim(claims_of(tmp_path, body), snippet)
    assert c["evidence"] == evidence, c["evidence_cues"]
    assert sources(c) == ([source] if source else [])


def test_a_new_source_ends_the_carry_over(tmp_path):
    body = ("A 2018 trial at Yale University enrolled 40 patients. "
            "According to the Mayo Clinic, 20% of adults are affected.")
    c = claim(claims_of(tmp_path, body), "20% of adults")
    assert "Mayo Clinic" in " ".join(sources(c)) and "Yale University" not in " ".join(sources(c))


def test_abbreviation_and_long_form_are_one_source(tmp_path):
    body = ("The National Institute on Drug Abuse (NIDA) funds research on addiction.\n\n"
            "A NIDA survey found that 12% of teens had tried it.")
    c = claim(claims_of(tmp_path, body), "12% of teens")
    nida = [s for s in c["sources"] if s["text"] == "NIDA"]
    assert nida and nida[0]["canonical"] == "National Institute on Drug Abuse"
    assert c["evidence"] == "study-backed"


@pytest.mark.parametrize("sentence,hedged", [
    ("The drug may help 30% of patients.", True),
    ("Early data suggests a 25% drop in relapses.", True),
    ("Relief came in about 2 hours.", True),
    ("There is no evidence that 5 mg is enough.", True),
    ("It did not work for 4 of the 10 patients.", True),
    ("The clinic treated 200 patients in 2020.", False),
])
def test_hedged(tmp_path, sentence, hedged):
    assert claim(claims_of(tmp_path, sentence), sentence[:15])["hedged"] is hedged


def test_claim_ids_are_stable_and_offsets_point_into_the_file(tmp_path):
    body = "Around 15% of users relapse. The same 15% figure appears again elsewhere."
    first = claims_of(tmp_path, body)
    again = claims_of(tmp_path, "An extra paragraph with 3 trials.\n\n" + body)
    assert {c["id"] for c in first} <= {c["id"] for c in again}
    text = (tmp_path / "page.txt").read_text(encoding="utf-8")
    for c in again:
        assert text[c["start"]:c["end"]] == c["text"]
        for q in c["quantities"]:
            assert text[q["start"]:q["end"]] == q["text"]
