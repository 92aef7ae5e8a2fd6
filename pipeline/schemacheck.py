"""JSON Schema checks that are fast when the data is valid, as ours nearly always is.

jsonschema walks a schema object by object (about 0.5 ms a claim record here: a
fifth of the export stage on a large corpus); fastjsonschema compiles the same
schema to Python code once. The compiled check answers yes or no; on a no,
jsonschema, the reference implementation, finds the errors, so every message is
worded as before. tests/test_schemacheck.py checks that the two agree on valid
and broken records.
"""

import fastjsonschema
import jsonschema

# fastjsonschema knows drafts 4, 6 and 7; the keywords our schemas use (type, enum, minimum,
# minLength, properties, required, additionalProperties, items) mean the same in draft 2020-12.
_FAST_DRAFT = "http://json-schema.org/draft-07/schema"


class SchemaCheck:
    """`is_valid` and `iter_errors` of a jsonschema Draft 2020-12 validator, the first compiled."""

    def __init__(self, schema):
        self.reference = jsonschema.Draft202012Validator(schema)
        compiled = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
        self._check = fastjsonschema.compile({"$schema": _FAST_DRAFT, **compiled}, use_default=False,
                                             use_formats=False)

    def is_valid(self, value):
        try:
            self._check(value)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    def iter_errors(self, value):
        """jsonschema's errors of `value`: none, without walking it, when the compiled check passes."""
        return iter(()) if self.is_valid(value) else self.reference.iter_errors(value)
