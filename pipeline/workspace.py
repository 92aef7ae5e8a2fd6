"""One run's inputs, each read once per process: documents, texts, annotation files, outputs.

Every stage after nlp starts from the same files (OUT/documents.jsonl, the
documents' texts, OUT/machine_claims.jsonl, ANNOTATIONS/*.yaml, OUT/links.jsonl).
A Workspace reads each of them the first time a stage asks and keeps it, so
`python -m pipeline review link export` (stages chained in one process) reads
every document once and each annotation file once after review wrote it.

What a stage writes that a later stage reads is handed over, not re-read:
link's groups become `links`; review's rewrite of the annotation files makes
`reviews` (and the merged `claims`) be read again, from the files it wrote.
The stages that only read annotation files read them with libyaml's plain
loader (review.load_reviews); review itself reads them round-trip, to write them.
"""

from functools import cached_property
from pathlib import Path

from .files import read_jsonl
from .ingest.reader import document_texts

DERIVED_FROM_ANNOTATIONS = ("reviews", "claims")


class Workspace:
    def __init__(self, out, annotations="annotations"):
        self.out, self.annotations = Path(out), Path(annotations)

    @cached_property
    def documents(self):
        """OUT/documents.jsonl: the ingest records, in corpus order."""
        return read_jsonl(self.out / "documents.jsonl")

    @cached_property
    def texts(self):
        """{doc_id: text} of every document, decoded as ingest decoded it."""
        return document_texts(self.documents)

    @cached_property
    def machine_claims(self):
        """OUT/machine_claims.jsonl: the nlp stage's claims."""
        return read_jsonl(self.out / "machine_claims.jsonl")

    @cached_property
    def reviews(self):
        """{doc_id: plain data} of the annotation files, re-anchored and validated (InputError on the first bad one)."""
        from .review import load_reviews
        return load_reviews(self.annotations, self.documents, self.texts, out=self.out)

    @cached_property
    def claims(self):
        """The claims with the annotators' decisions applied, as claims.jsonl holds them.

        The annotation files' data is let go once the claims are made from it: link and export
        need only the claims, and on one long document it is the largest thing held (a stage that
        still asks for `reviews` reads the files again)."""
        from .export import merged_claims
        claims = merged_claims(self.documents, self.reviews)
        self.__dict__.pop("reviews", None)
        return claims

    @cached_property
    def links(self):
        """The link groups: the link stage's, or OUT/links.jsonl ([] when link has not run)."""
        from .link import read_links
        return read_links(self.out)

    def annotations_rewritten(self):
        """Review wrote the annotation files: what was read of them is read again when next asked for."""
        for name in DERIVED_FROM_ANNOTATIONS:
            self.__dict__.pop(name, None)
