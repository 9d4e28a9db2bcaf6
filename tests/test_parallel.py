"""The local engine's ordered map over forked workers (provenance.engines.parallel)."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence

import pytest

from provenance.engines.parallel import parallel_iter, parallel_map


def _double(_: object, chunk: Sequence[int]) -> list[int]:
    return [2 * x for x in chunk]


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


def test_beside_runs_its_function_during_the_map_and_hands_back_its_result_or_error() -> None:
    import threading

    from provenance.engines.parallel import Beside

    seen: list[str] = []
    side = Beside(lambda: (seen.append(threading.current_thread().name), sum(range(10)))[1])
    out = list(side.watch(parallel_iter(_double, list(range(3000)), None, chunk=100)))
    assert out == [2 * k for k in range(3000)]
    assert side.result() == 45 and seen and seen[0] != threading.current_thread().name  # its own thread

    empty = Beside(lambda: "done")
    assert list(empty.watch([])) == [] and empty.result() == "done"  # no results: run all the same

    def fails() -> int:
        raise ValueError("side failed")

    failing = Beside(fails)
    assert list(failing.watch(iter([1, 2]))) == [1, 2]
    with pytest.raises(ValueError, match="side failed"):
        failing.result()
    with pytest.raises(RuntimeError):
        Beside(lambda: 1).result()


def _resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_small_blocks_go_back_to_the_system() -> None:
    from provenance.engines.memory import release_freed_memory

    blocks = [bytes(2000) + str(k).encode() for k in range(100_000)]  # ~200 MB of heap blocks (not mmap)
    keep = blocks[::1000]  # a few survivors scattered in the heap, as a stage's results are
    held = _resident_mb()
    del blocks
    assert release_freed_memory() is True
    assert _resident_mb() < held - 100  # most of the 200 MB went back, despite the survivors
    assert len(keep) == 100


def test_thread_map_keeps_order_runs_a_bounded_number_ahead_and_leaves_no_thread() -> None:
    """Results in the order of the items, from threads, at most ``threads`` calls begun ahead of the caller."""
    import threading
    import time

    from provenance.engines.parallel import thread_map

    begun: list[int] = []
    lock = threading.Lock()

    def slow_square(x: int) -> tuple[int, str]:
        with lock:
            begun.append(x)
        time.sleep(0.002 * (x % 3))  # later items may finish first
        return x * x, threading.current_thread().name

    out = list(thread_map(slow_square, range(40), threads=3))
    assert [v for v, _ in out] == [x * x for x in range(40)]
    assert all(name.startswith("provenance-thread") for _, name in out)
    begun.clear()
    results = thread_map(slow_square, range(100), threads=2)
    assert next(results)[0] == 0
    time.sleep(0.05)
    assert len(begun) <= 3  # the first two, and one more once the first was taken
    results.close()  # the calls under way finish; no thread is left running
    assert not [t for t in threading.enumerate() if t.name.startswith("provenance-thread")]
    assert [v for v, _ in thread_map(slow_square, range(5), threads=1)] == [0, 1, 4, 9, 16]

    def fails(x: int) -> int:
        if x == 3:
            raise ValueError("item 3")
        return x

    with pytest.raises(ValueError, match="item 3"):
        list(thread_map(fails, range(10), threads=2))
