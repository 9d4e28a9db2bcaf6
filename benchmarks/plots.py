"""Plotting shared by the benchmarks' PNGs (matplotlib is imported by the callers, with the Agg backend)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def grouped_bars(ax: Any, groups: Sequence[str], series: Mapping[str, Sequence[float]], **tick_options: Any) -> None:
    """One bar per series in each group, side by side in 80 % of a unit, the group names centred below.

    ``series`` maps a legend label to one value per group; ``tick_options`` go to
    ``ax.set_xticks`` (``rotation``, ``fontsize``).
    """
    width = 0.8 / max(1, len(series))
    for k, (label, values) in enumerate(series.items()):
        ax.bar([i + k * width for i in range(len(groups))], list(values), width, label=label)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(groups))], list(groups), **tick_options)
