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

    __slots__ = ("_c", "_compactions", "_foreign", "_k", "_levels", "_sorted", "_variance")

    def __init__(self, k: int = DEFAULT_SKETCH_SIZE, c: float = DEFAULT_SHRINKING_FACTOR) -> None:
        if k < 2 or not 0.0 < c <= 1.0:
            raise ValueError(f"invalid KLL parameters k={k}, c={c}")
        self._k = int(k)
        self._c = float(c)
        self._levels: list[FloatArray] = []
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
        return sum(len(level) << h for h, level in enumerate(self._levels))

    @property
    def num_retained(self) -> int:
        """Number of items physically stored."""
        return sum(len(level) for level in self._levels)

    def to_levels(self) -> list[list[float]]:
        """The compactor levels as plain lists, ready for ``sketch.data``."""
        return [level.tolist() for level in self._levels]

    def update(self, values: npt.ArrayLike) -> None:
        """Add a batch of values (NaN and infinities must be filtered out by the caller).

        Args:
            values: Any array-like of floats.
        """
        batch = np.asarray(values, dtype=np.float64).ravel()
        if batch.size == 0:
            return
        if not self._levels:
            self._levels.append(_EMPTY)
        self._levels[0] = np.concatenate((self._levels[0], batch))
        self._sorted = None
        self._compress()

    def merge(self, other: KllSketch) -> None:
        """Fold another sketch into this one (in place); ``other`` is left unchanged.

        Args:
            other: A sketch with the same ``k`` and ``c``.
        """
        if (other.k, other.c) != (self._k, self._c):
            raise ValueError("cannot merge KLL sketches with different parameters")
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
        on the right (``rank(high) - rank_exclusive(low)``).

        Args:
            lower: The column's exact minimum.
            upper: The column's exact maximum.
            count: Number of buckets (SageMaker always writes 10).

        Returns:
            ``count`` buckets, lowest first.
        """
        edges = [lower + (upper - lower) * i / float(count) for i in range(count + 1)]
        exclusive = self.rank_exclusive(np.asarray(edges))
        last = int(self.rank(np.asarray([edges[-1]]))[0])
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
        kind = "quicksort" if height == 0 else "stable"
        ordered = np.sort(level[: len(level) - len(keep)], kind=kind)
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
