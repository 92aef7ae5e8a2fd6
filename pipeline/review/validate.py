"""Validation of an annotation file: the message names file, line, field and what is allowed.

The allowed types and values come from the record model (pipeline/records.py,
whose field metadata is the JSON Schema of claims.jsonl) and pipeline/vocab.py;
the checks here only phrase them for an annotator. Every claim is checked,
whatever its status (a rejected one too), so nothing later meets a wrong type.
"""

from dataclasses import fields
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from ..records import Claim, Quantity, Source
from ..schemacheck import SchemaCheck
from ..vocab import STATUSES
from .yamlio import line_of

_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
          "array": "a list", "object": "a mapping"}
# Checked with their own messages below (offsets against the document, nested lists, choices).
_SPAN = ("text", "start", "end")


@lru_cache(maxsize=None)
def _field_schemas(cls):
    """{field: (its JSON Schema, a validator of it)} for the fields an annotation file shows, but for
    the text and offsets and the lists of records (quantities, sources): their own checks phrase those."""
    return {f.name: (f.metadata["json"], SchemaCheck(f.metadata["json"]))
            for f in fields(cls) if f.metadata["yaml"] is not None and f.name not in _SPAN
            and not isinstance(f.metadata["json"].get("items"), type)}


_STATUS = ({"enum": list(STATUSES)}, SchemaCheck({"enum": list(STATUSES)}))


def _fail(path, node, message, key=None, index=None, field=None):
    raise InputError(path, message, line=line_of(node, key=key, index=index), field=field)


def _allowed(schema):
    """What a field may hold, in words: 'a number or null', 'true or false', 'one of: a, b'."""
    if "enum" in schema:
        return "use one of: " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    words = " or ".join(_WORDS[t] for t in types if t != "null")
    return f"must be {words}" + (" or null" if "null" in types else "")


def _check_value(path, node, key, checker, field, required=False):
    schema, validator = checker
    value = node.get(key)
    if value is None and not required:
        return
    if validator.is_valid(value):
        return
    if "enum" in schema:
        _fail(path, node, f"{value!r} is not allowed; {_allowed(schema)}", key=key, field=field)
    _fail(path, node, f"{key} {_allowed(schema)}" + ("" if value is None else f" (not {value!r})"), key=key, field=field)


def _check_fields(path, node, cls, field, required=()):
    for key, checker in _field_schemas(cls).items():
        if key in node or key in required:
            _check_value(path, node, key, checker, f"{field}.{key}", required=key in required)


def _check_span(path, node, text, field, anchored):
    """text[start:end] must be the given text, when the item has offsets."""
    start, end, value = node.get("start"), node.get("end"), node.get("text")
    if not isinstance(value, str) or not value.strip():
        _fail(path, node, "needs a non-empty 'text'", key="text" if "text" in node else None, field=f"{field}.text")
    if start is None and end is None:
        return
    whole = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
    if whole and not anchored:
        return                         # a stale claim's offsets are where it was last seen
    if not (whole and 0 <= start < end <= len(text)):
        _fail(path, node, f"start/end must be whole numbers with 0 <= start < end <= {len(text)}", key="start", field=f"{field}.start")
    if anchored and text[start:end] != value:
        _fail(path, node, f"text does not match the document at {start}:{end} (document has {text[start:end]!r}); "
                          f"fix the text, or delete start/end to have them found from the text", key="text", field=f"{field}.text")


def _check_header(path, data):
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping with doc_id, sha256, extractor, claims", line=1)
    expected = Path(path).stem
    if data.get("doc_id") != expected:
        _fail(path, data, f"doc_id {data.get('doc_id')!r} does not match the file name: this file belongs to "
                          f"document {expected!r} (rename the file or fix doc_id)", key="doc_id" if "doc_id" in data else None,
              field="doc_id")
    for key in ("sha256", "extractor"):
        if data.get(key) is not None and not isinstance(data[key], str):
            _fail(path, data, f"{key} must be text or null", key=key, field=key)
    if "claims" not in data or not isinstance(data["claims"], list):
        _fail(path, data, "needs a list 'claims'", key="claims" if "claims" in data else None, field="claims")


def validate_file(path, data, text):
    _check_header(path, data)
    seen = set()
    for n, claim in enumerate(data["claims"]):
        field = f"claims[{n}]"
        if not isinstance(claim, dict):
            _fail(path, data["claims"], "each claim must be a mapping", index=n, field=field)
        _check_value(path, claim, "status", _STATUS, f"{field}.status", required=True)
        added = claim.get("status") == "added"
        if not added and not claim.get("id"):
            _fail(path, claim, "needs an 'id' (only an added claim may leave it out)", field=f"{field}.id")
        if claim.get("id") is not None and claim["id"] in seen:
            _fail(path, claim, f"duplicate id {claim.get('id')!r}", key="id", field=f"{field}.id")
        seen.add(claim.get("id"))
        if "stale" in claim and not isinstance(claim["stale"], bool):
            _fail(path, claim, "stale must be true or false", key="stale", field=f"{field}.stale")
        _check_fields(path, claim, Claim, field, required=() if added or claim.get("status") == "rejected" else ("evidence",))
        anchored = not claim.get("stale")
        _check_span(path, claim, text, field, anchored=anchored)
        for key, cls, kind_key in (("quantities", Quantity, "kind"), ("sources", Source, "type")):
            items = claim.get(key) or []
            if not isinstance(items, list):
                _fail(path, claim, f"{key} must be a list (not {items!r})", key=key, field=f"{field}.{key}")
            for m, item in enumerate(items):
                sub = f"{field}.{key}[{m}]"
                if not isinstance(item, dict):
                    _fail(path, items, "must be a mapping", index=m, field=sub)
                _check_fields(path, item, cls, sub, required=(kind_key,))
                if key == "sources" and item.get("type") == "narrator" and item.get("start") is None:
                    continue
                _check_span(path, item, text, sub, anchored=anchored and item.get("start") is not None)
