"""Drift distances between a baseline and the current data (Deequ's ``Distance``).

Numeric: the L-infinity distance between the two KLL sketches' CDFs, evaluated at every stored
value of either sketch (``linf_simple``); ``linf_robust`` subtracts the two-sample
Kolmogorov-Smirnov critical term ``c_alpha * sqrt((n + m) / (n * m))`` and floors at 0, with
Deequ's default ``c_alpha = 1.8`` (alpha = 0.003) or ``sqrt(-ln(alpha / 2) / 2)`` for a given
alpha. Categorical ``LInfinity``: the largest absolute difference of per-category frequencies
(not cumulative) over the union of categories, with the same optional robust correction.

Categorical ``ChiSquared`` (Deequ's later ``categoricalChiSquareTest``): baseline counts of the
categories also seen now are rescaled to the current total of those categories, the rarest
categories are merged until Cochran's (2 categories: every expected count >= 10) or Yates' (more:
at most 20 % of expected counts below 5) rule holds, and a goodness-of-fit test runs with
``k - 1`` degrees of freedom (scipy's ``chisquare``). Current categories absent from the baseline
cannot enter the test (expected count 0); their count is reported in ``unseen_count``.

What is compared with the threshold: every result has ``value`` and `DriftResult.exceeds`.
For the L-infinity methods ``value`` is the distance and drift means ``value > threshold``. For
``ChiSquared`` ``value`` is the **p-value** and drift means ``value < threshold``: the threshold
(``categorical_comparison_threshold``, default 0.1) is the significance level, so a violation is
"the current frequencies are unlikely under the baseline's at that level". ``value`` is NaN (and
never a violation) when fewer than two categories remain.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tabular.kll import KllSketch

__all__ = [
    "DEFAULT_C_ALPHA",
    "CategoricalMethod",
    "DriftResult",
    "NumericMethod",
    "categorical_distance",
    "numeric_distance",
    "robust_correction",
]

DEFAULT_C_ALPHA = 1.8
"""Deequ's default ``c(alpha)`` ("corresponding to an alpha value of 0.003")."""

_COCHRAN_MIN = 10.0
_YATES_MIN = 5.0
_YATES_SHARE = 0.2


class NumericMethod(enum.Enum):
    """``comparison_method``: accepts ``Simple|Robust|linf_simple|linf_robust`` (any case)."""

    SIMPLE = "Simple"
    ROBUST = "Robust"

    @classmethod
    def parse(cls, text: str) -> NumericMethod:
        """Read any spelling SageMaker uses."""
        key = text.strip().lower()
        if key in ("simple", "linf_simple"):
            return cls.SIMPLE
        if key in ("robust", "linf_robust"):
            return cls.ROBUST
        raise ValueError(f"unknown comparison_method {text!r}")


class CategoricalMethod(enum.Enum):
    """``categorical_drift_method``: ``LInfinity`` or ``ChiSquared`` (any case)."""

    LINFINITY = "LInfinity"
    CHISQUARED = "ChiSquared"

    @classmethod
    def parse(cls, text: str) -> CategoricalMethod:
        """Read any spelling (``LInfinity``, ``linf``, ``ChiSquared``, ``chi_squared``...)."""
        key = text.strip().lower().replace("_", "").replace("-", "")
        if key in ("linfinity", "linf"):
            return cls.LINFINITY
        if key in ("chisquared", "chisquare"):
            return cls.CHISQUARED
        raise ValueError(f"unknown categorical_drift_method {text!r}")


@dataclass(frozen=True, slots=True)
class DriftResult:
    """One drift comparison, with every number needed to audit it.

    Attributes:
        method: ``Simple``, ``Robust``, ``LInfinity`` or ``ChiSquared``.
        value: The number compared with the threshold (distance, or p-value for ChiSquared).
        n: Baseline sample size (total weight / count).
        m: Current sample size.
        linf_simple: The uncorrected L-infinity distance (None for ChiSquared).
        correction: The subtracted robust term (0.0 when not robust; None for ChiSquared).
        statistic: The chi-square statistic (ChiSquared only).
        p_value: The chi-square p-value (ChiSquared only).
        degrees_of_freedom: Categories after regrouping minus one (ChiSquared only).
        categories_merged: How many rare categories were folded into others (ChiSquared only).
        unseen_count: Current values in categories the baseline lacks (categorical only).
    """

    method: str
    value: float
    n: float
    m: float
    linf_simple: float | None = None
    correction: float | None = None
    statistic: float | None = None
    p_value: float | None = None
    degrees_of_freedom: int | None = None
    categories_merged: int | None = None
    unseen_count: float | None = None

    def exceeds(self, threshold: float) -> bool:
        """Whether this result is a violation of ``threshold`` (see module docstring)."""
        if math.isnan(self.value):
            return False
        if self.method == CategoricalMethod.CHISQUARED.value:
            return self.value < threshold
        return self.value > threshold


def robust_correction(n: float, m: float, alpha: float | None = None) -> float:
    """``c_alpha * sqrt((n + m) / (n * m))`` of the two-sample Kolmogorov-Smirnov test."""
    c_alpha = DEFAULT_C_ALPHA if alpha is None else math.sqrt(-math.log(alpha / 2.0) / 2.0)
    return c_alpha * math.sqrt((n + m) / (n * m))


def numeric_distance(
    baseline: KllSketch,
    current: KllSketch,
    method: NumericMethod | str = NumericMethod.ROBUST,
    *,
    alpha: float | None = None,
) -> DriftResult:
    """L-infinity distance between the CDFs of two KLL sketches.

    Args:
        baseline: The baseline's sketch (e.g. `KllSketch.from_levels` of statistics.json).
        current: The current run's sketch.
        method: ``Simple`` / ``Robust`` (or the ``linf_*`` spellings).
        alpha: Significance level for the robust term; None uses ``c_alpha = 1.8``.

    Returns:
        The result; ``value`` is NaN when either sketch is empty.
    """
    chosen = NumericMethod.parse(method) if isinstance(method, str) else method
    n, m = float(baseline.count), float(current.count)
    if n == 0 or m == 0:
        return DriftResult(chosen.value, math.nan, n, m, math.nan, 0.0)
    items_a, _ = baseline.sorted_items()
    items_b, _ = current.sorted_items()
    keys = np.union1d(items_a, items_b)
    diff = np.abs(baseline.rank(keys) / n - current.rank(keys) / m)
    return _linf_result(chosen, float(diff.max()), n, m, alpha)


def categorical_distance(
    baseline: Mapping[str, float],
    current: Mapping[str, float],
    method: CategoricalMethod | str = CategoricalMethod.LINFINITY,
    *,
    robust: bool = False,
    alpha: float | None = None,
) -> DriftResult:
    """Distance between two categorical distributions given as category → count.

    Args:
        baseline: Baseline counts (e.g. the baseline's categorical buckets).
        current: Current counts.
        method: ``LInfinity`` or ``ChiSquared``.
        robust: Apply the Kolmogorov-Smirnov correction to ``LInfinity`` (Deequ's flag).
        alpha: Significance level for the robust term; None uses ``c_alpha = 1.8``.

    Returns:
        The result (see `DriftResult`).
    """
    chosen = CategoricalMethod.parse(method) if isinstance(method, str) else method
    unseen = float(sum(v for k, v in current.items() if k not in baseline))
    if chosen is CategoricalMethod.CHISQUARED:
        return _chi_squared(baseline, current, unseen)
    n, m = float(sum(baseline.values())), float(sum(current.values()))
    if n == 0 or m == 0:
        return DriftResult(chosen.value, math.nan, n, m, math.nan, 0.0, unseen_count=unseen)
    keys = set(baseline) | set(current)
    linf = max(abs(baseline.get(k, 0.0) / n - current.get(k, 0.0) / m) for k in keys)
    numeric = NumericMethod.ROBUST if robust else NumericMethod.SIMPLE
    result = _linf_result(numeric, linf, n, m, alpha)
    return DriftResult(
        chosen.value,
        result.value,
        n,
        m,
        linf,
        result.correction,
        unseen_count=unseen,
    )


def _linf_result(
    method: NumericMethod, linf: float, n: float, m: float, alpha: float | None
) -> DriftResult:
    if method is NumericMethod.SIMPLE:
        return DriftResult(method.value, linf, n, m, linf, 0.0)
    correction = robust_correction(n, m, alpha)
    return DriftResult(method.value, max(0.0, linf - correction), n, m, linf, correction)


def _chi_squared(
    baseline: Mapping[str, float], current: Mapping[str, float], unseen: float
) -> DriftResult:
    name = CategoricalMethod.CHISQUARED.value
    shared = [k for k in baseline if baseline[k] > 0]
    observed_total = float(sum(current.get(k, 0.0) for k in shared))
    expected_total = float(sum(baseline[k] for k in shared))
    n, m = float(sum(baseline.values())), float(sum(current.values()))
    if observed_total == 0 or expected_total == 0:
        return DriftResult(name, math.nan, n, m, unseen_count=unseen)
    expected = {k: baseline[k] / expected_total * observed_total for k in shared}
    observed = {k: float(current.get(k, 0.0)) for k in shared}
    merged = _regroup(observed, expected)
    if len(expected) < 2:
        return DriftResult(name, math.nan, n, m, categories_merged=merged, unseen_count=unseen)
    from scipy import stats  # noqa: PLC0415 - scipy is heavy and only this test needs it

    keys = sorted(expected)
    result = stats.chisquare([observed[k] for k in keys], [expected[k] for k in keys])
    return DriftResult(
        name,
        float(result.pvalue),
        n,
        m,
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        degrees_of_freedom=len(keys) - 1,
        categories_merged=merged,
        unseen_count=unseen,
    )


def _regroup(observed: dict[str, float], expected: dict[str, float]) -> int:
    """Fold the rarest expected category into the next rarest until the test is valid."""
    merged = 0
    while len(expected) >= 2 and not _valid_for_chi_squared(expected):
        smallest, second = sorted(expected, key=lambda k: (expected[k], k))[:2]
        expected[second] += expected.pop(smallest)
        observed[second] += observed.pop(smallest)
        merged += 1
    return merged


def _valid_for_chi_squared(expected: dict[str, float]) -> bool:
    values = list(expected.values())
    if len(values) == 2:
        return min(values) >= _COCHRAN_MIN
    allowed = int(_YATES_SHARE * len(values))
    return sum(1 for v in values if v < _YATES_MIN) <= allowed
