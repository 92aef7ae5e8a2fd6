"""The extractor's fingerprint: what keys the cache and is written into every annotation file."""

import hashlib
from pathlib import Path

from . import settings

_ROOT = Path(__file__).parent


def fingerprint():
    """Extractor version + a hash of every rule and code file + the model: the cache key."""
    digest = hashlib.sha256(settings.EXTRACTOR_VERSION.encode())
    root = _ROOT / "nlp"
    for path in [_ROOT / "records.py", _ROOT / "measures.py"] + sorted(root.rglob("*")):  # the rules, and how records are made
        if path.suffix in (".py", ".yml", ".json", ".jsonl") and path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    digest.update(settings.MODEL.encode())
    return f"{settings.EXTRACTOR_VERSION}+{digest.hexdigest()[:10]}"
