"""The merge rule between fresh machine claims and an annotator's file (in place, round-trip)."""

import re

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..errors import InputError
from ..records import Claim, Quantity, Source, claim_id, keys, machine_only
from .yamlio import line_of

NESTED = {"quantities": Quantity, "sources": Source}
# The annotation file shows a claim as: id, status, then the record's fields
# (machine-only ones read-only), nested lists last, then the annotator's note.
CLAIM_KEYS = ("id", "status") + tuple(k for k in keys(Claim, yaml=True) if k not in ("id", "note", *NESTED))
CLAIM_MACHINE_ONLY = machine_only(Claim)


def _mapping(record, cls):
    return CommentedMap((k, record.get(k)) for k in keys(cls, yaml=True))


def _nested(claim, key):
    return CommentedSeq(_mapping(item, NESTED[key]) for item in claim[key])


def machine_entry(claim):
    entry = CommentedMap((k, claim.get(k)) for k in CLAIM_KEYS)
    entry["status"] = "machine"
    for key in NESTED:
        entry[key] = _nested(claim, key)
    entry["note"] = ""
    return entry


def fill_machine_fields(entry, claim):
    """Give a reviewed entry the machine-only fields it lacks (files written before they were shown).

    Only read-only fields are added, and only where they are missing; an
    annotator's fields are never touched. A quantity or source gets the
    machine's fields only where it is still the machine's (same span, and the
    same kind, value and unit, or type); one the annotator made gets none.
    """
    for key in CLAIM_MACHINE_ONLY:
        if key not in entry and claim is not None and entry.get("status") == "confirmed":
            entry.insert(list(entry).index("hedged") if "hedged" in entry else len(entry), key, claim.get(key))
    for key, cls in NESTED.items():
        theirs = {(m.get("start"), m.get("end")): m for m in (claim or {}).get(key, [])}
        for item in entry.get(key) or []:
            if not isinstance(item, dict):
                continue
            mine = theirs.get((item.get("start"), item.get("end")))
            same = mine is not None and all(mine.get(k) == item.get(k) for k in ("kind", "value", "unit", "type")
                                            if k in item or k in mine)
            for name in machine_only(cls) if same else ():
                if name not in item:
                    item[name] = mine.get(name)


def has_comment(node):
    ca = getattr(node, "ca", None)
    if ca is None:
        return False
    if ca.comment or any(v for v in ca.items.values() if v and any(v)):
        return True
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    return any(has_comment(child) for child in children if isinstance(child, (dict, list)))


def is_reviewed(entry):
    """Human-touched: a status other than machine, a note, or a YAML comment."""
    return entry.get("status") != "machine" or bool(entry.get("note")) or has_comment(entry)


NEAR = 2000          # characters either side of the old place searched first


def _whole(value):
    """An int offset (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _pattern(needle):
    """The needle with every run of white space matching any run of white space."""
    return re.compile(r"\s+".join(map(re.escape, needle.split())))


def locate(text, needle, old=None, lo=0, hi=None):
    """(start, end) of `needle` in text[lo:hi]: where it was, else the nearest match.

    Order: exactly at the old place; then a match ignoring differences in white
    space within NEAR characters of the old place; then anywhere in the range.
    Of several matches the nearest to the old place wins (the first without one).
    None when the text is not there.
    """
    hi = len(text) if hi is None else hi
    if not isinstance(needle, str) or not needle.strip():
        return None
    if old is not None and lo <= old and old + len(needle) <= hi and text.startswith(needle, old):
        return old, old + len(needle)
    pattern = _pattern(needle)
    windows = [(max(lo, old - NEAR), min(hi, old + len(needle) + NEAR))] if old is not None else []
    for w_lo, w_hi in windows + [(lo, hi)]:
        found = [(m.start(), m.end()) for m in pattern.finditer(text, w_lo, w_hi)]
        if found:
            return min(found, key=lambda span: abs(span[0] - old)) if old is not None else found[0]
    return None


def anchor(entry, text):
    """Point start/end (and those of its quantities and sources) at where the claim's text now is.

    Returns False when the sentence is nowhere in the text: the entry is then
    `stale: true` and its offsets are left as they were. When it was found
    only by ignoring white space, `text` takes the document's characters (the
    words are the same), so text[start:end] always equals the claim's text.
    """
    old, old_end = _whole(entry.get("start")), _whole(entry.get("end"))
    span = locate(text, entry.get("text"), old)
    if span is None:
        entry["stale"] = True
        return False
    if text[span[0]:span[1]] != entry["text"]:
        entry["text"] = text[span[0]:span[1]]
    entry["start"], entry["end"] = span
    for key in ("quantities", "sources"):
        items = entry.get(key)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict):
                _anchor_item(item, text, (old, old_end), span)
    if "stale" in entry:
        del entry["stale"]
    return True


def _anchor_item(item, text, old_claim, claim):
    """A quantity or source follows its claim.

    One that was inside the sentence is looked for inside the sentence; one
    that was outside (a source carried over from an earlier sentence) is looked
    for anywhere, nearest to where it was, and loses its offsets when it is
    gone. One without offsets is placed when its text is in the sentence
    (except a narrator known only from a comment header). One inside the
    sentence that is no longer there is left for validation to name.
    """
    old = _whole(item.get("start"))
    if old is None and item.get("start") is not None:
        return                                        # not a number: validation names it
    if old is None and item.get("type") == "narrator":
        return
    moved = old - old_claim[0] + claim[0] if old is not None and old_claim[0] is not None else old
    inside = old is None or None in old_claim or old_claim[0] <= old < old_claim[1]
    span = locate(text, item.get("text"), moved, *claim) if inside else locate(text, item.get("text"), moved)
    if span is None:
        if not inside:
            item["start"] = item["end"] = None        # its sentence went away; the source itself stays
        return
    if text[span[0]:span[1]] != item["text"]:
        item["text"] = text[span[0]:span[1]]
    item["start"], item["end"] = span


def reanchor_file(path, data, text, sha256):
    """Move every claim of a loaded file to where its text now is, before it is validated.

    A claim whose sentence is gone becomes stale (never an error). The one
    error is an `added` claim whose text is not in the document the annotator
    had: one never anchored yet, or one in a file merged with this very
    document (its text was edited since).
    """
    claims = data.get("claims") if isinstance(data, dict) else None
    for n, entry in enumerate(claims if isinstance(claims, list) else ()):
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str) or not entry["text"].strip():
            continue                                   # validation names what is wrong with it
        if anchor(entry, text) or entry.get("status") != "added":
            continue
        if _whole(entry.get("start")) is None or data.get("sha256") == sha256:
            del entry["stale"]
            raise InputError(path, "the text of this added claim is not in the document; copy the sentence "
                                   "exactly as the document has it", line=line_of(entry, key="text"),
                             field=f"claims[{n}].text")


def new_id(entries, doc_id, sentence):
    """An id for an added claim: the one the machine would give its sentence, unless another claim has it."""
    taken, seen = {str(e.get("id")) for e in entries if e.get("id")}, {}
    candidate = claim_id(doc_id, sentence, seen)
    while candidate in taken:
        candidate = claim_id(doc_id, sentence, seen)
    return candidate


def refresh(entry, claim):
    if "stale" in entry:
        del entry["stale"]
    for key in CLAIM_KEYS:
        if key != "status" and entry.get(key) != claim.get(key):
            entry[key] = claim.get(key)
    for key in NESTED:
        entry[key] = _nested(claim, key)


def merge(data, machine_claims, text, sha256, version):
    """Update one annotation file's data in place with this run's machine claims."""
    data["sha256"] = sha256
    data["extractor"] = version
    entries = data["claims"]
    by_id = {c["id"]: c for c in machine_claims}
    present = set()
    for i in range(len(entries) - 1, -1, -1):
        entry = entries[i]
        if is_reviewed(entry):
            if not entry.get("id"):
                ident = new_id(entries, data["doc_id"], entry.get("text") or "")
                if "id" in entry:
                    entry["id"] = ident
                else:
                    entry.insert(0, "id", ident)
            anchor(entry, text)
            fill_machine_fields(entry, by_id.get(entry["id"]))
            present.add(entry["id"])
        elif entry.get("id") in by_id:
            refresh(entry, by_id[entry["id"]])
            present.add(entry["id"])
        else:
            del entries[i]
    _insert_in_order(entries, [c for c in machine_claims if c["id"] not in present])
    return data


def _insert_in_order(entries, claims):
    """Each new claim goes before the first placed entry that starts after it (one pass: the
    position only moves forward as the claims' starts grow)."""
    claims = sorted(claims, key=lambda c: c["start"])
    if not claims:
        return
    kept, merged, p = list(entries), [], 0
    for claim in claims:
        while p < len(kept) and not (_whole(kept[p].get("start")) is not None and not kept[p].get("stale")
                                     and kept[p]["start"] > claim["start"]):
            merged.append(kept[p])
            p += 1
        merged.append(machine_entry(claim))
    merged.extend(kept[p:])
    if not kept:
        entries.extend(merged)
        return
    for n, entry in enumerate(merged):          # insert into the round-trip list (keeps its comments)
        if n >= len(entries) or entries[n] is not entry:
            entries.insert(n, entry)
