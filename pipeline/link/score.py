"""Score links.jsonl against planted pairs (an expected.yaml beside a test corpus).

expected.yaml names each figure by document, quantity text and a snippet of its
sentence, groups them by study, and lists the pairs that must be compared (with
their verdict) and the distractors that must not be. Every comparison between
figures of two different studies counts as a cross-study error; a comparison
involving a figure not listed is "unplanned" (reported, not scored).
"""

from pathlib import Path

import yaml


def load_expected(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def locate(expected, claims):
    """{label: (claim_id, quantity text)} for every figure the extractor found; missing labels are left out."""
    found = {}
    for study, figures in expected["studies"].items():
        for label, spec in figures.items():
            for claim in claims:
                if claim["doc_id"] != spec["doc"] or spec["in"] not in claim["text"]:
                    continue
                want = spec["q"].lower()
                for q in claim["quantities"]:
                    have = q["text"].lower()
                    if want == have or want in have or have in want:
                        found[label] = (claim["id"], q["text"])
                        break
                if label in found:
                    break
    return found


def score(expected, claims, links):
    located = locate(expected, claims)
    label_of = {where: label for label, where in located.items()}
    study_of = {label: study for study, figures in expected["studies"].items() for label in figures}
    compared = {}
    for group in links:
        for c in group["comparisons"]:
            a, b = label_of.get((c["a"], c["a_text"])), label_of.get((c["b"], c["b_text"]))
            compared[frozenset((a, b)) if a and b else ("unplanned", c["a"], c["a_text"], c["b"], c["b_text"])] = c
    pairs = expected["pairs"]
    result = {"planted": len(pairs), "found": 0, "verdict_right": 0, "missing": [], "wrong_verdict": [],
              "not_extracted": sorted(set(study_of) - set(located)), "distractors_compared": [],
              "cross_study": [], "unplanned": []}
    for a, b, verdict in pairs:
        c = compared.get(frozenset((a, b)))
        if c is None:
            result["missing"].append([a, b, verdict])
            continue
        result["found"] += 1
        if c["verdict"] == verdict:
            result["verdict_right"] += 1
        else:
            result["wrong_verdict"].append([a, b, verdict, c["verdict"]])
    for a, b in expected.get("distractors", []):
        if frozenset((a, b)) in compared:
            result["distractors_compared"].append([a, b])
    planted = {frozenset((a, b)) for a, b, _ in pairs}
    for key, c in compared.items():
        if isinstance(key, tuple):
            result["unplanned"].append(list(key[1:]) + [c["verdict"]])
            continue
        a, b = sorted(key)
        if study_of[a] != study_of[b]:
            result["cross_study"].append([a, b, c["verdict"]])
        elif key not in planted:
            result["unplanned"].append([a, b, c["verdict"]])
    result["recall"] = result["found"] / len(pairs) if pairs else 1.0
    result["verdict_accuracy"] = result["verdict_right"] / result["found"] if result["found"] else 0.0
    return result


def score_corpus(corpus, claims, links):
    return score(load_expected(Path(corpus) / "expected.yaml"), claims, links)
