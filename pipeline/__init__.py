"""Quantitative health-claims extractor: ingest -> extract -> review -> export."""

__version__ = "0.1.0"
