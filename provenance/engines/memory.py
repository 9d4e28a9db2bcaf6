"""Handing the memory that a stage freed back to the operating system.

CPython frees an object's memory into the C allocator, not to the system.  On
glibc, the pages of the many small blocks a stage frees (a file's lines, a
collection's token lists, pickled chunks from the workers) stay with the process
until it exits, scattered in its heap, and count in its resident size; forked
workers then inherit them too.  ``malloc_trim(0)`` walks the heap and returns
every whole free page (``madvise(MADV_DONTNEED)``), which later allocations get
back from the system when they need it.  The pipeline calls :func:`release_freed_memory`
between its stages; elsewhere (musl, macOS, Windows) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim  # glibc only
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory() -> bool:
    """Return the allocator's free pages to the system; True if there was a way to (glibc)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
