"""The merge rule between fresh machine claims and an annotator's file (in place, round-trip)."""

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..records import Claim, Quantity, Source, claim_id, keys, machine_only

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


def _occurrences(text, needle):
    found, i = [], text.find(needle)
    while i != -1:
        found.append(i)
        i = text.find(needle, i + 1)
    return found


def anchor(entry, text):
    """Point start/end (and those of its quantities and sources) at where the claim's text now is."""
    sentence = entry.get("text") or ""
    start = entry.get("start")
    if isinstance(start, int) and text[start:start + len(sentence)] == sentence and sentence:
        new_start = start
    else:
        places = _occurrences(text, sentence) if sentence else []
        if not places:
            entry["stale"] = True
            return
        new_start = min(places, key=lambda p: abs(p - start)) if isinstance(start, int) else places[0]
    delta = new_start - start if isinstance(start, int) else None
    entry["start"], entry["end"] = new_start, new_start + len(sentence)
    for key in ("quantities", "sources"):
        for item in entry.get(key) or []:
            if item.get("start") is not None and delta is not None and \
                    text[item["start"] + delta:item["end"] + delta] == item.get("text"):
                item["start"] += delta
                item["end"] += delta
            elif item.get("text") and not (key == "sources" and item.get("type") == "narrator" and item.get("start") is None):
                inside = text.find(item["text"], new_start, new_start + len(sentence))
                if inside != -1:
                    item["start"], item["end"] = inside, inside + len(item["text"])
    if "stale" in entry:
        del entry["stale"]


def refresh(entry, claim):
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
                taken = {e.get("id") for e in entries}
                entry.insert(0, "id", claim_id(data["doc_id"], entry.get("text") or "", {k: 1 for k in taken if k}))
            anchor(entry, text)
            fill_machine_fields(entry, by_id.get(entry["id"]))
            present.add(entry["id"])
        elif entry.get("id") in by_id:
            refresh(entry, by_id[entry["id"]])
            present.add(entry["id"])
        else:
            del entries[i]
    for claim in machine_claims:
        if claim["id"] in present:
            continue
        position = len(entries)
        for i, entry in enumerate(entries):
            if isinstance(entry.get("start"), int) and not entry.get("stale") and entry["start"] > claim["start"]:
                position = i
                break
        entries.insert(position, machine_entry(claim))
    return data
