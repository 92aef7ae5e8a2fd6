"""Everything spaCy: the two pipelines and their custom components.

- `rules_pipeline()`: tokenizer + sentencizer + numbers + quantities +
  abbreviations. No model. Run on every article/comment segment to find where
  quantities are and which abbreviations the document defines.
- `full_pipeline()`: the trained model (settings.MODEL) + the same components +
  abbreviations, sources, attribution, carryover and evidence_label. Run only on
  paragraphs with a quantity (and a research paragraph right before one, as context).
"""

import warnings
from functools import lru_cache

import spacy

from .. import settings
from . import numbers, quantities  # noqa: F401  (register factories)
from .tokenizer import number_friendly_tokenizer, plain_spaces  # noqa: F401


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
    from . import evidence  # noqa: F401  (registers "evidence_label")
    from .sources import add_source_ruler

    nlp = number_friendly_tokenizer(spacy.load(model or settings.MODEL))
    nlp.add_pipe("numbers")
    nlp.add_pipe("quantities")
    add_source_ruler(nlp)
    nlp.add_pipe("sources")
    # --- issue 17: who is tied to which statement, what carries over, then the label ---
    from . import attribution, carryover  # noqa: F401  (register "attribution", "carryover")
    nlp.add_pipe("attribution")
    nlp.add_pipe("carryover")
    nlp.add_pipe("evidence_label")
    return nlp
