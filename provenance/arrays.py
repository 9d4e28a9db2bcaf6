"""Array helpers shared by the stages."""

from __future__ import annotations

import numpy as np


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` (the distinct values, ascending) through one sort.

    From numpy 2.3 on, a plain ``np.unique`` of integers goes through a hash table and then
    sorts what it found; on 10^5-10^6 integers that is 10-18 times slower here than sorting
    them once and keeping each value that differs from the one before.
    """
    flat = np.sort(np.asarray(values).ravel())
    if len(flat) < 2:
        return flat
    keep = np.empty(len(flat), dtype=bool)
    keep[0] = True
    np.not_equal(flat[1:], flat[:-1], out=keep[1:])
    return flat[keep]
