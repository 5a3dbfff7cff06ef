"""Memory of the model's long-lived arrays, and what the C library keeps of freed memory.

A county of a million persons makes every byte of a person a megabyte, and its yearly
passes make and free many arrays of a person column's size. The person columns and the
household arrays live for the whole run in memory of their own (`reserve`), outside the
C library's heap, where the passes' temporaries come and go (`keep_freed_memory`).
"""

from __future__ import annotations

import ctypes
import functools
import mmap
import sys

import numpy as np


@functools.cache
def keep_freed_memory() -> bool:
    """Let the C library keep memory that numpy frees, for the next array (Linux, glibc).

    A model's step makes and frees many arrays the size of a person column. By default glibc
    hands each one back to the system when it is freed (it maps arrays of this size by
    themselves), so the next one costs a page fault for every 4 kB it touches: about a
    tenth of a run's time, and most of the time of some passes. Raising the thresholds for
    mapping and for trimming keeps freed memory in the heap to be used again; the peak
    memory stays that of the largest step. Once per process; returns whether it was done.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's <malloc.h>
    limit = 1 << 30  # larger than any array of a county's persons
    return bool(mallopt(m_mmap_threshold, limit)) and bool(mallopt(m_trim_threshold, limit))


def reserve(rows: int, dtype) -> np.ndarray:
    """An array of `rows` elements in memory of its own, outside the C library's heap (an
    anonymous private mapping, Linux), whose pages count only once written.

    The person buffers live for the whole run and hold spare rows. In the heap they would
    sit among the steps' temporaries, and each time they grow the freed old buffers leave
    holes that larger arrays cannot use; their spare rows would count in full. Mapped on
    their own, spare rows cost nothing until births and arrivals fill them, rows freed by
    deaths are handed back (`release_rows`), and a grown buffer's old mapping goes back to
    the system at once. Elsewhere a plain array. Private, so forked processes copy on write.
    """
    dtype = np.dtype(dtype)
    if not sys.platform.startswith("linux"):
        return np.empty(rows, dtype=dtype)
    memory = mmap.mmap(-1, max(rows * dtype.itemsize, 1), flags=mmap.MAP_PRIVATE)
    if hasattr(mmap, "MADV_NOHUGEPAGE"):
        # Pages of 4 kB where huge pages are the system's default: a row written at the end
        # of the used rows must not make 2 MB of spare rows resident.
        memory.madvise(mmap.MADV_NOHUGEPAGE)
    return np.frombuffer(memory, dtype=dtype, count=rows)


def is_reserved(array: np.ndarray) -> bool:
    """Whether `array` is a buffer that `reserve` mapped."""
    view = array.base
    return isinstance(view, memoryview) and isinstance(view.obj, mmap.mmap)


def release_rows(buffer: np.ndarray, used: int) -> None:
    """Hand the pages of a `reserve`d buffer after its first `used` rows back to the system
    (they read as zeros when next written); a no-op for a plain array."""
    view = buffer.base
    memory = view.obj if isinstance(view, memoryview) else None
    if not isinstance(memory, mmap.mmap):
        return
    start = -(-used * buffer.itemsize // mmap.PAGESIZE) * mmap.PAGESIZE  # whole pages
    if start < len(memory):
        memory.madvise(mmap.MADV_DONTNEED, start, len(memory) - start)


def spare_room(rows: int) -> int:
    """Rows to reserve for `rows` used: twice as many (and 1,024 more), as spare rows take
    memory only once written."""
    return 2 * rows + 1024


def hold(owner, name: str, value: np.ndarray) -> None:
    """Set `owner.name` to the 1-d array `value` in memory of its own (`reserve`): written
    into the buffer held there if it has the same length and type, else copied into a new
    one. For long-lived arrays that are replaced every year or sub-step (the household
    arrays): in the C library's heap each new one would land among the passes' temporaries
    and leave a hole behind."""
    held = owner.__dict__.get(name)
    if (
        isinstance(held, np.ndarray)
        and held.shape == value.shape
        and held.dtype == value.dtype
        and is_reserved(held)
    ):
        np.copyto(held, value)
        return
    buffer = reserve(len(value), value.dtype)
    buffer[:] = value
    object.__setattr__(owner, name, buffer)
