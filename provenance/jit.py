"""Compiled loops (numba) for the few steps that numpy can only do in many passes.

A loop over irregular data (a byte automaton, the shared columns of two sparse
rows) costs numpy one array operation per step and several temporary arrays of
the data's size; numba compiles the plain loop instead.  :func:`jit` is
``numba.njit`` with the compiled code cached on disk (next to the module, or in
numba's user cache directory when the package is not writable; ``NUMBA_CACHE_DIR``
overrides both), so a run pays the compilation (about 2 s a kernel) only the first
time; where no cache directory can be written, each process compiles instead.

:func:`numpy_sum` adds floats in exactly the order ``np.add.reduceat`` adds a
segment (the first value, then numpy's pairwise summation of the rest), so that a
compiled loop gives the same bits as the numpy code it replaces.  (Not always
``np.add.reduce``'s: numpy 2 reduces a whole contiguous array with vector
instructions, in another order.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np

F = TypeVar("F", bound=Callable[..., Any])


def jit(func: F) -> F:
    """``numba.njit(func)``, releasing the GIL, its machine code cached on disk where possible (module docstring)."""
    try:
        return cast(F, numba.njit(cache=True, nogil=True)(func))
    except RuntimeError:  # no writable cache location: compile in each process
        return cast(F, numba.njit(cache=False, nogil=True)(func))


PAIRWISE_BLOCK = 128  # numpy's PW_BLOCKSIZE


@jit
def pairwise_sum(a: np.ndarray, lo: int, n: int) -> float:
    """numpy's pairwise sum of ``a[lo:lo + n]`` (``pairwise_sum_DOUBLE`` in its loops): fewer than 8 values
    one after the other; up to 128 in eight running sums combined as ``((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))``,
    then the remainder; more, the two halves (the first a multiple of 8 long) summed so and added."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    if n <= PAIRWISE_BLOCK:
        r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
        r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
        i = 8
        whole = n - n % 8
        while i < whole:
            r0 += a[lo + i]
            r1 += a[lo + i + 1]
            r2 += a[lo + i + 2]
            r3 += a[lo + i + 3]
            r4 += a[lo + i + 4]
            r5 += a[lo + i + 5]
            r6 += a[lo + i + 6]
            r7 += a[lo + i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[lo + i]
            i += 1
        return res
    half = n // 2
    half -= half % 8
    return pairwise_sum(a, lo, half) + pairwise_sum(a, lo + half, n - half)


@jit
def numpy_sum(a: np.ndarray, lo: int, n: int) -> float:
    """``np.add.reduceat(a, [lo])[0]`` of ``a[:lo + n]`` bit for bit (``n >= 1``): the first value plus the
    pairwise sum (:func:`pairwise_sum`) of the rest, as numpy adds each segment of a ``reduceat``."""
    return a[lo] + pairwise_sum(a, lo + 1, n - 1)
