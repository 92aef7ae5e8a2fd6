"""Stage: claims -> OUT/links.jsonl, one line per study (or named source) cited across the corpus.

Reads the claims export would write (machine claims with the annotators'
decisions applied), groups them by the research they cite (keys.py), and
compares the figures of each group that state the same measure (compare.py).
Runs before export, which writes each claim's group as claims.csv `link_id`.

Grouping, in three passes over the claims in document order:
  1. identifiers (DOI, PMID, URL, study name, lead author) of one claim are one
     study; studies sharing an identifier are merged (union-find);
  2. a claim with only qualifiers (journal + year, journal, institution,
     person) joins the one study that carries the qualifier in its document,
     else in the corpus; when none or several do, it forms a group of that
     named source ("The Lancet 2023");
  3. an article claim citing research without naming it ("the study", or no
     source at all) belongs to the study named last before it in the
     document; "the study" before any is named, or in a comment, to the
     document's only study. Background figures before the first study, and
     personal accounts, without a key of their own are not linked; nor is
     "another study" (rules.yml `other_research`), which also ends the carry.
Blocking is by group, then by measure: the cost grows with the claims and the
comparisons, not with the square of the corpus.
"""

import hashlib
from collections import Counter, defaultdict
from pathlib import Path

from tqdm import tqdm

from ..files import read_jsonl, write_jsonl
from .compare import FigureReader, comparisons, name_words
from .keys import KeyReader

LINKS = "links.jsonl"
ID_PRIORITY = ("name", "doi", "pmid", "url")


class UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, key):
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def link_id(key):
    return "L" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def group_claims(records, keys=None, progress=False):
    """{group key: {"claims": [record], "source": {...}, "keys": [...]}} for the records (in document order)."""
    keys = keys or KeyReader()
    abbreviations = {}
    for claim in records:
        for abbr, long_form in keys.abbreviations(claim["text"], claim["sources"]).items():
            abbreviations.setdefault(abbr, long_form)
    found = UnionFind()
    ids, quals, displays = [], [], defaultdict(Counter)
    for claim in tqdm(records, desc="link: keys", unit="claim", delay=2, disable=not progress):
        these = keys.identifiers(claim, abbreviations)
        for key, display in these.items():
            displays[key][display] += 1
        names = list(these)
        for other in names[1:]:
            found.union(names[0], other)
        ids.append(names)
        quals.append(keys.qualifiers(claim))

    # Which studies carry each qualifier, per document and in the corpus.
    in_doc, in_corpus, doc_studies = defaultdict(set), defaultdict(set), defaultdict(set)
    for claim, names, qual in zip(records, ids, quals):
        if names:
            root = found.find(names[0])
            doc_studies[claim["doc_id"]].add(root)
            for key, _, _ in qual:
                in_doc[claim["doc_id"], key].add(root)
                in_corpus[key].add(root)

    groups = {}
    last_in_article = {}
    for claim, names, qual in zip(records, ids, quals):
        doc = claim["doc_id"]
        group = found.find(names[0]) if names else None
        named_source = None
        other = group is None and keys.other_research(claim)
        if group is None and qual:
            group = None if other else resolve_qualifiers(qual, doc, found, in_doc, in_corpus)
            if group is None:
                key, display, kind = qual[0]
                group, named_source = f"source:{key}", {"canonical": display, "type": kind}
        if other and group is None:
            last_in_article.pop(doc, None)      # what follows is about the other research, not the last study
            continue
        if group is None and not personal(claim):
            only = doc_studies[doc]
            if claim["section"] == "article":
                group = last_in_article.get(doc)
            if group is None and keys.generic_reference(claim) and len(only) == 1:
                group = next(iter(only))
        if group is None:
            continue
        if claim["section"] == "article":
            last_in_article[doc] = group
        entry = groups.setdefault(group, {"claims": [], "source": named_source, "keys": set()})
        entry["claims"].append(claim)
        entry["keys"].update(names)
    abbreviated = defaultdict(set)              # name key -> its abbreviations ("name:northern heart" -> NHC)
    for abbr, long_form in abbreviations.items():
        abbreviated[f"name:{keys.clean_name(long_form)}"].add(abbr)
    for key, entry in groups.items():
        if entry["source"] is None:
            entry["source"] = {"canonical": best_display(entry["keys"] or {key}, displays), "type": "study"}
        entry["names"] = study_names(entry, displays, abbreviated)
        entry["keys"] = sorted(entry["keys"]) or [key.removeprefix("source:")]
    return groups


def study_names(entry, displays, abbreviated):
    """The words that name a group's study (its names, authors, abbreviations): not topic words."""
    words = set(name_words(entry["source"]["canonical"]))
    for key in entry["keys"]:
        if key.startswith("name:"):
            words |= name_words(key[5:]) | {a.lower() for a in abbreviated.get(key, ())}
            for display in displays[key]:
                words |= name_words(display)
    return frozenset(words)


def personal(claim):
    """A personal account (or an annotator's claim) without a key of its own is nobody's study figure."""
    return claim.get("evidence") == "anecdotal"


def resolve_qualifiers(qual, doc, found, in_doc, in_corpus):
    """The one study a claim's qualifiers point to, or None."""
    for key, _, _ in qual:
        if key in found.parent:                 # a person who is a study's lead author
            return found.find(key)
        for candidates in (in_doc.get((doc, key), ()), in_corpus.get(key, ())):
            if len(candidates) == 1:
                return next(iter(candidates))
            if candidates:
                break                           # ambiguous here: do not look further afield
    return None


def best_display(keys, displays):
    """The most-used study name, else lead author, DOI, PMID, URL."""
    def rank(key):
        prefix = key.split(":", 1)[0]
        is_author = displays[key] and displays[key].most_common(1)[0][0].endswith("et al.")
        return (ID_PRIORITY.index(prefix) if prefix in ID_PRIORITY else len(ID_PRIORITY), is_author,
                -sum(displays[key].values()), key)
    best = min(keys, key=rank)
    return displays[best].most_common(1)[0][0] if displays[best] else best


def link(records, progress=False):
    """links.jsonl records: groups of two or more claims, disagreements first."""
    groups = group_claims(records, progress=progress)
    figures = FigureReader()
    out = []
    for key, entry in groups.items():
        if len(entry["claims"]) < 2:
            continue
        found = [f for claim in entry["claims"] for f in figures.figures(claim, entry["names"])]
        out.append({
            "id": link_id(key),
            "source": entry["source"],
            "claims": [{"claim_id": c["id"], "doc_id": c["doc_id"], "section": c["section"]} for c in entry["claims"]],
            "comparisons": comparisons(found),
            "keys": entry["keys"],
        })
    out.sort(key=lambda g: (-sum(c["verdict"] == "differs" for c in g["comparisons"]), -len(g["claims"]),
                            g["source"]["canonical"].lower()))
    return out


def read_links(out):
    """The groups of OUT/links.jsonl; [] when the link stage has not run."""
    path = Path(out) / LINKS
    return read_jsonl(path) if path.exists() else []


def claim_links(out, groups=None):
    """{claim_id: link id} of `groups` (by default OUT/links.jsonl's; {} when the link stage has not run)."""
    return {c["claim_id"]: group["id"] for group in (read_links(out) if groups is None else groups)
            for c in group["claims"]}


def run(corpus, out, annotations, workspace=None):
    from ..workspace import Workspace

    ws = workspace or Workspace(out, annotations)
    out = ws.out
    records = ws.claims
    groups = ws.links = link(records, progress=True)
    write_jsonl(out / LINKS, groups)
    pairs = Counter(c["verdict"] for g in groups for c in g["comparisons"])
    linked = sum(len(g["claims"]) for g in groups)
    print(f"link: {linked} of {len(records)} claims in {len(groups)} groups, {sum(pairs.values())} comparisons "
          f"({', '.join(f'{n} {v}' for v, n in sorted(pairs.items())) or 'none'}) -> {out / LINKS}")
    return groups
