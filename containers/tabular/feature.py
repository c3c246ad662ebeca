"""Plain result objects for one feature: what a column profile reports at the end of a run.

These carry numbers only; turning them into ``statistics.json`` models is the `contracts`
package's job. Every approximate number comes with its error bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tabular.datatype import DataType, TypeHistogram
from tabular.kll import KllBucket, KllSketch

__all__ = [
    "CategoricalBucket",
    "FeatureStatistics",
    "NumericStatistics",
    "StringStatistics",
]


@dataclass(frozen=True, slots=True)
class NumericStatistics:
    """``numerical_statistics`` of one feature.

    Attributes:
        num_present: Non-null values.
        num_missing: Null (or empty) values.
        sum: Sum of the finite values.
        mean: ``sum / (num_present - num_non_finite)``.
        std_dev: Population standard deviation of the finite values.
        min: Smallest finite value.
        max: Largest finite value.
        num_non_finite: Present values that parsed to an infinity (kept out of every moment).
        sketch: The KLL sketch of the finite values.
        buckets: The 10 materialised buckets between ``min`` and ``max``.
        rank_error: Normalised rank error bound of the sketch (99 % confidence, all queries).
    """

    num_present: int
    num_missing: int
    sum: float
    mean: float
    std_dev: float
    min: float
    max: float
    num_non_finite: int
    sketch: KllSketch = field(repr=False)
    buckets: tuple[KllBucket, ...]
    rank_error: float


@dataclass(frozen=True, slots=True)
class CategoricalBucket:
    """One ``distribution.categorical.buckets`` entry.

    Attributes:
        value: The category.
        count: Its count (a lower bound when the frequencies are not exact).
    """

    value: str
    count: int


@dataclass(frozen=True, slots=True)
class StringStatistics:
    """``string_statistics`` of one feature.

    Attributes:
        num_present: Non-null values.
        num_missing: Null (or empty) values.
        distinct_count: Number of distinct values (exact while ``distinct_count_exact``).
        distinct_count_exact: Whether ``distinct_count`` is exact.
        distinct_count_relative_error: Relative standard error of ``distinct_count``.
        buckets: Categories with counts, most frequent first.
        frequencies_exact: Whether every count is exact and every category is listed.
        frequency_error: A true count lies in ``[count, count + frequency_error]``; a category
            not listed occurred at most ``frequency_error`` times.
    """

    num_present: int
    num_missing: int
    distinct_count: float
    distinct_count_exact: bool
    distinct_count_relative_error: float
    buckets: tuple[CategoricalBucket, ...]
    frequencies_exact: bool
    frequency_error: int


@dataclass(frozen=True, slots=True)
class FeatureStatistics:
    """Everything reported for one feature.

    Attributes:
        name: Column name.
        inferred_type: Deequ's decision (use ``inferred_type.sagemaker_name`` in files).
        type_histogram: Per-type counts, for ``data_type_check``.
        numeric: Set when the inferred type is ``Integral`` or ``Fractional``.
        string: Set for every other inferred type.
        errors: Messages of updates of this column that failed (the rows are in ``failed_rows``).
        failed_rows: Rows whose values for this column could not be profiled.
    """

    name: str
    inferred_type: DataType
    type_histogram: TypeHistogram
    numeric: NumericStatistics | None
    string: StringStatistics | None
    errors: tuple[str, ...] = ()
    failed_rows: int = 0
