"""Turn a dataset profile into `statistics.json` (the contract model), error bounds included.

The file is exactly the analyzer's shape; watchkeeper's extra numbers ride in extra fields,
which the contract keeps: `type_counts` per feature (what `data_type_check` compares),
`rank_error_bound` in the KLL block, `distinct_count_exact` and its relative error, whether
categorical counts are exact and their error bound, per-column `errors`, and the record
counters under `dataset`.
"""

from __future__ import annotations

from contracts import (
    CommonStatistics,
    DataQualityStatistics,
    DatasetSummary,
    FeatureStatistics,
    InferredType,
    NumericalStatistics,
    StringStatistics,
)
from contracts.statistics import (
    CategoricalBucket,
    CategoricalDistribution,
    KLLBucket,
    KLLDistribution,
    KLLParameters,
    KLLSketchData,
    NumericalDistribution,
    StringDistribution,
)
from tabular.dataset import DatasetProfile, RecordCounters
from tabular.datatype import DataType, TypeHistogram
from tabular.feature import FeatureStatistics as ProfiledFeature
from tabular.feature import NumericStatistics as ProfiledNumbers
from tabular.feature import StringStatistics as ProfiledStrings

__all__ = ["statistics_document", "type_counts"]


def type_counts(histogram: TypeHistogram) -> dict[str, int]:
    """Per-type value counts, keyed by Deequ's type names (`Unknown` counts missing values)."""
    return {data_type.value: histogram.count(data_type) for data_type in DataType}


def _numerical(numbers: ProfiledNumbers) -> NumericalStatistics:
    sketch = numbers.sketch
    kll = KLLDistribution(
        buckets=[
            KLLBucket(lower_bound=b.lower_bound, upper_bound=b.upper_bound, count=b.count)
            for b in numbers.buckets
        ],
        sketch=KLLSketchData(
            parameters=KLLParameters(c=sketch.c, k=float(sketch.k)), data=sketch.to_levels()
        ),
        rank_error_bound=numbers.rank_error,
    )
    return NumericalStatistics(
        common=CommonStatistics(num_present=numbers.num_present, num_missing=numbers.num_missing),
        mean=numbers.mean,
        sum=numbers.sum,
        std_dev=numbers.std_dev,
        min=numbers.min,
        max=numbers.max,
        distribution=NumericalDistribution(kll=kll),
        num_non_finite=numbers.num_non_finite,
    )


def _string(strings: ProfiledStrings) -> StringStatistics:
    buckets = [CategoricalBucket(value=b.value, count=b.count) for b in strings.buckets]
    return StringStatistics(
        common=CommonStatistics(num_present=strings.num_present, num_missing=strings.num_missing),
        distinct_count=strings.distinct_count,
        distribution=StringDistribution(categorical=CategoricalDistribution(buckets=buckets)),
        distinct_count_exact=strings.distinct_count_exact,
        distinct_count_relative_error=strings.distinct_count_relative_error,
        frequencies_exact=strings.frequencies_exact,
        frequency_error_bound=strings.frequency_error,
    )


def _feature(profiled: ProfiledFeature) -> FeatureStatistics:
    numbers, strings = profiled.numeric, profiled.string
    return FeatureStatistics(
        name=profiled.name,
        inferred_type=InferredType(profiled.inferred_type.sagemaker_name),
        numerical_statistics=_numerical(numbers) if numbers is not None else None,
        string_statistics=_string(strings) if strings is not None else None,
        type_counts=type_counts(profiled.type_histogram),
        errors=list(profiled.errors) or None,
        failed_rows=profiled.failed_rows or None,
    )


def _counters(counters: RecordCounters) -> dict[str, int]:
    return {
        "malformed_records": counters.malformed,
        "undecodable_records": counters.undecodable,
        "records_outside_window": counters.out_of_window,
        "shadow_records": counters.shadow,
        "short_rows": counters.short_rows,
        "long_rows": counters.long_rows,
    }


def statistics_document(profile: DatasetProfile) -> DataQualityStatistics:
    """`statistics.json` of a profiled dataset."""
    return DataQualityStatistics(
        version=0.0,
        dataset=DatasetSummary(item_count=profile.item_count, **_counters(profile.counters)),
        features=[_feature(feature) for feature in profile.statistics()],
    )
