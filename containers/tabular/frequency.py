"""Mergeable value frequencies: exact while few, a Misra-Gries summary beyond a cap.

While at most ``capacity`` distinct values have been seen, every count is exact. Past that the
summary keeps ``capacity`` counters and, whenever more would be needed, subtracts the
``(capacity + 1)``-th largest count from all of them and drops those that reach zero (the
mergeable Misra-Gries summary of Agarwal et al., "Mergeable summaries", PODS 2012). The total
subtracted, `FrequencySummary.error`, bounds the error of every reported count: a value's true
count lies in ``[reported, reported + error]`` (a value not reported occurred at most ``error``
times), and ``error <= total / (capacity + 1)``.

Batches are fed as (distinct values, counts) pairs, which is what a dictionary encoding of an
Arrow column gives, and folded with Arrow's hash aggregation, never a per-value Python loop.
Integers written canonically (`update_integers`) are tallied by value, without text, and turned
into text only when something reads the summary: the result is the same as adding their text
batch by batch, at a fraction of the cost for a low-cardinality numeric column.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tabular.tally import merge_tallies

__all__ = ["DEFAULT_FREQUENCY_CAPACITY", "FrequencySummary"]

DEFAULT_FREQUENCY_CAPACITY = 1024
"""Counters kept; counts are exact while a column has at most this many distinct values."""

_SMALL = 4096


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


class FrequencySummary:
    """Counts per distinct string value, bounded in size.

    Args:
        capacity: Maximum number of counters kept.
    """

    __slots__ = (
        "_capacity",
        "_counts",
        "_error",
        "_exact",
        "_integer_counts",
        "_integers",
        "_keys",
        "_total",
    )

    def __init__(self, capacity: int = DEFAULT_FREQUENCY_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self._capacity = capacity
        self._keys: pa.Array = pa.array([], pa.string())
        self._counts: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self._error = 0
        self._total = 0
        self._exact = True
        self._integers: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self._integer_counts: npt.NDArray[np.int64] = np.empty(0, np.int64)

    @property
    def capacity(self) -> int:
        """Maximum number of counters."""
        return self._capacity

    @property
    def is_exact(self) -> bool:
        """True while no counter was ever decremented."""
        return self._exact

    @property
    def total(self) -> int:
        """Sum of all counts fed in."""
        return self._total

    @property
    def error(self) -> int:
        """Upper bound on how much any reported count underestimates the truth."""
        return self._error

    @property
    def size(self) -> int:
        """Number of values currently held."""
        self._settle()
        return len(self._counts)

    def update(self, values: pa.Array, counts: npt.ArrayLike, *, error: int = 0) -> None:
        """Add distinct values with their counts.

        Args:
            values: Distinct strings of one batch (no nulls).
            counts: How often each occurred.
            error: Extra uncertainty of these counts (for approximate inputs), added to `error`.
        """
        self._settle()
        weights = np.asarray(counts, dtype=np.int64)
        if len(values) == 0:
            return
        self._total += int(weights.sum())
        self._error += int(error)
        self._exact = self._exact and error == 0
        self._fold(values, weights)

    def update_integers(self, values: npt.NDArray[np.int64], counts: npt.ArrayLike) -> None:
        """Add distinct integers with their counts; the text of each is ``str(value)``.

        Args:
            values: Distinct integers of one batch.
            counts: How often each occurred.
        """
        weights = np.asarray(counts, dtype=np.int64)
        if values.size == 0:
            return
        self._total += int(weights.sum())
        self._integers, self._integer_counts = merge_tallies(
            self._integers, self._integer_counts, values, weights
        )
        if len(self._keys) + self._integers.size > self._capacity:
            self._settle()  # the union may exceed the cap: decide exactly, as `update` would

    def _settle(self) -> None:
        """Fold the tallied integers into the text counts."""
        if self._integers.size == 0:
            return
        text = pa.array(self._integers).cast(pa.string())
        counts = self._integer_counts
        self._integers, self._integer_counts = np.empty(0, np.int64), np.empty(0, np.int64)
        self._fold(text, counts)

    def _fold(self, values: pa.Array, weights: npt.NDArray[np.int64]) -> None:
        if len(self._keys) + len(values) <= _SMALL:
            self._fold_small(values, weights)
        else:
            self._fold_large(values, weights)
        self._prune()

    def _fold_small(self, values: pa.Array, weights: npt.NDArray[np.int64]) -> None:
        # A dict beats an Arrow hash aggregation (and its fixed cost) for a few thousand keys.
        merged = dict(zip(self._keys.to_pylist(), self._counts.tolist(), strict=True))
        for key, count in zip(values.cast(pa.string()).to_pylist(), weights.tolist(), strict=True):
            merged[key] = merged.get(key, 0) + count
        self._keys = pa.array(list(merged), pa.string())
        self._counts = np.fromiter(merged.values(), dtype=np.int64, count=len(merged))

    def _fold_large(self, values: pa.Array, weights: npt.NDArray[np.int64]) -> None:
        keys = pa.concat_arrays([self._keys, values.cast(pa.string())])
        table = pa.table({"v": keys, "c": np.concatenate((self._counts, weights))})
        grouped = table.group_by("v").aggregate([("c", "sum")])
        self._keys = grouped.column("v").combine_chunks()
        self._counts = np.asarray(grouped.column("c_sum").to_numpy(), dtype=np.int64)

    def merge(self, other: FrequencySummary) -> None:
        """Fold another summary into this one (in place)."""
        other._settle()
        self._error += other._error
        self._exact = self._exact and other._exact
        total = self._total + other._total
        self.update(other._keys, other._counts)
        self._total = total

    def items(self) -> list[tuple[str, int]]:
        """Held values with their (lower-bound) counts, most frequent first, ties by value."""
        self._settle()
        pairs = zip(self._keys.to_pylist(), self._counts.tolist(), strict=True)
        return sorted(((str(key), int(count)) for key, count in pairs), key=_by_count)

    def copy(self) -> FrequencySummary:
        """An independent copy."""
        self._settle()
        twin = FrequencySummary(self._capacity)
        twin._keys, twin._counts = self._keys, self._counts.copy()
        twin._error, twin._total, twin._exact = self._error, self._total, self._exact
        return twin

    def _prune(self) -> None:
        if len(self._counts) <= self._capacity:
            return
        cut = int(np.partition(self._counts, -(self._capacity + 1))[-(self._capacity + 1)])
        self._counts = self._counts - cut
        keep = np.flatnonzero(self._counts > 0)
        self._keys = self._keys.take(pa.array(keep))
        self._counts = self._counts[keep]
        self._error += cut
        self._exact = False
