"""Streaming, mergeable count / sum / mean / population variance / min / max of floats.

Each batch is reduced with numpy (pairwise summation, two-pass variance) and folded in with
Chan et al.'s parallel update, so splitting the data and merging gives the same numbers up to
rounding. The running sum is Neumaier-compensated. Non-finite values (``inf`` from overflowing
literals such as ``1e400``, or typed infinities) are counted in ``non_finite`` and kept out of
every moment, so one of them cannot turn the mean into ``inf`` or the deviation into NaN.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["Moments"]


class Moments:
    """Accumulator for the numeric statistics SageMaker writes (besides the sketch)."""

    __slots__ = ("_compensation", "_m2", "_max", "_mean", "_min", "_sum", "count", "non_finite")

    def __init__(self) -> None:
        self.count = 0
        self.non_finite = 0
        self._sum = 0.0
        self._compensation = 0.0
        self._mean = 0.0
        self._m2 = 0.0
        self._min = math.inf
        self._max = -math.inf

    @property
    def sum(self) -> float:
        """Sum of the finite values."""
        return self._sum + self._compensation

    @property
    def mean(self) -> float:
        """``sum / count`` as Deequ's ``Mean`` (NaN when empty)."""
        return self.sum / self.count if self.count else math.nan

    @property
    def variance(self) -> float:
        """Population variance (NaN when empty)."""
        return self._m2 / self.count if self.count else math.nan

    @property
    def std_dev(self) -> float:
        """Population standard deviation, as Deequ's ``StandardDeviation`` (``stddev_pop``)."""
        return math.sqrt(self.variance) if self.count else math.nan

    @property
    def min(self) -> float:
        """Smallest finite value (NaN when empty)."""
        return self._min if self.count else math.nan

    @property
    def max(self) -> float:
        """Largest finite value (NaN when empty)."""
        return self._max if self.count else math.nan

    def update(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Add a batch of numbers.

        Args:
            values: Float values; non-finite ones are only counted.

        Returns:
            The finite values (for the caller's sketch).
        """
        finite_mask = np.isfinite(values)
        finite = values if finite_mask.all() else values[finite_mask]
        self.non_finite += int(values.size - finite.size)
        if finite.size:
            total = float(finite.sum())
            mean = total / finite.size
            deviation = finite - mean
            # Not np.dot: BLAS threads fight Arrow's thread pool for the cores.
            m2 = float(np.multiply(deviation, deviation, out=deviation).sum())
            self._fold(finite.size, total, mean, m2, (float(finite.min()), float(finite.max())))
        return finite

    def merge(self, other: Moments) -> None:
        """Fold another accumulator into this one (in place)."""
        self.non_finite += other.non_finite
        if other.count:
            self._fold(other.count, other.sum, other._mean, other._m2, (other._min, other._max))

    def _fold(
        self, n: int, total: float, mean: float, m2: float, bounds: tuple[float, float]
    ) -> None:
        low, high = bounds
        combined = self.count + n
        delta = mean - self._mean
        self._mean += delta * n / combined
        self._m2 += m2 + delta * delta * self.count * n / combined
        self.count = combined
        self._add_to_sum(total)
        self._min = min(self._min, low)
        self._max = max(self._max, high)

    def _add_to_sum(self, value: float) -> None:
        running = self._sum + value
        if abs(self._sum) >= abs(value):
            self._compensation += (self._sum - running) + value
        else:
            self._compensation += (value - running) + self._sum
        self._sum = running
