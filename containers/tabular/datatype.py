"""Deequ's per-value data type classification and its type-decision rule.

A non-null text value is classified by the regular expressions of Deequ's ``StatefulDataType``
(Deequ 2.x, after awslabs/deequ#307, which stopped empty strings matching ``Integral`` and added
scientific notation), tried in this order:

* ``Fractional``: ``^(-|\\+)? ?\\d+((\\.\\d+)|((?:\\.\\d+)?[Ee][-+]?\\d+))$``
* ``Integral``: ``^(-|\\+)? ?\\d+$``
* ``Boolean``: ``^(true|false)$``
* ``String``: anything else, including ``NaN``, ``inf``, ``.5``, ``5.``, ``1,5`` and ``12 ``.

Text columns of plain numbers are decided by the vectorised `tabular.numeric_text` first, which
gives up rather than disagree with these expressions.

Null is ``Unknown``. Our readers turn empty strings into null (Spark's CSV reader does the same),
so an empty value is missing, never a ``String``.

Typed (non-text) inputs, as Parquet and JSON numbers arrive, are classified by their type:
integers are ``Integral``, booleans ``Boolean``; finite floats are ``Fractional`` (Spark would
print ``3.0``), a float NaN is taken as missing (pandas writes missing values as NaN), and a float
infinity is ``Fractional`` but kept out of the moments and the sketch (see `column`).

Type decision (Deequ's ``DataTypeHistogram.determineType``): all null → ``Unknown``; any
``String``, or ``Boolean`` together with numbers → ``String``; only booleans → ``Boolean``; any
``Fractional`` → ``Fractional``; else ``Integral``. SageMaker writes only ``Integral``,
``Fractional``, ``String`` and ``Unknown``, so `DataType.sagemaker_name` reports ``Boolean`` as
``String``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tabular.numeric_text import parse_numeric_text

__all__ = [
    "BOOLEAN_PATTERN",
    "FRACTIONAL_PATTERN",
    "INTEGRAL_PATTERN",
    "Classification",
    "DataType",
    "TypeHistogram",
    "classify",
]

FRACTIONAL_PATTERN = r"^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$"
"""Deequ's ``FRACTIONAL`` regular expression."""

INTEGRAL_PATTERN = r"^(-|\+)? ?\d+$"
"""Deequ's ``INTEGRAL`` regular expression."""

BOOLEAN_PATTERN = r"^(true|false)$"
"""Deequ's ``BOOLEAN`` regular expression."""

FloatArray = npt.NDArray[np.float64]


class DataType(enum.Enum):
    """Deequ's ``DataTypeInstances``."""

    UNKNOWN = "Unknown"
    FRACTIONAL = "Fractional"
    INTEGRAL = "Integral"
    BOOLEAN = "Boolean"
    STRING = "String"

    @property
    def sagemaker_name(self) -> str:
        """The ``inferred_type`` SageMaker writes (``Boolean`` becomes ``String``)."""
        return "String" if self is DataType.BOOLEAN else self.value

    @property
    def is_numeric(self) -> bool:
        """True for ``Integral`` and ``Fractional``."""
        return self in (DataType.INTEGRAL, DataType.FRACTIONAL)


@dataclass(slots=True)
class TypeHistogram:
    """Counts of values per Deequ data type (Deequ's ``DataTypeHistogram``).

    Attributes:
        null: Missing values (``Unknown``).
        fractional: Values matching the fractional pattern.
        integral: Values matching the integral pattern.
        boolean: ``true`` / ``false``.
        string: Everything else.
    """

    null: int = 0
    fractional: int = 0
    integral: int = 0
    boolean: int = 0
    string: int = 0

    @property
    def total(self) -> int:
        """All observations, null included."""
        return self.null + self.fractional + self.integral + self.boolean + self.string

    @property
    def present(self) -> int:
        """Non-null observations."""
        return self.total - self.null

    def count(self, data_type: DataType) -> int:
        """The count for one type."""
        return {
            DataType.UNKNOWN: self.null,
            DataType.FRACTIONAL: self.fractional,
            DataType.INTEGRAL: self.integral,
            DataType.BOOLEAN: self.boolean,
            DataType.STRING: self.string,
        }[data_type]

    def ratio(self, data_type: DataType, *, ignore_unknown: bool = True) -> float:
        """Fraction of values of ``data_type`` (of the non-null ones by default, as Deequ's check).

        Returns:
            The ratio, or 0.0 when there is nothing to divide by.
        """
        denominator = self.present if ignore_unknown else self.total
        return self.count(data_type) / denominator if denominator else 0.0

    def merge(self, other: TypeHistogram) -> None:
        """Add another histogram's counts (in place)."""
        self.null += other.null
        self.fractional += other.fractional
        self.integral += other.integral
        self.boolean += other.boolean
        self.string += other.string

    def inferred(self) -> DataType:
        """Deequ's ``determineType`` over these counts."""
        if self.present == 0:
            return DataType.UNKNOWN
        numbers = self.integral + self.fractional
        if self.string > 0 or (self.boolean > 0 and numbers > 0):
            return DataType.STRING
        if self.boolean > 0:
            return DataType.BOOLEAN
        return DataType.FRACTIONAL if self.fractional > 0 else DataType.INTEGRAL


@dataclass(slots=True)
class Classification:
    """Result of classifying one batch of non-null values.

    Attributes:
        histogram: Per-type counts (weighted when weights were given).
        numbers: For each input value, its float value when it is ``Integral`` or
            ``Fractional``, else NaN. Overflowing literals such as ``1e400`` are infinite.
    """

    histogram: TypeHistogram
    numbers: FloatArray = field(repr=False)

    @property
    def numeric_mask(self) -> npt.NDArray[np.bool_]:
        """Which inputs are numbers."""
        return ~np.isnan(self.numbers)


def classify(values: pa.Array, weights: npt.NDArray[np.int64] | None = None) -> Classification:
    """Classify non-null values (text or typed) as Deequ does.

    Args:
        values: An Arrow array without nulls.
        weights: Optional multiplicity of each value (for dictionary-encoded input).

    Returns:
        The weighted type histogram and the per-value numbers.
    """
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _classify_text(values, weights)
    if pa.types.is_boolean(kind):
        hist = TypeHistogram(boolean=_weighted(len(values), weights))
        return Classification(hist, np.full(len(values), np.nan))
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return _classify_typed_number(values, weights)
    return _classify_text(pc.cast(values, pa.string()), weights)


def _weighted(
    count: int, weights: npt.NDArray[np.int64] | None, mask: npt.NDArray[np.bool_] | None = None
) -> int:
    if weights is None:
        return count
    return int(weights.sum() if mask is None else weights[mask].sum())


def _classify_typed_number(
    values: pa.Array, weights: npt.NDArray[np.int64] | None
) -> Classification:
    numbers = np.asarray(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False), np.float64)
    integral = pa.types.is_integer(values.type)
    total = _weighted(len(values), weights)
    if integral:
        return Classification(TypeHistogram(integral=total), numbers)
    return Classification(TypeHistogram(fractional=total), numbers)


def _classify_text(values: pa.Array, weights: npt.NDArray[np.int64] | None) -> Classification:
    if len(values) == 0:
        return Classification(TypeHistogram(), np.empty(0))
    parsed = parse_numeric_text(values)
    if parsed is None:
        return _classify_exact(values, weights)
    integral = _weighted(parsed.integral_count, weights, parsed.integral)
    total = _weighted(len(values), weights)
    return Classification(
        TypeHistogram(integral=integral, fractional=total - integral), parsed.numbers
    )


def _classify_exact(values: pa.Array, weights: npt.NDArray[np.int64] | None) -> Classification:
    fractional = _match(values, FRACTIONAL_PATTERN)
    integral = _match(values, INTEGRAL_PATTERN) & ~fractional
    boolean = _match(values, BOOLEAN_PATTERN)
    numeric = fractional | integral
    numbers = np.full(len(values), np.nan)
    if numeric.any():
        index = np.flatnonzero(numeric)
        text = pc.replace_substring(values.take(pa.array(index)), " ", "")
        parsed = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
        numbers[index] = np.asarray(parsed, dtype=np.float64)
    hist = TypeHistogram(
        fractional=_weighted(int(fractional.sum()), weights, fractional),
        integral=_weighted(int(integral.sum()), weights, integral),
        boolean=_weighted(int(boolean.sum()), weights, boolean),
    )
    hist.string = _weighted(len(values), weights) - hist.present
    return Classification(hist, numbers)


def _match(values: pa.Array, pattern: str) -> npt.NDArray[np.bool_]:
    matched = pc.match_substring_regex(values, pattern)
    return np.asarray(matched.to_numpy(zero_copy_only=False), dtype=bool)
