"""Groups that repeat one another's figures are one study (rules.yml `repeated_figures`).

The key passes of group_claims see how a study is named; coverage names one study differently on each
page, or not at all (a letters page: "a trial out of Glasgow"; a parents' bulletin: "the phones-and-sleep
study"). What the pages share is the study's figures. Values that many groups state are discounted, and
pages that name no study are joined only to a group, never to each other.
"""

from collections import defaultdict
from itertools import combinations

from .keys import PAPER_IDS
from .rules import RULES
from .unionfind import UnionFind

PAGE = "page:"          # the unit of a page's claims that joined no group


def merge_repeats(groups, records, figures, eligible, rules=RULES["repeated_figures"]):
    """`groups` (group_claims' {key: entry}) with those stating the same distinctive figures merged, and
    each page's ungrouped claims that are `eligible` (no personal account, no other body's figure) merged
    into the group whose figures they repeat. `figures`: a FigureReader. Merging goes in rounds: a value
    four groups state is distinctive once two of them are found to be one study."""
    grouped = {claim["id"] for entry in groups.values() for claim in entry["claims"]}
    units = {key: entry["claims"] for key, entry in groups.items()}
    for claim in records:
        if claim["id"] not in grouped and claim["quantities"] and eligible(claim):
            units.setdefault(PAGE + claim["doc_id"], []).append(claim)
    said = {claim["id"]: figures.values(claim) for claims in units.values() for claim in claims}
    stated = {key: set().union(*(said[claim["id"]] for claim in claims)) for key, claims in units.items()}
    strong = {value for values in said.values() for value, significant in values.items() if significant}
    found = UnionFind()
    while True:
        parts = defaultdict(list)               # the units merged so far, by their root
        for key in units:
            parts[found.find(key)].append(key)
        values = {root: set().union(*(stated[k] for k in keys)) for root, keys in parts.items()}
        papers = {root: paper_ids(keys, groups) for root, keys in parts.items()}
        merges = repeating(values, strong, papers, rules, {root: keyed(keys) for root, keys in parts.items()})
        if not merges:
            break
        for a, b in merges:
            a, b = found.find(a), found.find(b)
            if a != b and not other_papers(papers[a], papers[b]):     # (two merged this round may cite two)
                merged = {kind: papers[a][kind] | papers[b][kind] for kind in PAPER_IDS}
                found.union(a, b)
                papers[found.find(a)] = merged
    order = {claim["id"]: n for n, claim in enumerate(records)}
    out = {}
    for together in parts.values():
        study = keyed(together)
        if not study:
            continue
        main = max(study, key=lambda k: len(groups[k]["claims"]))
        claims = [claim for k in study for claim in units[k]]
        values = set().union(*(stated[k] for k in study))
        for page in together:
            if page.startswith(PAGE):
                claims += discussed(units[page], values, said)
        out[main] = {**groups[main], "claims": sorted(claims, key=lambda c: order[c["id"]]),
                     "keys": sorted({k for g in study for k in groups[g]["keys"]}),
                     "names": frozenset().union(*(groups[g]["names"] for g in study))}
    return {key: out[key] for key in groups if key in out}       # in group_claims' order


def keyed(units):
    """The units that are groups (not a page's ungrouped claims)."""
    return [k for k in units if not k.startswith(PAGE)]


def paper_ids(units, groups):
    """{"doi": the DOIs, "pmid": the PMIDs} the groups among `units` are keyed by."""
    keys = [k for unit in keyed(units) for k in [unit, *groups[unit]["keys"]]]
    return {kind: {k for k in keys if k.startswith(kind + ":")} for kind in PAPER_IDS}


def repeating(values, strong, papers, rules, is_group):
    """The pairs of units stating at least `least` of the same values, of total weight `weight` (a value
    weighs 1 when only the two state it, ½ when a third does, ⅓ when a fourth does…), with `proof`: a
    "14%" and an "83%" two studies of one journal both report, and "daily", prove nothing; a "14%",
    "22%" and "32%", or a "14%", "83%" and "6.4 mmHg", do."""
    holders = defaultdict(list)
    for key, stated in values.items():
        for value in stated:
            holders[value].append(key)
    shared = defaultdict(list)                  # (unit, unit) -> the values both state, and how many state each
    for value, keys in holders.items():
        if 2 <= len(keys) <= rules["common"]:      # (a value many state weighs next to nothing)
            for pair in combinations(sorted(keys), 2):
                shared[pair].append((value, len(keys)))
    return [(a, b) for (a, b), both in sorted(shared.items())
            if (is_group[a] or is_group[b]) and not other_papers(papers[a], papers[b])
            and len(both) >= rules["least"] and sum(1 / (held - 1) for _, held in both) >= rules["weight"]
            and proof(both, strong, rules)]


def proof(both, strong, rules):
    """Are the distinctive values two units share (stated by at most `distinctive` units, written with two
    significant digits somewhere: `strong`) `least` in number, or of `families` families?"""
    distinctive = [value for value, held in both if held <= rules["distinctive"] and value in strong]
    return len(distinctive) >= rules["least"] or len({family for family, _, _ in distinctive}) >= rules["families"]


def other_papers(a, b):
    """Do two units cite different papers (two DOIs, or two PMIDs, none in common)?"""
    return any(a[kind] and b[kind] and not a[kind] & b[kind] for kind in PAPER_IDS)


def discussed(claims, values, said):
    """A page's claims about a study it does not name: in each voice (its article, each comment), from the
    first claim stating one of the study's `values` to the last (`said`: claim id -> its values). Figures
    before it are the page's own ("The Kelvin Vale Walkers run sessions twice weekly", then "The trial had
    the men playing twice a week"), as figures before a named study are; those after it are its other news."""
    by_voice = defaultdict(list)
    for claim in claims:
        by_voice[claim["section"], claim.get("comment_index")].append(claim)
    out = []
    for voice in by_voice.values():
        hits = [n for n, claim in enumerate(voice) if said[claim["id"]].keys() & values]
        if hits:
            out += voice[hits[0]:hits[-1] + 1]
    return out
