"""Suggest baseline constraints from baseline statistics, as SageMaker's analyzer does.

Rules (Deequ's constraint suggestion, which the analyzer is built on):

* `completeness`: 1.0 for a complete feature; otherwise the lower end of the 95 % normal
  interval of the observed completeness, rounded down to two decimals (Deequ's
  `RetainCompletenessRule`), so an unchanged rate of missing values is not a violation.
* `num_constraints.is_non_negative`: for numeric features, whether the minimum is >= 0.
* `string_constraints.domains`: for String features whose categories are all known exactly,
  at most `MAX_DOMAIN_SIZE` of them, and at most 10 % of them seen only once (Deequ's
  `CategoricalRangeRule`).
* `monitoring_config`: the analyzer's defaults (reference quirks 4-6).
"""

from __future__ import annotations

import math

from contracts import (
    CategoricalDriftMethod,
    ComparisonMethod,
    DataQualityConstraints,
    DataQualityStatistics,
    DistributionConstraints,
    FeatureConstraints,
    FeatureStatistics,
    InferredType,
    MonitoringConfig,
    NumConstraints,
    StringConstraints,
    Toggle,
)

__all__ = ["MAX_DOMAIN_SIZE", "default_monitoring_config", "suggest_constraints"]

MAX_DOMAIN_SIZE = 120
"""Deequ computes category histograms only below this many distinct values."""
_SINGLETON_RATIO = 0.1
_Z_95 = 1.96


def default_monitoring_config(
    categorical_drift_method: CategoricalDriftMethod = CategoricalDriftMethod.L_INFINITY,
) -> MonitoringConfig:
    """The `monitoring_config` the analyzer writes into suggested constraints."""
    return MonitoringConfig(
        evaluate_constraints=Toggle.ENABLED,
        emit_metrics=Toggle.ENABLED,
        datatype_check_threshold=1.0,
        domain_content_threshold=1.0,
        distribution_constraints=DistributionConstraints(
            perform_comparison=Toggle.ENABLED,
            comparison_threshold=0.1,
            comparison_method=ComparisonMethod.ROBUST,
            categorical_comparison_threshold=0.1,
            categorical_drift_method=categorical_drift_method,
        ),
    )


def suggested_completeness(present: int, missing: int) -> float:
    """1.0 when complete, else the rounded-down lower 95 % bound of the observed rate."""
    total = present + missing
    if total == 0 or missing == 0:
        return 1.0
    rate = present / total
    lower = rate - _Z_95 * math.sqrt(rate * (1 - rate) / total)
    return max(0.0, math.floor(lower * 100) / 100)


def _domains(feature: FeatureStatistics) -> list[str] | None:
    strings = feature.string_statistics
    if feature.inferred_type is not InferredType.STRING or strings is None:
        return None
    if strings.frequencies_exact is False or strings.distribution is None:
        return None
    categorical = strings.distribution.categorical
    buckets = categorical.buckets if categorical else []
    if not buckets or len(buckets) > MAX_DOMAIN_SIZE:
        return None
    singletons = sum(1 for bucket in buckets if bucket.count == 1)
    if singletons / len(buckets) > _SINGLETON_RATIO:
        return None
    return sorted(bucket.value for bucket in buckets)


def _feature_constraints(feature: FeatureStatistics) -> FeatureConstraints:
    common = feature.common
    completeness = suggested_completeness(common.num_present, common.num_missing) if common else 1.0
    numbers = feature.numerical_statistics
    domains = _domains(feature)
    return FeatureConstraints(
        name=feature.name,
        inferred_type=feature.inferred_type,
        completeness=completeness,
        num_constraints=(
            NumConstraints(is_non_negative=numbers.min >= 0)
            if numbers is not None and feature.inferred_type.is_numeric
            else None
        ),
        string_constraints=StringConstraints(domains=domains) if domains else None,
    )


def suggest_constraints(
    statistics: DataQualityStatistics,
    categorical_drift_method: CategoricalDriftMethod = CategoricalDriftMethod.L_INFINITY,
) -> DataQualityConstraints:
    """`constraints.json` suggested from a baseline's `statistics.json`."""
    return DataQualityConstraints(
        version=0.0,
        features=[_feature_constraints(feature) for feature in statistics.features],
        monitoring_config=default_monitoring_config(categorical_drift_method),
    )
