"""Mergeable distinct counting: exact up to a cap, then a bottom-k (KMV) estimate.

The counter keeps the ``capacity`` smallest distinct 64-bit hashes it has seen. While fewer than
``capacity`` distinct hashes were seen, the kept set *is* the distinct set and the count is exact
(up to 64-bit hash collisions, probability below ``n**2 / 2**65``). Beyond that it reports the
bottom-k estimate ``(k - 1) / theta``, where ``theta`` is the k-th smallest hash scaled to
``[0, 1)``; its relative standard error is ``1 / sqrt(k - 2)`` (1.56 % for the default
``k = 4096``). Merging keeps the ``k`` smallest hashes of the union, which is exactly the state a
single counter would have reached, so split-and-merge is lossless.

Memory: at most ``8 * capacity`` bytes per counter (32 KiB by default), grown lazily.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_DISTINCT_CAPACITY", "DistinctCounter"]

DEFAULT_DISTINCT_CAPACITY = 4096
"""Number of hashes kept; distinct counts are exact up to this many values."""

_TWO_64 = 2.0**64


class DistinctCounter:
    """Bottom-k distinct-value counter over 64-bit hashes.

    Args:
        capacity: Number of smallest hashes kept (``k``).
    """

    __slots__ = ("_capacity", "_hashes", "_pending", "_pending_size", "_saturated")

    def __init__(self, capacity: int = DEFAULT_DISTINCT_CAPACITY) -> None:
        if capacity < 3:
            raise ValueError("capacity must be at least 3")
        self._capacity = capacity
        self._hashes: npt.NDArray[np.uint64] = np.empty(0, dtype=np.uint64)
        self._pending: list[npt.NDArray[np.uint64]] = []
        self._pending_size = 0
        self._saturated = False

    @property
    def capacity(self) -> int:
        """The ``k`` of the bottom-k sketch."""
        return self._capacity

    @property
    def is_exact(self) -> bool:
        """True while no hash has been dropped (the count is exact)."""
        self._flush()
        return not self._saturated

    def update(self, hashes: npt.NDArray[np.uint64]) -> None:
        """Add a batch of value hashes (duplicates allowed).

        Args:
            hashes: uint64 hashes from `tabular.hashing`.
        """
        if hashes.size == 0:
            return
        if self._saturated:
            hashes = hashes[hashes < self._hashes[-1]]
            if hashes.size == 0:
                return
        # Survivors wait until there are enough of them to be worth a sort.
        self._pending.append(hashes)
        self._pending_size += hashes.size
        if self._pending_size >= self._capacity:
            self._flush()

    def merge(self, other: DistinctCounter) -> None:
        """Fold another counter into this one (in place)."""
        if other.capacity != self._capacity:
            raise ValueError("cannot merge distinct counters of different capacity")
        self._flush()
        other._flush()
        self._saturated = self._saturated or other._saturated
        self._absorb(other._hashes)

    def estimate(self) -> float:
        """Number of distinct values (exact while `is_exact`)."""
        self._flush()
        if not self._saturated:
            return float(len(self._hashes))
        theta = (float(self._hashes[-1]) + 1.0) / _TWO_64
        return (self._capacity - 1) / theta

    def relative_standard_error(self) -> float:
        """Relative standard error of `estimate` (0.0 while exact)."""
        self._flush()
        return 0.0 if not self._saturated else 1.0 / math.sqrt(self._capacity - 2)

    def copy(self) -> DistinctCounter:
        """An independent copy."""
        self._flush()
        twin = DistinctCounter(self._capacity)
        twin._hashes = self._hashes.copy()
        twin._saturated = self._saturated
        return twin

    def _flush(self) -> None:
        if not self._pending:
            return
        pending = self._pending[0] if len(self._pending) == 1 else np.concatenate(self._pending)
        self._pending, self._pending_size = [], 0
        if self._saturated:
            pending = pending[pending < self._hashes[-1]]
        if pending.size > 2 * self._capacity:
            # Only the k smallest distinct hashes can survive (one more tells that there were
            # more). Cut after deduplicating: repeated values make fewer than k distinct ones.
            pending = np.unique(pending)[: self._capacity + 1]
        self._absorb(pending)

    def _absorb(self, hashes: npt.NDArray[np.uint64]) -> None:
        """Keep the ``capacity`` smallest distinct hashes of the kept ones and ``hashes``."""
        if hashes.size == 0:
            return
        merged = np.sort(np.concatenate((self._hashes, hashes)))
        if merged.size > 1:
            merged = merged[np.concatenate(([True], merged[1:] != merged[:-1]))]
        if merged.size > self._capacity:
            merged = merged[: self._capacity]
            self._saturated = True
        self._hashes = merged
