"""Everything spaCy: the two pipelines and their custom components.

- `rules_pipeline()`: tokenizer + sentencizer + numbers + quantities +
  abbreviations. No model. Run on every article/comment segment to find where
  quantities are and which abbreviations the document defines.
- `full_pipeline()`: the trained model (settings.MODEL) + the same components +
  abbreviations, sources and evidence. Run only on paragraphs with a quantity.
"""

import warnings
from functools import lru_cache

import spacy
from spacy.tokens import Doc

from .. import settings
from . import numbers, quantities  # noqa: F401  (register factories)
from .tokenizer import number_friendly_tokenizer, plain_spaces  # noqa: F401


def _claim_records(doc):
    """doc._.claim_records: the claims of a Doc the user made, as claims.jsonl-shaped records."""
    from ..extract import claim_records
    context = {"doc_id": "doc", "section": "article", "author": None, "comment_index": None,
               **(doc._.context or {}), "offset": 0}
    return claim_records(doc, context, doc.text, {})


Doc.set_extension("claim_records", getter=_claim_records, force=True)


@lru_cache(maxsize=1)
def rules_pipeline():
    import scispacy.abbreviation  # noqa: F401  (registers "abbreviation_detector")

    nlp = number_friendly_tokenizer(spacy.blank("en"))
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("numbers")
    nlp.add_pipe("quantities")
    nlp.add_pipe("abbreviation_detector", config={"make_serializable": True})
    # scispaCy's detector builds one Matcher it never fills; spaCy warns (W036) on every call.
    warnings.filterwarnings("ignore", message=r"\[W036\]")
    return nlp


@lru_cache(maxsize=1)
def full_pipeline(model=None):
    from . import evidence  # noqa: F401  (registers "evidence")
    from .sources import add_source_ruler

    nlp = number_friendly_tokenizer(spacy.load(model or settings.MODEL))
    nlp.add_pipe("numbers")
    nlp.add_pipe("quantities")
    add_source_ruler(nlp)
    nlp.add_pipe("sources")
    nlp.add_pipe("evidence")
    return nlp


def package(path):
    """Write the claims pipeline to `path` so that spacy.load(path) gives the same claims."""
    nlp = full_pipeline()
    nlp.meta["name"] = "claims_" + nlp.meta.get("name", "pipeline")
    nlp.meta["description"] = "Quantitative health claims: quantities, sources, evidence labels (pipeline package)"
    nlp.to_disk(path)
    return path
