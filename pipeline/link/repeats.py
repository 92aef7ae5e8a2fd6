"""Groups that repeat one another's figures are one study (rules.yml `repeated_figures`).

The key passes of group_claims see how a study is named; coverage names one study differently on each
page, or not at all (a letters page: "a trial out of Glasgow"; a parents' bulletin: "the phones-and-sleep
study"). What the pages share is the study's figures. Values that many groups state are discounted, and
pages that name no study are joined only to a group, never to each other.
"""

from collections import defaultdict
from itertools import combinations

from .rules import RULES

PAPER_IDS = ("doi:", "pmid:")
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
    said = {}                                   # claim id -> the values it states (read once)

    def stated_by(claim):
        if claim["id"] not in said:
            said[claim["id"]] = figures.values(claim)
        return said[claim["id"]]
    values = {key: set().union(*map(stated_by, claims)) for key, claims in units.items()}
    strong = {value for claim_values in said.values() for value, significant in claim_values.items() if significant}
    papers = {key: {kind: {k for k in [key, *entry["keys"]] if k.startswith(kind)} for kind in PAPER_IDS}
              for key, entry in groups.items()}
    members = {key: [key] for key in units}     # a unit -> the units merged into it
    part_of = {key: key for key in units}       # a unit -> the unit it is merged into
    while True:
        merges = repeating(values, strong, papers, rules)
        if not merges:
            break
        for a, b in merges:
            a, b = part_of[a], part_of[b]
            if a == b or other_papers(papers.get(a), papers.get(b)):
                continue                        # (two units merged this round may cite two papers)
            if a.startswith(PAGE) or (not b.startswith(PAGE) and b < a):
                a, b = b, a                     # a group's key stands for the merged unit
            values[a] |= values.pop(b)
            for kind, ids in papers.pop(b, {}).items():
                papers.setdefault(a, {}).setdefault(kind, set()).update(ids)
            for key in members[b]:
                part_of[key] = a
            members[a] += members.pop(b)
    order = {claim["id"]: n for n, claim in enumerate(records)}
    out = {}
    for key, together in members.items():
        keyed = [k for k in together if not k.startswith(PAGE)]
        if not keyed:
            continue
        main = max(keyed, key=lambda k: len(groups[k]["claims"]))
        claims = [claim for k in keyed for claim in units[k]]
        stated = set().union(*map(stated_by, claims))
        for page in together:
            if page.startswith(PAGE):
                claims += discussed(units[page], stated, stated_by)
        out[main] = {**groups[main], "claims": sorted(claims, key=lambda c: order[c["id"]]),
                     "keys": sorted({k for g in keyed for k in groups[g]["keys"]}),
                     "names": frozenset().union(*(groups[g]["names"] for g in keyed))}
    return {key: out[key] for key in groups if key in out}       # in group_claims' order


def repeating(values, strong, papers, rules):
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
            if not (a.startswith(PAGE) and b.startswith(PAGE)) and not other_papers(papers.get(a), papers.get(b))
            and len(both) >= rules["least"] and sum(1 / (held - 1) for _, held in both) >= rules["weight"]
            and proof(both, strong, rules)]


def proof(both, strong, rules):
    """Are the distinctive values two units share (stated by at most `distinctive` units, written with two
    significant digits somewhere: `strong`) `least` in number, or of `families` families?"""
    distinctive = [value for value, held in both if held <= rules["distinctive"] and value in strong]
    return len(distinctive) >= rules["least"] or len({family for family, _, _ in distinctive}) >= rules["families"]


def other_papers(a, b):
    """Do two units cite different papers (two DOIs, or two PMIDs, none in common)?"""
    return bool(a and b) and any(a[kind] and b[kind] and not a[kind] & b[kind] for kind in PAPER_IDS)


def discussed(claims, stated, stated_by):
    """A page's claims about a study it does not name: in each voice (its article, each comment), from the
    first claim stating one of the study's values to the last. Figures before it are the page's own ("The
    Kelvin Vale Walkers run sessions twice weekly", then "The trial had the men playing twice a week"), as
    figures before a named study are; those after it are the page's other news."""
    by_voice = defaultdict(list)
    for claim in claims:
        by_voice[claim["section"], claim.get("comment_index")].append(claim)
    out = []
    for said in by_voice.values():
        hits = [n for n, claim in enumerate(said) if stated_by(claim).keys() & stated]
        if hits:
            out += said[hits[0]:hits[-1] + 1]
    return out
