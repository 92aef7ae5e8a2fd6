"""Everything spaCy: the two pipelines and their custom components.

- `rules_pipeline()`: tokenizer + sentencizer + numbers + quantities +
  abbreviations. No model. Run on every article/comment segment to find where
  quantities are and which abbreviations the document defines.
- `full_pipeline()`: the trained model (settings.MODEL) + the same components +
  abbreviations, sources, attribution, carryover and evidence_label. Run only on
  paragraphs with a quantity (and a research paragraph right before one, as context).

Which components each holds, their order and their rule files: config.cfg.
"""

import warnings
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.tokens import Doc

from .. import settings
from . import numbers, quantities  # noqa: F401  (register factories)
from .rulefiles import read_rules
from .tokenizer import number_friendly_tokenizer, plain_spaces  # noqa: F401


def _claim_records(doc):
    """doc._.claim_records: the claims of a Doc the user made, as claims.jsonl-shaped records."""
    from .stage import claim_records
    context = {"doc_id": "doc", "section": "article", "author": None, "comment_index": None,
               **(doc._.context or {}), "offset": 0}
    return claim_records(doc, context, doc.text, {})


Doc.set_extension("claim_records", getter=_claim_records, force=True)


CONFIG = Path(__file__).with_name("config.cfg")


@spacy.registry.readers("claims.rule_lines.v1")
def rule_lines(path):
    """A patterns file of ours: one JSON object a line, // comments allowed."""
    return read_rules(path)


@lru_cache(maxsize=1)
def claims_config():
    """config.cfg, interpolated (rule files are bare names of patterns/: see rulefiles.rule_path)."""
    return spacy.util.load_config(CONFIG, interpolate=True)


def add_components(nlp, section, overrides=None):
    """Add the components config.cfg lists under [section], each with its config and initialization.

    `overrides` ({component: {setting: value}}) changes settings for this Language only.
    """
    config = claims_config()
    for name in config[section]["pipeline"]:
        component = {**config["components"][name], **(overrides or {}).get(name, {})}
        nlp.add_pipe(component.pop("factory"), name=name, config=component)
        init = config["initialize"]["components"].get(name)
        if init:
            resolved = spacy.registry.resolve({"init": init})["init"]
            nlp.get_pipe(name).initialize(lambda: [], nlp=nlp, **resolved)
    return nlp


@lru_cache(maxsize=1)
def rules_pipeline():
    import scispacy.abbreviation  # noqa: F401  (registers "abbreviation_detector")

    nlp = add_components(number_friendly_tokenizer(spacy.blank("en")), "rules")
    # scispaCy's detector builds one Matcher it never fills; spaCy warns (W036) on every call.
    warnings.filterwarnings("ignore", message=r"\[W036\]")
    return nlp


@lru_cache(maxsize=1)
def full_pipeline(model=None):
    from . import attribution, carryover, evidence, sources  # noqa: F401  (register the factories)

    return add_components(number_friendly_tokenizer(spacy.load(model or settings.MODEL)), "claims")


def package(path):
    """Write the claims pipeline to `path` so that spacy.load(path) gives the same claims."""
    nlp = full_pipeline()
    nlp.meta["name"] = "claims_" + nlp.meta.get("name", "pipeline")
    nlp.meta["description"] = "Quantitative health claims: quantities, sources, evidence labels (pipeline package)"
    nlp.to_disk(path)
    return path
