"""Stage: claims -> OUT/links.jsonl, one line per study (or named source) cited across the corpus.

Reads the claims export would write (machine claims with the annotators'
decisions applied), groups them by the research they cite (keys.py), and
compares the figures of each group that state the same measure (compare.py).
Runs before export, which writes each claim's group as claims.csv `link_id`.

Grouping, in three passes over the claims (and the sentences without a figure,
sentences.py, which name studies but join no group) in document order:
  1. identifiers (DOI, PMID, URL, study name, lead author) of one claim are one
     study; studies sharing an identifier are merged (union-find); a study named
     after an institution ("the Sheffield study") is the study of the one lead
     author the corpus names with that institution; a link cited as "the paper" /
     "a new trial" on a page naming one study by name is that study; a study's
     bare capitalised name, once named with a descriptor, names it alone; a page
     naming one study first and one lead author after it ("who led the study", a
     reference line) names that author's study; a short name is the start of the
     full one ("the Ashcombe study"); a link whose address names a study is it;
     a page's title is read as its first sentence;
  2. a claim with only qualifiers (journal + year, journal, institution,
     person) joins the one study that carries the qualifier in its document,
     else in the corpus; when none or several do, it forms a group of that
     named source ("The Lancet 2023"). A journal in an article's lede, before
     any study is named, is carried by the article's studies;
  3. an article claim citing research without naming it ("the study", or no
     source at all) belongs to the study named last before it in the
     document; "the study" before any is named, or in a comment, to the
     document's only study. Background figures before the first study, and
     personal accounts (in an article: "I"/"my" near the figure), without a key
     of their own are not linked; nor is
     "another study" (rules.yml `other_research`), which also ends the carry.
     A comment that names its study carries it to its own later figures (a
     figure there is personal only with "I"/"my" near it, hedges like "I read"
     not counted); in a thread about one study a comment without a source is
     about it unless any "I" of its clause is the writer's. "Researchers at X"
     on a page about one study is that study's; "council figures show" is
     another source.
Pages by what they are about (README rule 10): a researcher is read in any form (a role before the
title, a titled person in the sentence naming one study); a study named after an institution is the one
study the corpus ties to it; a nationality names no research, so "a new Scottish study" is the page's;
a national statistic (a million people or more), the writer's own business or survey, a body's figure
"according to" it, guidance and, on a page of several studies, "a study" introduced as new stay out.
Then groups that repeat one another's distinctive figures are one study, and a page naming no study
joins the group whose figures it repeats (repeats.py, README rule 7).
Blocking is by group, then by measure: the cost grows with the claims and the
comparisons, not with the square of the corpus.
"""

import bisect
import gc
import hashlib
import re
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from ..files import read_jsonl, write_jsonl
from .compare import FigureReader, comparisons, inherit_topics, name_words
from .keys import ACRONYM, AUTHOR, PAPER_IDS, KeyReader
from .repeats import merge_repeats
from .unionfind import UnionFind
from .rules import RULES
PEOPLE = frozenset(w.lower() for w in RULES["people"]) | {"people", "persons"}
from .sentences import document_sentences, figureless_sentences, interleave, sentences_before

LINKS = "links.jsonl"
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")        # "CBT-I" is one word, no first person
ID_PRIORITY = ("name", "doi", "pmid", "url")
QUALIFIER_TYPES = ("journal", "institution", "person", "publication")


def link_id(key):
    return "L" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def group_claims(records, keys=None, progress=False, sentences=()):
    """{group key: {"claims": [record], "source": {...}, "keys": [...]}} for the records (in document order).
    `sentences`: the corpus's figure-less sentences (sentences.py), read for the studies they name and
    tie to journals and institutions; they are no group's members."""
    keys = keys or KeyReader()
    records = interleave(records, list(sentences))
    # the words the corpus writes in lower case: such a word capitalised at a sentence's start is no name
    keys.lower_words = {w for claim in records for w in LOWER_WORD.findall(claim["text"])}
    # read once per claim, asked in every pass below: "another study" / "council figures show"; "the study"
    others = [not_research(claim, keys) for claim in records]
    generics = [keys.generic_reference(claim) for claim in records]
    # "A Finnish study, also published in…": research introduced as new (not "the study")
    indefinites = [keys.indefinite_reference(claim) for claim in records]
    abbreviations = {}
    for claim in records:
        for abbr, long_form in keys.abbreviations(claim["text"], claim["sources"]).items():
            abbreviations.setdefault(abbr, long_form)
    # a claim whose named sources all lie outside its sentence had them carried over by the nlp stage
    # ("…the 2019 Oslo sleep study…", then "The researchers found…" with Oslo as its context): the link
    # stage's own carry, which knows the page's study, decides for it
    carried_over = [bool(claim["sources"]) and claim.get("start") is not None and all(
        s.get("start") is not None and (s["start"] < claim["start"] or s["end"] > claim["end"])
        for s in claim["sources"] if s.get("type") in QUALIFIER_TYPES) and any(
        s.get("type") in QUALIFIER_TYPES for s in claim["sources"]) for claim in records]
    found = UnionFind()
    ids, quals, displays = [], [], defaultdict(Counter)
    tied = defaultdict(set)                     # institution -> the lead authors named with it
    for claim in tqdm(records, desc="link: keys", unit="claim", delay=2, disable=not progress):
        these = keys.identifiers(claim, abbreviations)
        if claim.get("figureless") and sum(k.startswith("name:") and not v.endswith(AUTHOR)
                                           for k, v in these.items()) > 1:
            these = {}                          # "Neither the FERN trial nor the Sheffield study was funded…"
        for key, display in these.items():
            displays[key][display] += 1
        names = list(these)
        for other in names[1:]:
            found.union(names[0], other)
        ids.append(names)
        qual = keys.qualifiers(claim)
        # a sentence without a figure has no sources of the nlp stage's: the institution it writes is its
        # qualifier ("A simple habit tested by researchers at the University of Dunmore could…")
        for institution in sorted(keys.institutions(claim)) if claim.get("figureless") else ():
            if not any(key == f"institution:{institution}" for key, _, _ in qual):
                qual.append((f"institution:{institution}", institution, "institution"))
        quals.append(qual)
        authors = [k for k in names if these[k].endswith(AUTHOR)]
        # a study named with its institution ("The MUSCLE-STAT trial, run by the University of Exeter") is
        # tied to it as its lead author is ("Okafor and colleagues at the University of Exeter")
        studies = [k for k in names if k.startswith("name:") and not these[k].endswith(AUTHOR)]
        if authors or studies:
            for institution in keys.institutions(claim):
                tied[institution].update(k for k in (authors or studies)[:1] if k != f"name:{institution}")
    known_acronyms(records, ids, keys, found, displays)
    tied = {institution: named for institution, named in tied.items() if named}
    # "The Sheffield study" is the study of Nakamura's team at the University of Sheffield when the
    # corpus ties that institution to one lead author's study only.
    for institution, named in tied.items():
        key = f"name:{institution}"
        if key in displays and len({found.find(n) for n in named}) == 1:
            found.union(key, next(iter(named)))

    link_only_to_named(records, ids, others, generics, found)
    one_study_one_author(records, ids, others, keys, found, displays)
    short_names(found, displays)
    named_in_links(found, displays)

    # Which studies carry each qualifier, per document and in the corpus.
    def page_study(doc):
        """The one study a page names (doc_studies holds roots: no union comes after it), else None."""
        only = doc_studies.get(doc, ())
        return next(iter(only)) if len(only) == 1 else None

    def carriers():
        in_doc, in_corpus = defaultdict(set), defaultdict(set)
        doc_studies.clear()                     # (page_study reads it)
        # "Researchers at Aarhus University have found…" is the study of the one lead author the corpus names
        # with that institution ("led by Dr. Lars Torvik at Aarhus University").
        for institution, named in tied.items():
            roots = {found.find(n) for n in named}
            if len(roots) == 1:
                in_corpus[f"institution:{institution}"] |= roots
        for claim, names, qual in zip(records, ids, quals):
            if names:
                root = found.find(names[0])
                doc_studies[claim["doc_id"]].add(root)
                for key, _, _ in qual:
                    in_doc[claim["doc_id"], key].add(root)
                    in_corpus[key].add(root)
        # A journal named in an article's lede, before any study is named, is the journal of the article's
        # studies: "a trial published in the BMJ in 2022 suggests…", then "The FERN trial enrolled…"; "The BMJ
        # published two trials in 2022" (then that journal and year no longer point to one study).
        # "Researchers at Tamsworth University randomly assigned…" on a page about one study: the institution
        # is that study's.
        for claim, names, qual, other, generic in zip(records, ids, quals, others, generics):
            study = page_study(claim["doc_id"])
            if not names and study is not None and not other and generic and not keys.according_to(claim):
                for key, _, kind in qual:
                    if kind == "institution":
                        in_doc[claim["doc_id"], key].add(study)
                        in_corpus[key].add(study)
        named_yet = set()
        for claim, names, qual, other in zip(records, ids, quals, others):
            doc = claim["doc_id"]
            if names:
                named_yet.add(doc)
            elif doc not in named_yet and claim["section"] == "article" and not other:
                for key, _, kind in qual:
                    if kind == "journal":
                        in_corpus[key] |= doc_studies.get(doc, set())

        return in_doc, in_corpus, doc_studies

    doc_studies = defaultdict(set)
    in_doc, in_corpus, _ = carriers()
    # "the Dundee study" is the study the corpus ties to the University of Dundee ("Researchers at the
    # University of Dundee gave 2,340 adults…" on a page about the DECOLD trial), when it ties it to one
    if institution_named(found, displays, in_corpus):
        in_doc, in_corpus, _ = carriers()

    # A page's title study, and how often its article names each study: a study named once in passing ("This
    # follows the 2019 Oslo sleep study, which found 12%…") does not take the carry from the title's study
    # ("The researchers found that 14% of app users relapsed" is the PRISM trial's).
    title_study, named_count = {}, defaultdict(Counter)
    for claim, names in zip(records, ids):
        if names and claim["section"] == "article":
            root = found.find(names[0])
            if claim.get("title"):
                title_study.setdefault(claim["doc_id"], set()).add(root)
            else:
                named_count[claim["doc_id"]][root] += 1
    # (named again in the body: a title's "Low-Cost Prevention Trials" is a heading, no study)
    title_study = {doc: next(iter(roots)) for doc, roots in title_study.items()
                   if len(roots) == 1 and named_count[doc][next(iter(roots))]}

    def carry(doc, group, named):
        """The study later figures of an article are carried to after a record of `group`."""
        main = title_study.get(doc)
        if named and main is not None and group != main and named_count[doc][group] <= 1:
            return main                         # a study named in passing: back to the page's own
        return group

    groups = {}
    last_in_article, last_in_comment, doc_groups, page_quals = {}, {}, defaultdict(set), defaultdict(list)
    seen_figures = set()                        # documents whose article has given a figure already
    accounts = set()                            # comments whose writer has begun a personal account (for good)
    for claim, names, qual, other, generic, indefinite, context in zip(records, ids, quals, others, generics,
                                                                       indefinites, carried_over):
        doc = claim["doc_id"]
        group = found.find(names[0]) if names else None
        named_source = None
        other = group is None and other
        figureless = claim.get("figureless")
        # "A Finnish study found…" after a study was named, on a page naming several: new research, not the
        # last one (on a page about one study it is that one, named again: "A new study from Dundee…")
        # "A smaller Danish study in 2025 found…" after the page's figures: new research, on any page; before
        # them ("a new Scottish study proves…", the lede) it is the page's study, named again.
        # "There was also a Danish study…" in a comment is another study than the thread's.
        new = (group is None and indefinite and not figureless and (
            claim["section"] == "comment" or (doc in last_in_article and (page_study(doc) is None
                                                                         or doc in seen_figures))))
        if context and group is None and claim["section"] == "article" and last_in_article.get(doc):
            qual = []                           # (the nlp stage's carried-over source: the link carry decides)
        if group is None and qual:
            group = None if other else resolve_qualifiers(qual, doc, found, in_doc, in_corpus)
            if group is None and not other and not new and claim["section"] == "article" and doc not in doc_studies:
                # a page naming no study: its qualifiers so far narrow it down together ("Researchers at the
                # University of Leeds…", then "The study, in the BMJ in 2022, found…")
                group = resolve_qualifiers(page_quals[doc] + qual, doc, found, in_doc, in_corpus)
            if not other and not new and claim["section"] == "article" and not keys.according_to(claim):
                page_quals[doc] += [q for q in qual if q not in page_quals[doc]]
            if group is None and not other and not new and claim["section"] == "article" and generic \
                    and not keys.according_to(claim) and not (indefinite and doc in seen_figures):
                # "Researchers at X found…" after the page's study is named (or on a page of one study); not
                # "According to the Centers for Disease Control…, … the trial": that body's figure
                group = last_in_article.get(doc) or page_study(doc)
            if group is None and not figureless:
                key, display, kind = qual[0]
                group, named_source = f"source:{key}", {"canonical": display, "type": kind}
        if (other or new) and group is None:
            if claim["section"] == "article":
                last_in_article.pop(doc, None)  # what follows is about the other research, not the last study
            else:
                last_in_comment.pop((doc, claim.get("comment_index")), None)
            continue
        comment = (doc, claim.get("comment_index")) if claim["section"] == "comment" else None
        if figureless:
            if group is not None:
                doc_groups[doc].add(group)
            if group is not None and claim["section"] == "article":
                last_in_article[doc] = carry(doc, group, bool(names))   # the study later figures are carried to
            elif group is not None and comment:
                last_in_comment[comment] = group
            continue
        carried = last_in_comment.get(comment) if group is None and comment else None
        reach = PERSONAL_REACH
        if group is None and comment and carried is None:
            # a thread about one study (its title, article or comments name only that one): a comment's
            # figure without a source of its own is about it ("They kept track of everyone for 9 years"),
            # unless the writer's own (personal, read as in a comment that named the study)
            thread = {g for g in doc_groups[doc] if not g.startswith("source:")}
            if len(thread) == 1:
                carried, reach = next(iter(thread)), None   # any "I" of its clause makes it the writer's own
        if group is None and comment in accounts and not generic:
            # the rest of the comment's figures without a source of their own are the writer's: "My mum goes
            # to a choir…", then "She's been doing it for 2 years"; a sentence citing research is the study's
            continue
        own = group is None and personal(claim, carried is not None, reach)
        if own and comment:
            accounts.add(comment)               # the writer's own account begins
        elif group is None and not own:
            if claim["section"] == "article":
                group = last_in_article.get(doc)
            group = group or carried
            if group is None and generic and not (indefinite and doc in seen_figures):
                group = page_study(doc)         # ("A Swiss study found…" after other figures: a round-up's item)
        if claim["section"] == "article":
            seen_figures.add(doc)
        if group is None:
            continue
        if claim["section"] == "article":
            last_in_article[doc] = carry(doc, group, bool(names))
        elif comment:
            last_in_comment[comment] = group
        doc_groups[doc].add(group)
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


def known_acronyms(records, ids, keys, found, displays):
    """A study's name in capitals, once the corpus has named it as a study ("the BREATHE-BP trial"), names it
    on its own too: "Wasn't BREATHE-BP only a short thing?". Only in a sentence naming no study otherwise:
    "Unlike BREATHE-BP, the FERN trial…" ties neither to the other."""
    for claim, names in zip(records, ids):
        if any(k.startswith("name:") and not names_author(displays, k) for k in names):
            continue                            # (a lead author beside it is no other study's name)
        for match in ACRONYM.finditer(claim["text"]):
            key = f"name:{keys.clean_name(match.group(0))}"
            if len(match.group(0)) > 2 and key in displays:
                if names:
                    found.union(names[0], key)
                names.append(key)
                break                           # one study a sentence: "BREATHE-BP and PROMPT…" is no tie


def link_only_to_named(records, ids, others, generics, found):
    """A page that names one study by name and cites research generically with only a link ("The paper is
    open access (doi:…)", "There's a new trial on this (PMID …)", "The study appears in the BMJ (doi…)") cites
    that study: the link is another of its identifiers. Not when it says the research is another one, nor
    on a page naming two studies by name (a round-up: "The trial at doi:… gave…"). A DOI or PMID needs no
    such words ("DOI: 10.1093/…" under the article); a web address does ("More at https://www.nhs.uk/…" is
    no paper)."""
    named, linked = defaultdict(set), defaultdict(set)
    for claim, names, other, generic in zip(records, ids, others, generics):
        if not names:
            continue
        if any(k.startswith("name:") for k in names):
            named[claim["doc_id"]].add(names[0])
        elif not other and (generic or all(k.split(":", 1)[0] in PAPER_IDS for k in names)):
            linked[claim["doc_id"]].add(names[0])   # (a bare "DOI: 10.1093/…" line: a paper, not a site)
    for doc, links in linked.items():
        roots = {found.find(n) for n in named.get(doc, ())}
        if len(roots) == 1:
            for key in links:
                found.union(next(iter(roots)), key)


def one_study_one_author(records, ids, others, keys, found, displays):
    """A page naming one study by name and one lead author (each perhaps more than once) names that
    author's study: "the KEFIR-BP trial … led by Professor Marta Lindqvist", "the STROLL trial … said Dr
    Tunde Adeyemi, who led the study", a title naming the trial over a reference "Okafor H, Brennan S…".
    The study is named first (in the title or lede), the author in a sentence about "the study" / "the
    trial" or in a reference, or as a titled person in a sentence about the study ("Dr Ramaswamy said the
    trial…") whom the corpus names as a lead author elsewhere. Not a round-up naming several authors, nor an
    author of research said to be another one, nor one said to take no part."""
    studies, authors = defaultdict(set), defaultdict(set)
    for claim, names, other in zip(records, ids, others):
        if other:
            continue
        for key in names:
            if not key.startswith("name:"):
                continue
            is_author = names_author(displays, key)
            if is_author and (claim["doc_id"] not in studies or not (
                    keys.the_study(claim) or keys.reference_line(claim))):
                continue                        # the author before the study ("a trial by X … also the Y
                #                                 trial"), or not said to be the page's ("The second, by Dr. X")
            (authors if is_author else studies)[claim["doc_id"]].add(key)
        # "Dr Ramaswamy said the trial did not show…": a titled person in a sentence about the page's study,
        # whom the corpus knows as a lead author elsewhere ("Ramaswamy et al.")
        # "We asked the lead author, Dr Priya Ramaswamy…": named as the lead author, whoever else names them
        if claim["doc_id"] in studies and (keys.the_study(claim) or keys.lead_role(claim)):
            lead = keys.lead_role(claim)
            for name in keys.titled_people(claim):
                key = f"name:{name}"
                if lead or (key in displays and names_author(displays, key)):
                    authors[claim["doc_id"]].add(key)
    for doc, named in studies.items():
        roots = {found.find(k) for k in named}
        by = {found.find(k) for k in authors.get(doc, ())} - roots
        if len(roots) == 1 and len(by) == 1:
            found.union(next(iter(roots)), next(iter(by)))


def institution_named(found, displays, in_corpus):
    """Unite each study named after an institution ("the Dundee study") with the one study the corpus ties
    to that institution; True when any was united."""
    united = False
    for key, roots in in_corpus.items():
        if not key.startswith("institution:"):
            continue
        name = "name:" + key.split(":", 1)[1]
        if name not in displays or names_author(displays, name):
            continue
        roots = {found.find(r) for r in roots} - {found.find(name)}    # (not its own naming: "the Bristol study")
        if len(roots) == 1:
            root = next(iter(roots))
            if found.find(name) != found.find(root):
                found.union(name, root)
                united = True
    return united


def names_author(displays, key):
    """Is a name key a lead author's ("Nakamura et al."), not a study's?"""
    return any(d.endswith(AUTHOR) for d in displays[key])


def short_names(found, displays):
    """A study's short name is the first words of its full one: "the Ashcombe study" is the "Ashcombe
    Longitudinal Study of Ageing" when no other study's name starts so."""
    names = [k for k in displays if k.startswith("name:") and not names_author(displays, k)]
    ordered = sorted(names)                     # the names a prefix starts are a run of the sorted list
    for short in names:
        prefix = short + " "
        first = at = bisect.bisect_left(ordered, prefix)
        while at < len(ordered) and ordered[at].startswith(prefix):
            at += 1
        longer = {found.find(k) for k in ordered[first:at]}
        if len(longer) == 1:
            found.union(short, next(iter(longer)))


def named_in_links(found, displays):
    """A link whose address names a study ("…/news/restwell-trial-results") cites that study, when the
    corpus names it on its own ("the RESTWELL trial"), in capitals."""
    names = {k[5:]: k for k in displays if k.startswith("name:") and ACRONYM.fullmatch(k[5:].upper())
             and len(k) > 8 and any(d.split()[0].isupper() for d in displays[k] if d.split())}
    for key in [k for k in displays if k.startswith("url:")]:
        path = key[4:].split("/", 1)[1] if "/" in key[4:] else ""
        hits = {found.find(names[w]) for w in re.split(r"[^a-z0-9]+", path) if w in names}
        if len(hits) == 1:
            found.union(key, next(iter(hits)))


def study_names(entry, displays, abbreviated):
    """The words that name a group's study (its names, authors, abbreviations): not topic words."""
    words = set(name_words(entry["source"]["canonical"]))
    for key in entry["keys"]:
        if key.startswith("name:"):
            words |= name_words(key[5:]) | {a.lower() for a in abbreviated.get(key, ())}
            for display in displays[key]:
                words |= name_words(display)
    return frozenset(words)


LOWER_WORD = re.compile(r"\b[a-z][a-z'’-]*")
POPULATION = RULES["population"]


def not_research(claim, keys):
    """Is the claim's figure no study's: other research ("another study"), a body's figures or guidance, a
    national statistic, or the writer's own business?"""
    return keys.other_research(claim) or population(claim) or keys.own_figure(claim)


def population(claim):
    """Does the claim state a population's figure, not a study's? A count of people of at least a million
    ("Around 8 million people in the UK take a statin") is a national statistic: no study enrolled it."""
    return any(q.get("kind") == "count" and (q.get("value") or 0) >= POPULATION
               and (q.get("unit") or "").lower() in PEOPLE for q in claim["quantities"])


FIRST_PERSON = frozenset(w.lower() for w in RULES["personal"]["words"])
PERSONAL_REACH = RULES["personal"]["reach"]
HEDGES = [h.lower().split() for h in RULES["personal"]["hedges"]]
REACTIONS = frozenset(w.lower() for w in RULES["personal"]["reactions"])
CLAUSE_END = re.compile(r"[,;:.!?]")


def personal(claim, carried=False, reach=PERSONAL_REACH):
    """A personal account (or an annotator's claim) without a key of its own is nobody's study figure.
    In an article, only when the writer's "I"/"my" is near one of its figures: "38% of the women
    reported less fatigue, which is more than I expected" is the study's figure. So too in a comment
    that named the study in an earlier sentence (`carried`). "I" saying where the figure was read
    ("I read it only ran for six weeks", "from what I can find"), or reacting to it ("the bit that got me
    was that 83%…"), is no account of the writer's own; nor is an "I" after the figure's clause ("13%
    isn't much, I'd want to see more"). `reach`: None for any "I" of the claim (a comment carried to its
    thread's one study)."""
    if claim.get("evidence") != "anecdotal":
        return False
    if (claim["section"] != "article" and not carried) or not claim["quantities"]:
        return True
    words = [(m.start(), m.group(0).lower()) for m in WORD.finditer(claim["text"])]
    lower = [w for _, w in words]
    mine = [n for n, w in enumerate(lower) if w in FIRST_PERSON
            and not any(lower[n + 1:n + 1 + len(h)] == h for h in HEDGES)
            and not (n and lower[n - 1] in REACTIONS)]
    for q in claim["quantities"]:
        end = q["end"] - claim["start"]
        at = sum(1 for start, _ in words if start < q["start"] - claim["start"])
        # "I" after the figure's clause is the writer's opinion of it: "13% less likely isn't much to
        # write home about, I'd want to see more"
        if any((reach is None or abs(n - at) <= reach) and not (n >= at and CLAUSE_END.search(claim["text"], end, words[n][0]))
               for n in mine):
            return True
    return False


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
    # each ambiguous alone, together they may name one study: "a study from the University of Leeds in the
    # BMJ in 2022" when the BMJ published two that year, one of them from Leeds
    if len({kind for _, _, kind in qual}) > 1:      # (an institution and a journal, not a journal and its year)
        for level in ([in_doc.get((doc, key)) for key, _, _ in qual], [in_corpus.get(key) for key, _, _ in qual]):
            sets = [set(c) for c in level if c]
            if len(sets) > 1:
                both = set.intersection(*sets)
                if len(both) == 1:
                    return next(iter(both))
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


def link(records, progress=False, documents=(), texts=None):
    """links.jsonl records: groups of two or more claims, disagreements first. With the `documents` and
    their `texts`, the sentences without a figure are read for the studies they name too."""
    with collector_paused():
        return _link(records, progress, documents, texts)


@contextmanager
def collector_paused():
    """Linking makes millions of small objects and no reference cycles; each time a generation filled, the
    cyclic garbage collector would walk every live record again (5 s of 100,000 claims' 35 s)."""
    enabled = gc.isenabled()
    try:
        gc.disable()
        yield
    finally:
        if enabled:
            gc.enable()


def _link(records, progress, documents, texts):
    split_documents = document_sentences(documents, texts) if documents and texts else {}
    sentences = figureless_sentences(documents, texts, records, split_documents) if split_documents else ()
    keys = KeyReader()
    groups = group_claims(records, keys=keys, progress=progress, sentences=sentences)
    figures = FigureReader()
    groups = merge_repeats(groups, records, figures,
                           lambda claim: not (personal(claim, carried=True) or not_research(claim, keys)))
    previous = sentences_before(documents, texts, records, split_documents) if split_documents else {}
    out = []
    for key, entry in groups.items():
        if len(entry["claims"]) < 2:
            continue
        found = inherit_topics([f for claim in entry["claims"]
                                for f in figures.figures(claim, entry["names"], previous.get(claim["id"], ""))])
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
    groups = ws.links = link(records, progress=True, documents=ws.documents, texts=ws.texts)
    write_jsonl(out / LINKS, groups)
    pairs = Counter(c["verdict"] for g in groups for c in g["comparisons"])
    linked = sum(len(g["claims"]) for g in groups)
    print(f"link: {linked} of {len(records)} claims in {len(groups)} groups, {sum(pairs.values())} comparisons "
          f"({', '.join(f'{n} {v}' for v, n in sorted(pairs.items())) or 'none'}) -> {out / LINKS}")
    return groups
