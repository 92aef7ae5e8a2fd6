"""Quantitative health-claims extractor: ingest -> nlp -> review -> link -> export.

For use in your own spaCy code:

    import pipeline
    nlp = pipeline.load()                 # the trained model + the claim components
    doc = nlp("In a 2019 trial, 40% of 200 patients improved within two weeks.")
    doc.spans["quantities"], doc.spans["claims"], doc._.claim_records

`python -m pipeline package DIR` writes the same pipeline to a folder that
`spacy.load(DIR)` reads back (the components are found through the
`spacy_factories` entry points, so no import is needed first).

Importing this package does not import spaCy: the file stages (review,
export) never pay for it.
"""

__version__ = "0.1.0"


def load(model=None):
    """The claims pipeline as a spaCy Language (settings.MODEL unless another model is named)."""
    from .nlp import full_pipeline
    return full_pipeline(model)
