"""Drift distances: L-infinity (simple / robust) on sketches and categories, chi-squared."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tabular import (
    CategoricalMethod,
    KllSketch,
    NumericMethod,
    categorical_distance,
    numeric_distance,
    robust_correction,
)


def _sketch(values: np.ndarray) -> KllSketch:
    sketch = KllSketch()
    sketch.update(values)
    return sketch


def test_simple_and_robust_on_shifted_exact_sketches() -> None:
    baseline = _sketch(np.arange(1.0, 101.0))
    current = _sketch(np.arange(51.0, 151.0))

    simple = numeric_distance(baseline, current, "Simple")
    robust = numeric_distance(baseline, current, "Robust")

    assert simple.value == pytest.approx(0.5)
    term = 1.8 * math.sqrt(200 / 10_000)
    assert robust.correction == pytest.approx(term)
    assert robust.value == pytest.approx(0.5 - term)
    assert (robust.n, robust.m, robust.linf_simple) == (100.0, 100.0, simple.value)


def test_robust_floors_at_zero_for_small_samples() -> None:
    baseline = _sketch(np.arange(10.0))
    current = _sketch(np.arange(1.0, 11.0))

    result = numeric_distance(baseline, current, NumericMethod.ROBUST)

    assert result.linf_simple == pytest.approx(0.1)
    assert result.value == 0.0
    assert not result.exceeds(0.1)


def test_identical_distributions_are_at_distance_zero() -> None:
    values = np.random.default_rng(3).normal(size=50_000)

    result = numeric_distance(_sketch(values), _sketch(values.copy()), "linf_simple")

    assert result.value == 0.0


def test_large_shift_is_flagged() -> None:
    rng = np.random.default_rng(5)
    result = numeric_distance(_sketch(rng.normal(size=20_000)), _sketch(rng.normal(1, size=20_000)))

    assert result.value > 0.3
    assert result.exceeds(0.1)


def test_alpha_gives_the_kolmogorov_smirnov_constant() -> None:
    assert robust_correction(100, 100, alpha=0.05) == pytest.approx(
        math.sqrt(-math.log(0.025) / 2) * math.sqrt(0.02)
    )


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("Simple", NumericMethod.SIMPLE),
        ("linf_simple", NumericMethod.SIMPLE),
        ("ROBUST", NumericMethod.ROBUST),
        ("linf_robust", NumericMethod.ROBUST),
    ],
)
def test_numeric_method_spellings(spelling: str, expected: NumericMethod) -> None:
    assert NumericMethod.parse(spelling) is expected


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("LInfinity", CategoricalMethod.LINFINITY),
        ("linfinity", CategoricalMethod.LINFINITY),
        ("ChiSquared", CategoricalMethod.CHISQUARED),
        ("chisquared", CategoricalMethod.CHISQUARED),
    ],
)
def test_categorical_method_spellings(spelling: str, expected: CategoricalMethod) -> None:
    assert CategoricalMethod.parse(spelling) is expected


def test_unknown_method_is_rejected() -> None:
    with pytest.raises(ValueError, match="comparison_method"):
        NumericMethod.parse("median")


def test_categorical_linf_is_the_largest_frequency_gap() -> None:
    baseline = {"a": 50, "b": 30, "c": 20}
    current = {"a": 20, "b": 30, "d": 50}

    result = categorical_distance(baseline, current, "LInfinity")

    assert result.value == pytest.approx(0.5)  # category d: 0.0 vs 0.5
    assert result.unseen_count == 50
    assert result.correction == 0.0


def test_categorical_linf_robust_subtracts_the_ks_term() -> None:
    result = categorical_distance({"a": 60, "b": 40}, {"a": 40, "b": 60}, robust=True)

    assert result.linf_simple == pytest.approx(0.2)
    assert result.value == pytest.approx(max(0.0, 0.2 - 1.8 * math.sqrt(200 / 10_000)))


def test_chi_squared_matches_scipy_and_reports_a_p_value() -> None:
    baseline = {"a": 500, "b": 300, "c": 200}
    current = {"a": 90, "b": 60, "c": 50}

    result = categorical_distance(baseline, current, "ChiSquared")

    expected = stats.chisquare([90, 60, 50], [100, 60, 40])
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.value == result.p_value
    assert result.degrees_of_freedom == 2
    assert result.categories_merged == 0
    assert result.exceeds(0.1) == bool(expected.pvalue < 0.1)


def test_chi_squared_flags_a_clear_change_by_a_small_p_value() -> None:
    result = categorical_distance({"a": 500, "b": 500}, {"a": 900, "b": 100}, "ChiSquared")

    assert result.value < 1e-6
    assert result.exceeds(0.05)


def test_chi_squared_merges_rare_categories_and_ignores_new_ones() -> None:
    baseline = {"a": 1000, "b": 1000, "c": 5, "d": 3}
    current = {"a": 100, "b": 90, "c": 1, "d": 0, "new": 7}

    result = categorical_distance(baseline, current, CategoricalMethod.CHISQUARED)

    # c then the merged c+d fall below 5 expected; then Cochran's rule holds for a and b.
    assert result.categories_merged == 2
    assert result.degrees_of_freedom == 1
    assert result.unseen_count == 7


def test_chi_squared_needs_two_categories() -> None:
    result = categorical_distance({"a": 10, "b": 1}, {"a": 5, "b": 1}, "ChiSquared")

    assert math.isnan(result.value)
    assert not result.exceeds(0.1)
