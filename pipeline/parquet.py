"""Claims as Parquet (FORMAT=parquet), beside the JSONL: one row a claim, nested
quantities and sources as lists of structs.

The Arrow schema is derived from the record model's JSON Schema
(`pipeline.records.claim_schema`), so the columns follow the one definition of
a claim and an empty file still has them.
"""

from functools import lru_cache

import pyarrow as pa
import pyarrow.parquet as pq

from . import records
from .files import atomic_open

_SCALARS = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}


def arrow_type(spec):
    """The Arrow type of one JSON-schema property (nullability is Arrow's default)."""
    if "enum" in spec:
        return pa.string()
    kinds = [t for t in (spec["type"] if isinstance(spec["type"], list) else [spec["type"]]) if t != "null"]
    kind = kinds[0]
    if kind == "array":
        return pa.list_(arrow_type(spec["items"]))
    if kind == "object":
        return pa.struct([pa.field(name, arrow_type(sub)) for name, sub in spec["properties"].items()])
    return _SCALARS[kind]


@lru_cache(maxsize=2)
def claim_schema(machine=True):
    properties = records.claim_schema()["properties"]
    return pa.schema([pa.field(name, arrow_type(spec)) for name, spec in properties.items()
                      if not (machine and name in records.EXPORT_ONLY)])


def write_claims_parquet(path, claims, machine=True):
    """Write claim records to `path` atomically; a field the schema lacks is an error, never silently dropped."""
    schema = claim_schema(machine)
    names = set(schema.names)
    for claim in claims:
        extra = set(claim) - names
        if extra:
            raise ValueError(f"claim {claim.get('id')}: fields {sorted(extra)} are not in the claim record (pipeline/records.py)")
    with atomic_open(path, "wb") as fh:
        pq.write_table(pa.Table.from_pylist(list(claims), schema=schema), fh)
