"""`statistics.json` of data-quality jobs: per-feature statistics with KLL sketches."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from enum import StrEnum

from pydantic import Field, model_validator

from contracts._base import ContractModel, Count, Number

KLL_BUCKET_COUNT = 10
"""SageMaker always materializes the KLL distribution in 10 buckets."""


class InferredType(StrEnum):
    """The data type inferred for a feature."""

    INTEGRAL = "Integral"
    FRACTIONAL = "Fractional"
    STRING = "String"
    UNKNOWN = "Unknown"

    @property
    def is_numeric(self) -> bool:
        """Integral or Fractional."""
        return self in (InferredType.INTEGRAL, InferredType.FRACTIONAL)


class CommonStatistics(ContractModel):
    """Counts every feature has."""

    num_present: Count = Field(ge=0)
    num_missing: Count = Field(ge=0)


class KLLBucket(ContractModel):
    """One materialized bucket `[lower_bound, upper_bound)` of a KLL distribution."""

    lower_bound: Number
    upper_bound: Number
    count: Number


class KLLParameters(ContractModel):
    """KLL sketch parameters (`c` shrinking factor, `k` sketch size)."""

    c: Number
    k: Number


class KLLSketchData(ContractModel):
    """The sketch itself: compactor levels; an item of level `i` weighs `2**i`."""

    parameters: KLLParameters
    data: list[list[Number]]

    def weighted_items(self) -> tuple[list[float], list[float]]:
        """The sketch's items in ascending order and the running total of their weights."""
        pairs = sorted(
            (item, float(2**level)) for level, items in enumerate(self.data) for item in items
        )
        values, cumulative, total = [], [], 0.0
        for value, weight in pairs:
            total += weight
            values.append(value)
            cumulative.append(total)
        return values, cumulative

    def materialize_buckets(
        self, lower: float, upper: float, count: int = KLL_BUCKET_COUNT
    ) -> list[KLLBucket]:
        """Equal-width buckets over `[lower, upper]` with counts read off the sketch.

        As Deequ does: bucket `i` spans `[lower + w*i, lower + w*(i+1))` with
        `w = (upper - lower) / count`; its count is `rank_exclusive(hi) - rank_exclusive(lo)`,
        and the last bucket is closed on the right.
        """
        values, cumulative = self.weighted_items()

        def rank(bound: float, *, inclusive: bool) -> float:
            position = (bisect_right if inclusive else bisect_left)(values, bound)
            return cumulative[position - 1] if position else 0.0

        buckets = []
        for index in range(count):
            low = lower + (upper - lower) * index / count
            high = lower + (upper - lower) * (index + 1) / count
            last = index == count - 1
            weight = rank(high, inclusive=last) - rank(low, inclusive=False)
            buckets.append(KLLBucket(lower_bound=low, upper_bound=high, count=weight))
        return buckets


class KLLDistribution(ContractModel):
    """The KLL block: materialized buckets plus the mergeable sketch."""

    buckets: list[KLLBucket]
    sketch: KLLSketchData
    rank_error_bound: Number | None = Field(
        default=None,
        description="watchkeeper: normalised rank error of the sketch (99 % confidence).",
    )


class NumericalDistribution(ContractModel):
    """Distribution of a numeric feature (KLL is the one SageMaker recognizes)."""

    kll: KLLDistribution | None = None


class NumericalStatistics(ContractModel):
    """Statistics of an Integral or Fractional feature; `std_dev` is the population one."""

    common: CommonStatistics
    mean: Number
    sum: Number
    std_dev: Number
    min: Number
    max: Number
    distribution: NumericalDistribution | None = None
    num_non_finite: Count | None = Field(
        default=None,
        description="watchkeeper: present values that were infinite (kept out of the moments).",
    )


class CategoricalBucket(ContractModel):
    """How often one value occurred."""

    value: str
    count: Number


class CategoricalDistribution(ContractModel):
    """Value frequencies of a string feature."""

    buckets: list[CategoricalBucket]


class StringDistribution(ContractModel):
    """Distribution of a string feature."""

    categorical: CategoricalDistribution | None = None


class StringStatistics(ContractModel):
    """Statistics of a String feature."""

    common: CommonStatistics
    distinct_count: Number
    distribution: StringDistribution | None = None
    distinct_count_exact: bool | None = Field(
        default=None, description="watchkeeper: whether distinct_count is exact."
    )
    distinct_count_relative_error: Number | None = Field(
        default=None, description="watchkeeper: relative standard error of distinct_count."
    )
    frequencies_exact: bool | None = Field(
        default=None, description="watchkeeper: whether every category and count is exact."
    )
    frequency_error_bound: Number | None = Field(
        default=None,
        description="watchkeeper: a true count lies in [count, count + bound]; an unlisted "
        "category occurred at most bound times.",
    )


class BaselineDrift(ContractModel):
    """watchkeeper: the drift comparison of one feature with its baseline, stated in full."""

    method: str
    threshold: Number
    value: Number = Field(description="Distance, or p-value for ChiSquared.")
    violated: bool
    baseline_count: Number
    current_count: Number
    linf_simple: Number | None = None
    robust_correction: Number | None = None
    statistic: Number | None = None
    p_value: Number | None = None
    degrees_of_freedom: int | None = None
    categories_merged: int | None = None
    unseen_count: Number | None = None
    multiple_testing_correction: str = "none"


class FeatureStatistics(ContractModel):
    """Statistics of one feature; numeric features carry `numerical_statistics`."""

    name: str
    inferred_type: InferredType
    numerical_statistics: NumericalStatistics | None = None
    string_statistics: StringStatistics | None = None
    type_counts: dict[str, Count] | None = Field(
        default=None, description="watchkeeper: values per Deequ data type (Unknown = missing)."
    )
    baseline_drift: BaselineDrift | None = Field(
        default=None, description="watchkeeper: the drift comparison with the baseline."
    )
    errors: list[str] | None = Field(
        default=None, description="watchkeeper: why some values of this feature were not profiled."
    )
    failed_rows: Count | None = None

    @model_validator(mode="after")
    def _statistics_match_type(self) -> FeatureStatistics:
        if self.inferred_type.is_numeric and self.numerical_statistics is None:
            raise ValueError(
                f"numerical_statistics is required for an {self.inferred_type.value} feature"
            )
        if self.inferred_type is InferredType.STRING and self.string_statistics is None:
            raise ValueError("string_statistics is required for a String feature")
        return self

    @property
    def common(self) -> CommonStatistics | None:
        """The counts, whichever statistics block holds them."""
        block = self.numerical_statistics or self.string_statistics
        return block.common if block else None


class DatasetSummary(ContractModel):
    """Dataset-level statistics; the record counters are watchkeeper's additions."""

    item_count: Count = Field(ge=0)
    malformed_records: Count | None = None
    undecodable_records: Count | None = None
    records_outside_window: Count | None = None
    shadow_records: Count | None = None
    short_rows: Count | None = None
    long_rows: Count | None = None


class DataQualityStatistics(ContractModel):
    """`statistics.json` of a data-quality job."""

    version: Number = 0.0
    dataset: DatasetSummary
    features: list[FeatureStatistics]

    def feature(self, name: str) -> FeatureStatistics | None:
        """The statistics of one feature, or None."""
        return next((feature for feature in self.features if feature.name == name), None)
