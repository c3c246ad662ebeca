"""KLL quantile sketch in the representation SageMaker's analyzer writes (Deequ's KLL).

A sketch is a list of compactor levels; an item stored in level ``h`` stands for ``2**h`` input
values. That is exactly what ``statistics.json`` stores under ``distribution.kll.sketch.data``
(with ``parameters.c`` = 0.64 and ``parameters.k`` = 2048), so a sketch read from a baseline file
and a sketch built here can be queried, compared and merged alike.

Compaction policy (ours, not Deequ's): level ``h`` of a sketch with top level ``H`` holds at most
``max(8, ceil(k * c**(H - h)))`` items (the standard KLL schedule: the heaviest levels get the
largest buffers). Deequ uses the inverse schedule (level 0 largest); the stored representation is
identical either way. A compaction sorts a level, leaves one item behind when the length is odd,
and promotes every other item starting at a pseudo-random but reproducible offset. Total weight
is preserved exactly, so ``count`` always equals the number of values added.

Updates wait in a buffer of `_BUFFER` values and enter level 0 together, so the cascade of
compactions runs once per buffer rather than once per batch; levels above 0 are made of sorted
runs, which a stable sort merges in linear time. `KllSketch.update_counts` adds repeated values
losslessly (a count's binary digits say at which levels the value goes), without compacting.

Error bound: a compaction at level ``h`` moves any rank by ``-2**h``, ``0`` or ``+2**h`` with zero
mean, so by the Azuma-Hoeffding inequality and a union bound over the at most ``n + 1`` distinct
queries, with probability ``1 - delta`` every rank is within
``sqrt(2 * ln(2 * (n + 1) / delta) * sum_compactions(4**h))`` of the truth. `KllSketch.epsilon`
returns that bound divided by ``n`` (a normalised rank error, ``delta`` = 1 %). Sketches read with
`KllSketch.from_levels` have no recorded history; their bound assumes every compaction at level
``h`` consumed at least four items (Deequ's smallest buffer), which is valid but loose.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tabular.tally import merge_tallies

__all__ = [
    "DEFAULT_SHRINKING_FACTOR",
    "DEFAULT_SKETCH_SIZE",
    "KllBucket",
    "KllSketch",
]

DEFAULT_SKETCH_SIZE = 2048
"""Deequ's ``KLLSketch.DEFAULT_SKETCH_SIZE``, written as ``parameters.k``."""

DEFAULT_SHRINKING_FACTOR = 0.64
"""Deequ's ``KLLSketch.DEFAULT_SHRINKING_FACTOR``, written as ``parameters.c``."""

_MIN_CAPACITY = 8
_FOREIGN_MIN_COMPACTION = 4
_DEFAULT_CONFIDENCE = 0.99
_EMPTY = np.empty(0, dtype=np.float64)
# Values buffered before they enter level 0 (a quarter of a MiB per sketch at most).
_BUFFER = 1 << 15
# Distinct counted values summed before they are placed in the levels.
_TALLY_LIMIT = 1 << 13
_NO_COUNTS = np.empty(0, dtype=np.int64)

FloatArray = npt.NDArray[np.float64]


@functools.cache
def _capacities(k: int, c: float, top: int) -> tuple[int, ...]:
    """Capacity of each level of a sketch whose top level is ``top``, then their total."""
    caps = [max(_MIN_CAPACITY, math.ceil(k * c ** (top - h))) for h in range(top + 1)]
    return (*caps, sum(caps))


@dataclass(frozen=True, slots=True)
class KllBucket:
    """One materialised histogram bucket, as in ``distribution.kll.buckets``.

    Attributes:
        lower_bound: Inclusive lower edge.
        upper_bound: Exclusive upper edge (inclusive for the last bucket).
        count: Estimated number of values in the bucket (a whole number, written as a float).
    """

    lower_bound: float
    upper_bound: float
    count: float


class KllSketch:
    """A mergeable KLL quantile sketch over float values.

    Args:
        k: Sketch size (``parameters.k``); the top level holds up to ``k`` items.
        c: Shrinking factor (``parameters.c``) between the capacities of adjacent levels.
    """

    __slots__ = (
        "_c",
        "_compactions",
        "_foreign",
        "_k",
        "_levels",
        "_pending",
        "_pending_size",
        "_sorted",
        "_tally",
        "_variance",
    )

    def __init__(self, k: int = DEFAULT_SKETCH_SIZE, c: float = DEFAULT_SHRINKING_FACTOR) -> None:
        if k < 2 or not 0.0 < c <= 1.0:
            raise ValueError(f"invalid KLL parameters k={k}, c={c}")
        self._k = int(k)
        self._c = float(c)
        self._levels: list[FloatArray] = []
        self._pending: list[FloatArray] = []
        self._pending_size = 0
        self._tally: tuple[FloatArray, npt.NDArray[np.int64]] = (_EMPTY, _NO_COUNTS)
        self._compactions = 0
        self._variance = 0.0
        self._foreign = False
        self._sorted: tuple[FloatArray, npt.NDArray[np.int64]] | None = None

    @classmethod
    def from_levels(
        cls,
        levels: Sequence[Sequence[float]],
        c: float = DEFAULT_SHRINKING_FACTOR,
        k: float = DEFAULT_SKETCH_SIZE,
    ) -> KllSketch:
        """Rebuild a sketch from ``sketch.data`` (level ``i`` items weigh ``2**i``).

        Args:
            levels: The compactor levels, lowest (weight 1) first.
            c: ``sketch.parameters.c``.
            k: ``sketch.parameters.k`` (SageMaker writes it as a float).

        Returns:
            A sketch that answers the same rank queries as the one that was written.
        """
        sketch = cls(int(k), c)
        sketch._levels = [np.asarray(level, dtype=np.float64).copy() for level in levels]
        sketch._foreign = any(len(level) for level in sketch._levels[1:])
        return sketch

    @property
    def k(self) -> int:
        """The sketch size parameter."""
        return self._k

    @property
    def c(self) -> float:
        """The shrinking factor parameter."""
        return self._c

    @property
    def count(self) -> int:
        """Total weight: the number of values the sketch summarises."""
        self._settle()
        return sum(len(level) << h for h, level in enumerate(self._levels))

    @property
    def num_retained(self) -> int:
        """Number of items physically stored."""
        self._settle()
        return sum(len(level) for level in self._levels)

    def to_levels(self) -> list[list[float]]:
        """The compactor levels as plain lists, ready for ``sketch.data``."""
        self._settle()
        return [level.tolist() for level in self._levels]

    def update(self, values: npt.ArrayLike) -> None:
        """Add a batch of values (NaN and infinities must be filtered out by the caller).

        Small batches wait in a buffer until about `_BUFFER` values have arrived and then enter
        level 0 together: one compaction pass per buffer instead of one per batch.

        Args:
            values: Any array-like of floats.
        """
        batch = np.asarray(values, dtype=np.float64).ravel()
        if batch.size == 0:
            return
        self._pending.append(batch)
        self._pending_size += batch.size
        self._sorted = None
        if self._pending_size >= _BUFFER:
            self._settle()

    def _settle(self) -> None:
        """Move buffered values into level 0, tallied ones to their levels, and compact."""
        if not self._pending and not self._tally[0].size:
            return
        if self._pending:
            if not self._levels:
                self._levels.append(_EMPTY)
            self._levels[0] = np.concatenate((self._levels[0], *self._pending))
            self._pending, self._pending_size = [], 0
        if self._tally[0].size:
            self._place_tally()
        self._compress()

    def update_counts(self, values: npt.ArrayLike, counts: npt.ArrayLike) -> None:
        """Add each value ``count`` times, losslessly: once at level ``h`` per set bit ``h``.

        An item at level ``h`` weighs ``2**h``, so the binary digits of a count place exactly
        that weight; nothing is compacted for them. Counts are summed across calls (up to
        `_TALLY_LIMIT` distinct values) and placed when the sketch is next read: the fewer,
        the higher the levels they land in.

        Args:
            values: Distinct finite values, ascending.
            counts: How often each occurred (positive integers).
        """
        items = np.asarray(values, dtype=np.float64).ravel()
        weights = np.asarray(counts, dtype=np.int64).ravel()
        if items.size == 0:
            return
        self._tally = merge_tallies(*self._tally, items, weights)
        self._sorted = None
        if self._tally[0].size > _TALLY_LIMIT:
            self._settle()

    def _place_tally(self) -> None:
        items, weights = self._tally
        self._tally = (_EMPTY, _NO_COUNTS)
        for height in range(int(weights.max()).bit_length()):
            chosen = items[(weights >> height) & 1 == 1]
            if chosen.size:
                while len(self._levels) <= height:
                    self._levels.append(_EMPTY)
                self._levels[height] = np.concatenate((self._levels[height], chosen))

    def merge(self, other: KllSketch) -> None:
        """Fold another sketch into this one (in place); ``other`` is left unchanged.

        Args:
            other: A sketch with the same ``k`` and ``c``.
        """
        if (other.k, other.c) != (self._k, self._c):
            raise ValueError("cannot merge KLL sketches with different parameters")
        self._settle()
        other._settle()
        while len(self._levels) < len(other._levels):
            self._levels.append(_EMPTY)
        for h, level in enumerate(other._levels):
            if len(level):
                self._levels[h] = np.concatenate((self._levels[h], level))
        self._compactions += other._compactions
        self._variance += other._variance
        self._foreign = self._foreign or other._foreign
        self._sorted = None
        self._compress()

    def copy(self) -> KllSketch:
        """An independent copy."""
        self._settle()
        twin = KllSketch(self._k, self._c)
        twin._levels = [level.copy() for level in self._levels]
        twin._compactions = self._compactions
        twin._variance = self._variance
        twin._foreign = self._foreign
        return twin

    def rank(self, value: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Inclusive rank: estimated number of values ``<= value`` (vectorised)."""
        items, cumulative = self._sorted_view()
        return cumulative[np.searchsorted(items, np.asarray(value, np.float64), side="right")]

    def rank_exclusive(self, value: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Exclusive rank: estimated number of values ``< value`` (vectorised)."""
        items, cumulative = self._sorted_view()
        return cumulative[np.searchsorted(items, np.asarray(value, np.float64), side="left")]

    def cdf(self, value: npt.ArrayLike) -> FloatArray:
        """Estimated fraction of values ``<= value`` (vectorised); NaN for an empty sketch."""
        total = self.count
        ranks = self.rank(value).astype(np.float64)
        return ranks / total if total else np.full_like(ranks, np.nan)

    def quantile(self, q: npt.ArrayLike) -> FloatArray:
        """Smallest stored item whose inclusive rank reaches ``q * count`` (vectorised)."""
        items, cumulative = self._sorted_view()
        if not len(items):
            raise ValueError("quantile of an empty sketch")
        targets = np.asarray(q, dtype=np.float64) * cumulative[-1]
        index = np.searchsorted(cumulative[1:], targets, side="left")
        result: FloatArray = items[np.minimum(index, len(items) - 1)]
        return result

    def sorted_items(self) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        """Distinct stored values in ascending order and their inclusive ranks."""
        items, cumulative = self._sorted_view()
        if not len(items):
            return items, cumulative[1:]
        last = np.append(items[1:] != items[:-1], True)
        return items[last], cumulative[1:][last]

    def buckets(self, lower: float, upper: float, count: int = 10) -> list[KllBucket]:
        """Materialise equal-width buckets exactly as Deequ's ``KLLSketch`` analyzer does.

        Bucket ``i`` spans ``[lower + (upper - lower) * i / count, ...)``; its count is
        ``rank_exclusive(high) - rank_exclusive(low)``, except the last bucket, which is closed
        on the right at ``upper`` (``rank(upper) - rank_exclusive(low)``: Deequ uses the computed
        last edge, which can round below the maximum and leave it out of every bucket).

        Args:
            lower: The column's exact minimum.
            upper: The column's exact maximum.
            count: Number of buckets (SageMaker always writes 10).

        Returns:
            ``count`` buckets, lowest first.
        """
        edges = [lower + (upper - lower) * i / float(count) for i in range(count + 1)]
        exclusive = self.rank_exclusive(np.asarray(edges))
        # The last edge can round below `upper`; the maximum still belongs in the last bucket.
        last = int(self.rank(np.asarray([max(edges[-1], upper)]))[0])
        result = []
        for i in range(count):
            high_rank = last if i == count - 1 else int(exclusive[i + 1])
            result.append(KllBucket(edges[i], edges[i + 1], float(high_rank - int(exclusive[i]))))
        return result

    def epsilon(self, confidence: float = _DEFAULT_CONFIDENCE) -> float:
        """Normalised rank error bound holding for all queries at once (see module docstring).

        Args:
            confidence: Probability with which the bound holds.

        Returns:
            0.0 for a sketch that never compacted (it is exact), otherwise the bound / ``count``.
        """
        n = self.count
        variance = self._history_variance(n)
        if n == 0 or variance == 0.0:
            return 0.0
        log_term = math.log(2.0 * (n + 1) / (1.0 - confidence))
        return min(1.0, math.sqrt(2.0 * log_term * variance) / n)

    def _history_variance(self, n: int) -> float:
        if not self._foreign:
            return self._variance
        top = len(self._levels) - 1
        # Compactions at level h consumed >= 4 items each, out of at most n / 2**h items.
        foreign = sum(4.0**h * n / (2.0**h * _FOREIGN_MIN_COMPACTION) for h in range(top))
        return self._variance + foreign

    def _compress(self) -> None:
        while True:
            caps = _capacities(self._k, self._c, len(self._levels) - 1)
            sizes = [len(level) for level in self._levels]
            if sum(sizes) <= caps[-1]:
                return
            height = next(h for h, size in enumerate(sizes) if size > caps[h])
            self._compact(height)

    def _compact(self, height: int) -> None:
        level = self._levels[height]
        keep = level[len(level) - len(level) % 2 :]
        # Above level 0 a level is a few sorted runs (the promotions from below): a stable
        # sort (timsort) merges them in linear time; level 0 is unordered input.
        head = level[: len(level) - len(keep)]
        ordered = np.sort(head) if height == 0 else np.sort(head, kind="stable")
        promoted = ordered[self._coin() :: 2]
        self._levels[height] = keep.copy()
        if height + 1 == len(self._levels):
            self._levels.append(_EMPTY)
        self._levels[height + 1] = np.concatenate((self._levels[height + 1], promoted))
        self._compactions += 1
        self._variance += 4.0**height

    def _coin(self) -> int:
        # splitmix64 of the compaction counter: reproducible, yet unbiased across compactions.
        z = (self._compactions + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return (z ^ (z >> 31)) & 1

    def _sorted_view(self) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        self._settle()
        if self._sorted is None:
            items = np.concatenate([_EMPTY, *self._levels])
            weights = np.concatenate(
                [np.empty(0, np.int64)]
                + [np.full(len(level), 1 << h, np.int64) for h, level in enumerate(self._levels)]
            )
            order = np.argsort(items, kind="stable")
            cumulative = np.concatenate(([0], np.cumsum(weights[order])))
            self._sorted = (items[order], cumulative.astype(np.int64))
        return self._sorted
