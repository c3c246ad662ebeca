"""Memory settings of the process for the length of a profiling run.

Two allocators serve a run: glibc's malloc (numpy, Python) and Arrow's memory pool.

* glibc: profiling allocates and frees the same few large numpy buffers for every block, and
  glibc hands memory above its (adaptive) thresholds back to the kernel on free, so every block
  pays again for page faults and zeroing (measured: about a fifth of the CPU time of a capture
  run). During the run the thresholds are raised so that freed memory is reused. At the end the
  free memory is returned with ``malloc_trim``, and the thresholds are left where glibc's own
  adaptation takes them after a large allocation is freed (mmap 32 MiB, trim 64 MiB): once set,
  glibc stops adapting them, and its fixed 128 KiB defaults would make every later allocation
  above that size a fresh mapping (measured: numpy ten times slower on arrays of a few hundred
  KiB). On other C libraries this part does nothing.
* Arrow: its default pool (mimalloc) keeps about twice the bytes in use resident; jemalloc,
  when pyarrow has it, keeps a profiling process about 15 MiB smaller at the same speed. The
  previous default pool is restored at the end (buffers remember the pool they came from).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa

__all__ = ["profiling_allocator"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_RETAINED = 256 << 20
_MMAP_FLOOR = 32 << 20  # glibc's largest mmap threshold (DEFAULT_MMAP_THRESHOLD_MAX)
_TRIM_AFTER = 2 * _MMAP_FLOOR  # what glibc's adaptation sets along with it


@contextmanager
def profiling_allocator(*, release: bool = True) -> Iterator[None]:
    """Reuse freed memory and use the leanest Arrow pool, within the block.

    Args:
        release: At the end, return free memory, lower the trim threshold and restore the
            Arrow pool (a process that exits right after can skip it).
    """
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_FLOOR)
        libc.mallopt(_M_TRIM_THRESHOLD, _RETAINED)
    previous = pa.default_memory_pool()
    lean = _lean_pool()
    if lean is not None:
        pa.set_memory_pool(lean)
    try:
        yield
    finally:
        if release:
            pa.set_memory_pool(previous)
            if libc is not None:
                libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_AFTER)
                libc.malloc_trim(0)


def _lean_pool() -> pa.MemoryPool | None:
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return None


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        libc.gnu_get_libc_version()
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None
    return libc
