"""The compiled loops' float sums: numpy's own, bit for bit."""

from __future__ import annotations

import numpy as np

from provenance.jit import numpy_sum


def test_numpy_sum_adds_in_numpys_order_for_every_length() -> None:
    """Each segment of ``np.add.reduceat``: the same bits, short and long (pairwise) runs."""
    rng = np.random.default_rng(11)
    for n in [*range(1, 300), 511, 1000, 4097]:
        a = rng.random(n + 3) * 10.0 ** rng.uniform(-8, 3, n + 3)  # magnitudes far apart: the order shows in the bits
        assert numpy_sum(a, 3, n) == np.add.reduceat(a[: n + 3], [3])[0], n
    lengths = rng.integers(1, 700, 300)
    values = rng.random(int(lengths.sum())) * 10.0 ** rng.uniform(-8, 3, int(lengths.sum()))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    got = [numpy_sum(values, int(s), int(n)) for s, n in zip(starts, lengths, strict=True)]
    assert np.array_equal(got, np.add.reduceat(values, starts))
    in_order = [float(np.cumsum(values[s : s + n])[-1]) for s, n in zip(starts, lengths, strict=True)]
    assert not np.array_equal(got, in_order)  # not a plain running sum: the test tells the two apart
