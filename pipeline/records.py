"""The one definition of a claim record: Claim, Quantity and Source.

Every stage that writes or reads a claim takes its field names from here:
the extractor builds records with these dataclasses, the annotation YAML
shows the same fields (machine-only ones read-only), export reads them back
without re-joining, and `claim_schema()` derives the JSON Schema that
validates claims.jsonl (pipeline/schema/claim.schema.json is that schema,
written by `python -m pipeline schema` and checked by a test).

Each field's metadata says:
  json  - its JSON Schema;
  yaml  - "edit" (annotators may change it), "machine" (written by the
          machine, shown to annotators, never read back as an edit), or
          None (not in the annotation file);
  required - whether claims.jsonl must carry it.
"""

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path

from . import vocab

_STR = {"type": "string", "minLength": 1}
_OPT_STR = {"type": ["string", "null"]}
_NUM = {"type": ["number", "null"]}
_START = {"type": ["integer", "null"], "minimum": 0}
_END = {"type": ["integer", "null"], "minimum": 1}


def _enum(values, null=False):
    return {"enum": ([None] if null else []) + list(values)}


def _f(json, yaml="edit", required=True, default=None):
    return field(default=default, metadata={"json": json, "yaml": yaml, "required": required})


@dataclass
class Quantity:
    text: str = _f(_STR)
    start: int | None = _f(_START)
    end: int | None = _f(_END)
    kind: str = _f(_enum(vocab.KINDS))
    value: float | None = _f(_NUM)
    low: float | None = _f(_NUM)
    high: float | None = _f(_NUM)
    unit: str | None = _f(_OPT_STR)
    qualifier: str | None = _f(_enum(vocab.QUALIFIERS, null=True))
    change: str | None = _f(_enum(vocab.CHANGES, null=True), required=False)     # role in "from X to Y"
    value_si: float | None = _f(_NUM, yaml="machine", required=False)          # measurement in SI (pint)
    unit_si: str | None = _f(_OPT_STR, yaml="machine", required=False)
    iso_duration: str | None = _f({"type": ["string", "null"], "pattern": "^P(T?)[0-9.]+[YMWDHS]$"},
                                  yaml="machine", required=False)
    rule: str | None = _f(_OPT_STR, yaml="machine", required=False)


@dataclass
class Source:
    text: str = _f(_STR)
    start: int | None = _f(_START)
    end: int | None = _f(_END)
    type: str = _f(_enum(vocab.SOURCE_TYPES))
    canonical: str | None = _f(_OPT_STR, yaml="machine", required=False)
    # What the source is to the figure (vocab.SOURCE_ROLES) and the reporting word or
    # phrase that ties it to the figure ("said", "according to", "poll"), null when none.
    role: str | None = _f(_enum(vocab.SOURCE_ROLES, null=True), yaml="machine", required=False)
    cue: str | None = _f(_OPT_STR, yaml="machine", required=False)


@dataclass
class Claim:
    id: str = _f(_STR)
    doc_id: str = _f(_STR, yaml=None)
    text: str = _f(_STR)
    start: int = _f({"type": "integer", "minimum": 0})
    end: int = _f({"type": "integer", "minimum": 1})
    section: str = _f(_enum(vocab.SECTIONS))
    author: str | None = _f(_OPT_STR)
    comment_index: int | None = _f({"type": ["integer", "null"], "minimum": 1})
    quantities: list = _f({"type": "array", "items": Quantity})
    sources: list = _f({"type": "array", "items": Source})
    evidence: str = _f(_enum(vocab.EVIDENCE))
    evidence_cues: list = _f({"type": "array", "items": {"type": "string"}}, yaml="machine")
    hedged: bool = _f({"type": "boolean"})
    review: str = _f(_enum(vocab.EXPORTED_STATUSES), yaml=None)      # export only: the annotation status
    note: str | None = _f({"type": "string"}, required=False)


EXPORT_ONLY = ("review", "note")       # machine_claims.jsonl carries every Claim field but these


def keys(cls, yaml=False):
    """Field names in record order; with yaml=True only those the annotation file shows."""
    return tuple(f.name for f in fields(cls) if not yaml or f.metadata["yaml"] is not None)


def machine_claim(**values):
    """A machine_claims.jsonl record: a Claim without the export-only fields."""
    data = record(Claim(**values))
    return {k: v for k, v in data.items() if k not in EXPORT_ONLY}


def machine_only(cls):
    """Fields the machine writes and annotators only read, in record order."""
    return tuple(f.name for f in fields(cls) if f.metadata["yaml"] == "machine")


def record(obj):
    """A dataclass instance -> the plain dict written to JSONL: every field, so every line has one shape
    (fields optional for an annotator are null), except a claim's `note`, left out when there is none."""
    data = {f.name: _copied(getattr(obj, f.name)) for f in fields(obj)}
    return {name: value for name, value in data.items() if value is not None or name not in _LEFT_OUT_WHEN_NONE}


_LEFT_OUT_WHEN_NONE = {"note"}
_IMMUTABLE = (str, int, float, bool, type(None))


def _copied(value):
    """dataclasses.asdict's copy of a field's value, without deep-copying the scalars that make up
    nearly all of a record (asdict's deepcopy of each was a third of the export stage's merge)."""
    if isinstance(value, _IMMUTABLE):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _copied(getattr(value, f.name)) for f in fields(value)}
    if type(value) in (list, tuple):
        return type(value)(_copied(v) for v in value)
    if type(value) is dict:
        return {_copied(k): _copied(v) for k, v in value.items()}
    return copy.deepcopy(value)


def _schema(cls):
    props, required = {}, []
    for f in fields(cls):
        json = dict(f.metadata["json"])
        if isinstance(json.get("items"), type):
            json["items"] = _schema(json["items"])
        props[f.name] = json
        if f.metadata["required"]:
            required.append(f.name)
    return {"type": "object", "required": required, "additionalProperties": False, "properties": props}


def claim_schema():
    """JSON Schema (draft 2020-12) of one claims.jsonl line, derived from the dataclasses."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "claim.schema.json",
            "title": "One claim of OUT/claims.jsonl", **_schema(Claim)}


SCHEMA_FILE = Path(__file__).with_name("schema") / "claim.schema.json"


def schema_text():
    """The schema as pipeline/schema/claim.schema.json holds it."""
    return json.dumps(claim_schema(), indent=2) + "\n"


_SPACES = re.compile(r"\s+")


def claim_id(doc_id, sentence, seen):
    """Stable across runs and versions while the sentence text is unchanged."""
    norm = _SPACES.sub(" ", sentence).strip().lower()
    base = f"{doc_id}-{hashlib.sha1(norm.encode()).hexdigest()[:10]}"
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"
