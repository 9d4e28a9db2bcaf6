"""The local engine's ordered map over forked workers (provenance.engines.parallel)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest

from provenance.engines.parallel import parallel_map


def _square_with_pid(offset: int, chunk: Sequence[int]) -> list[tuple[int, int]]:
    return [(x * x + offset, os.getpid()) for x in chunk]


def test_results_keep_the_order_of_the_items_and_come_from_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVENANCE_WORKERS", "2")
    items = list(range(1000))
    out = parallel_map(_square_with_pid, items, 7, chunk=50, min_items=0)
    assert [v for v, _ in out] == [x * x + 7 for x in items]
    assert os.getpid() not in {pid for _, pid in out}  # shared data (7) reached forked workers


def test_small_inputs_and_one_worker_run_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    out = parallel_map(_square_with_pid, list(range(10)), 0, chunk=4)  # below min_items
    assert {pid for _, pid in out} == {os.getpid()}
    monkeypatch.setenv("PROVENANCE_WORKERS", "1")
    out = parallel_map(_square_with_pid, list(range(5000)), 0, chunk=50, min_items=0)
    assert {pid for _, pid in out} == {os.getpid()}
    assert [v for v, _ in out] == [x * x for x in range(5000)]


def test_the_iterator_hands_over_results_while_workers_go_on_and_stops_them_when_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from provenance.engines import parallel

    monkeypatch.setenv("PROVENANCE_WORKERS", "2")
    items = list(range(2000))
    stream = parallel.parallel_iter(_square_with_pid, items, 3, chunk=50, min_items=0)
    first = next(stream)
    assert first[0] == 3 and first[1] != os.getpid()
    assert len(parallel._SHARED) == 2  # the pool is open, the map not finished
    rest = [v for v, _ in stream]
    assert [first[0], *rest] == [x * x + 3 for x in items]
    assert parallel._SHARED == {}
    stream = parallel.parallel_iter(_square_with_pid, items, 3, chunk=50, min_items=0)
    next(stream)
    stream.close()  # a consumer that stops early: the workers and the shared data go
    assert parallel._SHARED == {}
