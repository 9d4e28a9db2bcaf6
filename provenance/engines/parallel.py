"""The local engine's use of every core: an ordered map over worker processes that share the caller's data.

``parallel_map(fn, items, shared)`` cuts ``items`` into chunks and runs
``fn(shared, chunk)`` in forked worker processes, one per core: the workers
inherit ``shared`` (the collection's documents, profiles, matrices) from the
parent's memory instead of receiving a pickled copy; only the chunks and the
results cross between processes.  Results come back in the order of
``items``, so the output is the same as a plain loop's.

It falls back to a loop in this process when there is one core, when the
platform cannot fork (Windows, macOS's default), when the work is small
(``min_items``), or inside a worker (no nested pools).  ``PROVENANCE_WORKERS``
sets the number of processes (1 turns parallelism off).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")

_SHARED: dict[str, Any] = {}  # what the forked workers read (set in the parent just before forking)
_IN_WORKER = False


def workers() -> int:
    """Worker processes to use: ``PROVENANCE_WORKERS``, else the CPUs this process may run on."""
    env = os.environ.get("PROVENANCE_WORKERS")
    if env and env.strip().isdigit():
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _mark_worker() -> None:
    global _IN_WORKER
    _IN_WORKER = True


def _run(job: tuple[int, Sequence[Any]]) -> Any:
    key, chunk = job
    fn, shared = _SHARED[f"fn{key}"], _SHARED[f"data{key}"]
    return fn(shared, chunk)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parallel_map(
    fn: Callable[[Any, Sequence[T]], list[R]],
    items: Sequence[T],
    shared: Any = None,
    chunk: int = 256,
    min_items: int = 1000,
    progress: str | None = None,
) -> list[R]:
    """``[r for c in chunks(items) for r in fn(shared, c)]``, the chunks run in worker processes (module doc).

    ``progress``: the description of a progress bar on stderr (one step per chunk), or None.
    """
    return list(parallel_iter(fn, items, shared, chunk, min_items, progress))


def parallel_iter(
    fn: Callable[[Any, Sequence[T]], list[R]],
    items: Sequence[T],
    shared: Any = None,
    chunk: int = 256,
    min_items: int = 1000,
    progress: str | None = None,
) -> Iterator[R]:
    """:func:`parallel_map` as an iterator: each chunk's results are handed over as soon as they are in.

    The caller can fold them (merge counts, join table parts) while the workers go
    on with the next chunks.  The workers stop when the iterator is exhausted or closed.
    """
    n_workers = min(workers(), max(1, len(items) // max(1, chunk)))
    fork = "fork" in multiprocessing.get_all_start_methods()
    total = (len(items) + chunk - 1) // max(1, chunk)
    if n_workers < 2 or len(items) < min_items or not fork or _IN_WORKER:
        for c in _bar(_chunks(items, chunk), progress, total):
            yield from fn(shared, c)
        return
    key = len(_SHARED)
    while f"fn{key}" in _SHARED:  # another iterator is still open
        key += 1
    _SHARED[f"fn{key}"], _SHARED[f"data{key}"] = fn, shared
    _frozen_objects(+1)
    try:
        with multiprocessing.get_context("fork").Pool(n_workers, initializer=_mark_worker) as pool:
            parts = pool.imap(_run, ((key, c) for c in _chunks(items, chunk)))
            for part in _bar(parts, progress, total):
                yield from part
    finally:
        _frozen_objects(-1)
        del _SHARED[f"fn{key}"], _SHARED[f"data{key}"]


def thread_map(fn: Callable[[T], R], items: Iterable[T], threads: int | None = None) -> Iterator[R]:
    """``map(fn, items)`` in threads of this process: results in order, at most ``threads`` calls ahead.

    For steps that compute in C without the interpreter lock (numpy's array operations,
    scipy's sparse routines): they use every core with no worker process and no copy of
    their input.  ``threads``: :func:`workers` by default.  When the iterator is exhausted
    or closed, no call is left running (a fork that follows copies no busy thread).
    """
    n = threads or workers()
    if n < 2:
        yield from map(fn, items)
        return
    queue = iter(items)
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="provenance-thread") as pool:
        pending: deque[Future[R]] = deque(pool.submit(fn, item) for item in islice(queue, n))
        try:
            while pending:
                result = pending.popleft().result()
                pending.extend(pool.submit(fn, item) for item in islice(queue, 1))
                yield result
        finally:
            for future in pending:
                future.cancel()


_FREEZES = [0]  # open pools that froze the parent's objects


def _frozen_objects(change: int) -> None:
    """Freeze the garbage collector's objects while pools are open (``gc.freeze``), thaw them after the last.

    The workers inherit the parent's objects; a frozen object is skipped by their
    collections, which would otherwise walk every one of them and write to its
    header, copying the pages that the fork shares.
    """
    _FREEZES[0] += change
    if change > 0 and _FREEZES[0] == 1:
        gc.freeze()
    elif change < 0 and _FREEZES[0] == 0:
        gc.unfreeze()


def _bar(parts: Iterator[T], desc: str | None, total: int) -> Iterator[T]:
    if desc is None:
        yield from parts
        return
    from tqdm import tqdm

    yield from tqdm(parts, desc=desc, total=total, file=sys.stderr, leave=False)


class Beside(Generic[S]):
    """``side()`` run in a thread of this process while the workers of a parallel map run.

    A stage that needs neither the map's results nor its workers (the parent's
    own serial work) is done meanwhile instead of before or after, on the core
    the parent would leave idle.  The thread starts at the map's first result, once
    the workers are forked (a fork copies only the forking thread: a thread
    already running could hold a lock the children would inherit held)::

        side = Beside(lambda: expensive(data))
        for r in side.watch(parallel_iter(fn, items, shared)):
            ...
        value = side.result()  # after the loop; re-raises what side() raised
    """

    def __init__(self, side: Callable[[], S]) -> None:
        self._side = side
        self._future: Future[S] | None = None

    def watch(self, results: Iterable[R]) -> Iterator[R]:
        """``results``, unchanged; ``side()`` runs from the first of them until it is done (waited for at the end)."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="provenance-beside") as pool:
            for r in results:
                if self._future is None:
                    self._future = pool.submit(self._side)
                yield r
            if self._future is None:  # no results at all
                self._future = pool.submit(self._side)
            self._future.exception()  # the thread is done before the next pool forks

    def result(self) -> S:
        """What ``side()`` returned (after :meth:`watch` is exhausted)."""
        if self._future is None or not self._future.done():
            raise RuntimeError("Beside.result() before its watch() was exhausted")
        return self._future.result()
