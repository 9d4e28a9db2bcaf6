"""The candidate stage's output: document pairs worth verifying, as arrays.

A collection of ``n`` documents yields up to ``neighbors * n`` candidate pairs
(each document's nearest neighbours, plus the near-duplicates).  Held as Python
objects (a dict of ``(i, j)`` tuples to float cosines) that is a few hundred bytes
per pair, more than the documents' own profiles at 100k documents; here it is
24 bytes per pair:

    pairs[m] = (i, j)   rows of two documents, i < j; ascending, each pair once
    cosines[m]          their TF-IDF cosine

Found pairs are given in any order and orientation, possibly more than once
(``i`` lists ``j`` among its neighbours and ``j`` lists ``i``); :func:`candidate_set`
orders each pair, keeps the cosine given last for a pair found twice (as
assigning into a dict would) and sorts the pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CandidatePairs:
    """Candidate pairs of document rows with their TF-IDF cosines (module docstring)."""

    pairs: np.ndarray  # int64, (m, 2)
    cosines: np.ndarray  # float64, (m,)

    def __len__(self) -> int:
        return len(self.cosines)

    def batch(self, start: int = 0, stop: int | None = None) -> list[tuple[int, int, float]]:
        """The candidates ``start:stop`` as the ``(i, j, cosine)`` triples scoring takes."""
        pairs, cosines = self.pairs[start:stop], self.cosines[start:stop]
        return list(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), cosines.tolist(), strict=True))

    def as_dict(self) -> dict[tuple[int, int], float]:
        """``{(i, j): cosine}``."""
        return {(i, j): c for i, j, c in self.batch()}


def candidate_set(rows: np.ndarray, cols: np.ndarray, cosines: np.ndarray) -> CandidatePairs:
    """The :class:`CandidatePairs` of found pairs ``(rows[m], cols[m])`` (any orientation, repeats allowed).

    A pair found more than once keeps its last cosine.  ``rows[m] == cols[m]`` is not a pair
    and is refused.
    """
    rows = np.asarray(rows, dtype=np.int64).ravel()
    cols = np.asarray(cols, dtype=np.int64).ravel()
    cosines = np.asarray(cosines, dtype=np.float64).ravel()
    if not len(rows) == len(cols) == len(cosines):
        raise ValueError("rows, cols and cosines must have the same length")
    if np.any(rows == cols):
        raise ValueError("a document is not a candidate pair with itself")
    if not len(rows):
        return CandidatePairs(np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float64))
    if min(int(rows.min()), int(cols.min())) < 0:
        raise ValueError("document rows must be non-negative")
    width = max(int(rows.max()), int(cols.max())) + 1
    return candidate_set_of_keys(pair_keys(rows, cols, width), cosines, width)


def pair_keys(rows: np.ndarray, cols: np.ndarray, width: int) -> np.ndarray:
    """Each pair ``(rows[m], cols[m])`` as one int64 key, ``min * width + max`` (``width`` > every row)."""
    return np.minimum(rows, cols).astype(np.int64) * width + np.maximum(rows, cols)


def candidate_set_of_keys(keys: np.ndarray, cosines: np.ndarray, width: int) -> CandidatePairs:
    """:func:`candidate_set` of pairs given as :func:`pair_keys` (8 bytes a found pair instead of 16).

    A key found more than once keeps its last cosine.
    """
    keys = np.asarray(keys, dtype=np.int64).ravel()
    cosines = np.asarray(cosines, dtype=np.float64).ravel()
    if len(keys) != len(cosines):
        raise ValueError("keys and cosines must have the same length")
    if not len(keys):
        return CandidatePairs(np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float64))
    # the last occurrence of each key: the first of the reversed keys
    distinct, first_reversed = np.unique(keys[::-1], return_index=True)
    last = len(keys) - 1 - first_reversed
    pairs = np.stack([distinct // width, distinct % width], axis=1)
    return CandidatePairs(pairs, cosines[last])
