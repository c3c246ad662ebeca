"""The data-quality checks: current statistics against baseline constraints and statistics.

Check types and their rules (reference 2.4, with the analyzer's defaults of quirks 4-6):

* `missing_column_check`: a constrained feature that the current data does not have.
* `extra_column_check`: a current feature that the constraints do not name.
* `data_type_check`: the share of present values that fit the expected type is below
  `datatype_check_threshold` (a minimum share, 1.0 = all). Integral values fit Fractional;
  only non-numeric values fit String.
* `completeness_check`: observed completeness below the feature's `completeness`.
* `categorical_values_check`: the share of present values inside `string_constraints.domains`
  is below `domain_content_threshold`.
* `baseline_drift_check`: numeric L∞ distance between the KLL CDFs (`Simple` or `Robust`),
  or categorical `LInfinity` / `ChiSquared`, against the comparison thresholds. With
  `Robust`, the categorical L∞ gets the same small-sample correction as the numeric one.

Every drift comparison, violated or not, is stated on the feature (`baseline_drift`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts import (
    CheckType,
    ComparisonMethod,
    DataQualityConstraints,
    DataQualityStatistics,
    EffectiveMonitoringConfig,
    FeatureConstraints,
    FeatureStatistics,
    InferredType,
    Violation,
)
from contracts.statistics import BaselineDrift
from tabular.distance import DriftResult, categorical_distance, numeric_distance
from tabular.kll import KllSketch

__all__ = ["CheckOutcome", "evaluate"]

_NUMERIC_TYPES = ("Integral", "Fractional")


@dataclass
class CheckOutcome:
    """Violations found, and the drift comparisons made (by feature name)."""

    violations: list[Violation] = field(default_factory=list)
    drift: dict[str, BaselineDrift] = field(default_factory=dict)


def _violation(feature: str, check: CheckType, description: str) -> Violation:
    return Violation(
        feature_name=feature, constraint_check_type=check.value, description=description
    )


def _percent(share: float) -> str:
    return f"{share * 100}%"


def type_match(feature: FeatureStatistics, expected: InferredType) -> float | None:
    """Share of present values that fit `expected`; None when it cannot be told."""
    counts = feature.type_counts
    if counts is None or expected is InferredType.UNKNOWN:
        return None
    present = sum(count for name, count in counts.items() if name != "Unknown")
    if present == 0:
        return None
    fitting = {
        InferredType.INTEGRAL: counts.get("Integral", 0),
        InferredType.FRACTIONAL: counts.get("Integral", 0) + counts.get("Fractional", 0),
        InferredType.STRING: counts.get("String", 0) + counts.get("Boolean", 0),
    }[expected]
    return fitting / present


def _type_violation(
    constraint: FeatureConstraints,
    current: FeatureStatistics,
    baseline: FeatureStatistics | None,
    config: EffectiveMonitoringConfig,
) -> Violation | None:
    """Below the threshold, or below the baseline's own share when that is lower."""
    expected = constraint.inferred_type
    match = type_match(current, expected)
    required = config.datatype_check_threshold
    baseline_match = type_match(baseline, expected) if baseline is not None else None
    if baseline_match is not None:
        required = min(required, baseline_match)
    if match is None or match >= required:
        return None
    return _violation(
        constraint.name,
        CheckType.DATA_TYPE,
        f"Data type match requirement is not met. Expected data type: {expected.value}, "
        f"Expected match: {_percent(required)}. "
        f"Observed: Only {_percent(match)} of data is {expected.value}.",
    )


def _completeness_violation(
    constraint: FeatureConstraints, current: FeatureStatistics
) -> Violation | None:
    common = current.common
    if constraint.completeness is None or common is None:
        return None
    total = common.num_present + common.num_missing
    observed = common.num_present / total if total else 1.0
    if observed >= constraint.completeness:
        return None
    return _violation(
        constraint.name,
        CheckType.COMPLETENESS,
        f"Data completeness requirement is not met. Expected completeness: "
        f"{_percent(constraint.completeness)}. Observed: Only {_percent(observed)} of data "
        "is present.",
    )


def _categories(feature: FeatureStatistics) -> dict[str, float] | None:
    strings = feature.string_statistics
    if strings is None or strings.distribution is None or strings.distribution.categorical is None:
        return None
    return {bucket.value: bucket.count for bucket in strings.distribution.categorical.buckets}


def _domain_violation(
    constraint: FeatureConstraints, current: FeatureStatistics, config: EffectiveMonitoringConfig
) -> Violation | None:
    domains = constraint.string_constraints.domains if constraint.string_constraints else None
    categories = _categories(current)
    if not domains or categories is None:
        return None
    present = sum(categories.values())
    if present == 0:
        return None
    allowed = set(domains)
    share = sum(count for value, count in categories.items() if value in allowed) / present
    if share >= config.domain_content_threshold:
        return None
    return _violation(
        constraint.name,
        CheckType.CATEGORICAL_VALUES,
        f"Value: {share} does not meet the constraint requirement! ",
    )


def _sketch(feature: FeatureStatistics) -> KllSketch | None:
    numbers = feature.numerical_statistics
    if numbers is None or numbers.distribution is None or numbers.distribution.kll is None:
        return None
    sketch = numbers.distribution.kll.sketch
    if not any(sketch.data):
        return None
    return KllSketch.from_levels(sketch.data, sketch.parameters.c, sketch.parameters.k)


def drift_result(
    baseline: FeatureStatistics, current: FeatureStatistics, config: EffectiveMonitoringConfig
) -> tuple[DriftResult, float] | None:
    """The drift comparison of one feature and the threshold it is held to, if comparable."""
    both = (baseline.inferred_type.value, current.inferred_type.value)
    if both[0] in _NUMERIC_TYPES and both[1] in _NUMERIC_TYPES:
        old, new = _sketch(baseline), _sketch(current)
        if old is None or new is None:
            return None
        method = config.comparison_method.value
        return numeric_distance(old, new, method), config.comparison_threshold
    old_counts, new_counts = _categories(baseline), _categories(current)
    if not old_counts or not new_counts or InferredType.STRING.value not in both:
        return None
    method = config.categorical_drift_method.value
    robust = config.comparison_method is ComparisonMethod.ROBUST
    result = categorical_distance(old_counts, new_counts, method, robust=robust)
    return result, config.categorical_comparison_threshold


def _stated(result: DriftResult, threshold: float) -> BaselineDrift:
    return BaselineDrift(
        method=result.method,
        threshold=threshold,
        value=result.value,
        violated=result.exceeds(threshold),
        baseline_count=result.n,
        current_count=result.m,
        linf_simple=result.linf_simple,
        robust_correction=result.correction,
        statistic=result.statistic,
        p_value=result.p_value,
        degrees_of_freedom=result.degrees_of_freedom,
        categories_merged=result.categories_merged,
        unseen_count=result.unseen_count,
    )


def _drift_description(drift: BaselineDrift) -> str:
    if drift.method == "ChiSquared":
        return (
            f"Categorical p-value: {drift.value} is below the significance threshold: "
            f"{drift.threshold}"
        )
    kind = "Categorical" if drift.method == "LInfinity" else "Numerical"
    return f"{kind} distance: {drift.value} exceeds {kind.lower()} threshold: {drift.threshold}"


def _missing(current: FeatureStatistics | None, statistics: DataQualityStatistics) -> bool:
    """A feature is missing when absent, or when every row was too short to reach it."""
    if current is None:
        return True
    common = current.common
    rows = statistics.dataset.item_count
    short = statistics.dataset.short_rows or 0
    return bool(common and common.num_present == 0 and rows and short >= rows)


def _check_feature(
    constraint: FeatureConstraints,
    current: FeatureStatistics,
    baseline: FeatureStatistics | None,
    config: EffectiveMonitoringConfig,
    outcome: CheckOutcome,
) -> None:
    checks = (
        _type_violation(constraint, current, baseline, config),
        _completeness_violation(constraint, current),
        _domain_violation(constraint, current, config),
    )
    outcome.violations.extend(violation for violation in checks if violation is not None)
    if baseline is None or not config.perform_comparison:
        return
    compared = drift_result(baseline, current, config)
    if compared is None:
        return
    drift = _stated(*compared)
    outcome.drift[constraint.name] = drift
    if drift.violated:
        outcome.violations.append(
            _violation(constraint.name, CheckType.BASELINE_DRIFT, _drift_description(drift))
        )


def evaluate(
    current: DataQualityStatistics,
    constraints: DataQualityConstraints,
    baseline: DataQualityStatistics | None = None,
) -> CheckOutcome:
    """Run every check the constraints enable; drift checks need `baseline`."""
    outcome = CheckOutcome()
    dataset_config = constraints.effective_config()
    if not dataset_config.evaluate_constraints:
        return outcome
    by_name = {feature.name: feature for feature in current.features}
    baseline_by_name = {f.name: f for f in baseline.features} if baseline else {}
    for constraint in constraints.features:
        config = constraint.effective_config(dataset_config)
        if not config.evaluate_constraints:
            continue
        feature = by_name.get(constraint.name)
        if feature is None or _missing(feature, current):
            outcome.violations.append(
                _violation(
                    constraint.name,
                    CheckType.MISSING_COLUMN,
                    f"Column {constraint.name} of the baseline constraints is missing from the "
                    "current dataset.",
                )
            )
            continue
        _check_feature(constraint, feature, baseline_by_name.get(constraint.name), config, outcome)
    constrained = {constraint.name for constraint in constraints.features}
    for feature in current.features:
        if feature.name not in constrained and (feature.common and feature.common.num_present):
            outcome.violations.append(
                _violation(
                    feature.name,
                    CheckType.EXTRA_COLUMN,
                    f"Column {feature.name} is not in the baseline constraints.",
                )
            )
    return outcome
