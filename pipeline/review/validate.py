"""Validation of an annotation file: the message names file, line, field and what is allowed."""

from ..errors import InputError
from ..vocab import CHANGES, EVIDENCE, KINDS, QUALIFIERS, SECTIONS, SOURCE_TYPES, STATUSES
from .yamlio import line_of


def _fail(path, node, message, key=None, index=None, field=None):
    raise InputError(path, message, line=line_of(node, key=key, index=index), field=field)


def _check_choice(path, node, key, allowed, field, optional=False):
    value = node.get(key)
    if value is None and optional:
        return
    if value not in allowed:
        _fail(path, node, f"{value!r} is not allowed; use one of: {', '.join(map(str, allowed))}", key=key, field=field)


def _check_span(path, node, text, field, anchored):
    """text[start:end] must be the given text, when the item has offsets."""
    start, end, value = node.get("start"), node.get("end"), node.get("text")
    if not isinstance(value, str) or not value:
        _fail(path, node, "needs a non-empty 'text'", key="text" if "text" in node else None, field=f"{field}.text")
    if start is None and end is None:
        return
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        _fail(path, node, f"start/end must be whole numbers with 0 <= start < end <= {len(text)}", key="start", field=f"{field}.start")
    if anchored and text[start:end] != value:
        _fail(path, node, f"text does not match the document at {start}:{end} (document has {text[start:end]!r}); "
                          f"fix the text, or delete start/end to have them found from the text", key="text", field=f"{field}.text")


def validate_file(path, data, text):
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping with doc_id, sha256, extractor, claims", line=1)
    if "claims" not in data or not isinstance(data["claims"], list):
        _fail(path, data, "needs a list 'claims'", key="claims" if "claims" in data else None, field="claims")
    seen = set()
    for n, claim in enumerate(data["claims"]):
        field = f"claims[{n}]"
        if not isinstance(claim, dict):
            _fail(path, data["claims"], "each claim must be a mapping", index=n, field=field)
        _check_choice(path, claim, "status", STATUSES, f"{field}.status")
        if claim.get("status") != "added" and not claim.get("id"):
            _fail(path, claim, "needs an 'id' (only an added claim may leave it out)", field=f"{field}.id")
        if claim.get("id") in seen:
            _fail(path, claim, f"duplicate id {claim.get('id')!r}", key="id", field=f"{field}.id")
        seen.add(claim.get("id"))
        if claim.get("status") == "rejected":
            _check_span(path, claim, text, field, anchored=not claim.get("stale"))
            continue
        _check_choice(path, claim, "evidence", EVIDENCE, f"{field}.evidence", optional=claim.get("status") == "added")
        _check_choice(path, claim, "section", SECTIONS, f"{field}.section", optional=True)
        if "hedged" in claim and not isinstance(claim["hedged"], bool):
            _fail(path, claim, "hedged must be true or false", key="hedged", field=f"{field}.hedged")
        _check_span(path, claim, text, field, anchored=not claim.get("stale"))
        for key, kind_key, allowed in (("quantities", "kind", KINDS), ("sources", "type", SOURCE_TYPES)):
            items = claim.get(key) or []
            if not isinstance(items, list):
                _fail(path, claim, f"{key} must be a list", key=key, field=f"{field}.{key}")
            for m, item in enumerate(items):
                sub = f"{field}.{key}[{m}]"
                if not isinstance(item, dict):
                    _fail(path, items, "must be a mapping", index=m, field=sub)
                _check_choice(path, item, kind_key, allowed, f"{sub}.{kind_key}")
                if key == "quantities":
                    _check_choice(path, item, "qualifier", QUALIFIERS, f"{sub}.qualifier", optional=True)
                    _check_choice(path, item, "change", CHANGES, f"{sub}.change", optional=True)
                    for number in ("value", "low", "high"):
                        if item.get(number) is not None and not isinstance(item[number], (int, float)):
                            _fail(path, item, f"{number} must be a number or null", key=number, field=f"{sub}.{number}")
                anchored = not claim.get("stale") and item.get("start") is not None
                if key == "sources" and item.get("type") == "narrator" and item.get("start") is None:
                    continue
                _check_span(path, item, text, sub, anchored=anchored)
