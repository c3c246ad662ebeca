"""Streaming, mergeable profile of one column, computed in one pass with bounded memory.

Deequ decides a column's type over all its values first and then computes the statistics of
that type; a single pass cannot, so a profile keeps what every still-possible type needs:

* the type histogram, always (Deequ's ``DataType`` counts, see `tabular.datatype`);
* the distinct counter, always (hashes of numbers by value, of other text by bytes);
* while the column can still end up ``Integral``/``Fractional`` (no ``String`` or ``Boolean``
  value so far): the moments and the KLL sketch of its numbers;
* the value frequencies, except for a column that is still numeric *and* has more than the
  frequency cap of distinct values: those are dropped to keep the numeric hot path cheap.

``String`` and ``Boolean`` are absorbing (any one of them makes the column ``String``, Deequ's
rule), so the numeric state is freed the moment one arrives. If frequencies had been dropped
before that, the numeric history's frequencies are rebuilt from the sketch's weighted items:
numbers formatted back as text, counts marked inexact, and the sketch's rank error (twice
``epsilon * n``) added to the frequency error bound. That is the one approximate corner;
everything else is exact or carries its stated sketch error.

Hot paths: a text batch of plain numbers is parsed with its nulls in place
(`tabular.numeric_text`); integers written canonically are tallied by value (a dense count for
a small range), which feeds the frequencies, the distinct counter and the sketch with one item
per distinct value instead of one per row; a column already decided ``String`` only counts its
distinct values.

Missing values: null, and empty strings (every reader maps ``""`` to null), and NaN in a typed
float column. ``NaN``/``inf`` *text* is a present ``String`` value, exactly as Deequ classifies
it. An exception while updating a column is caught, recorded in ``errors`` with the batch's row
count in ``failed_rows``, and the other columns carry on.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tabular.datatype import DataType, TypeHistogram, classify
from tabular.distinct import DEFAULT_DISTINCT_CAPACITY, DistinctCounter
from tabular.feature import (
    CategoricalBucket,
    FeatureStatistics,
    NumericStatistics,
    StringStatistics,
)
from tabular.frequency import DEFAULT_FREQUENCY_CAPACITY, FrequencySummary
from tabular.hashing import hash_floats, hash_strings
from tabular.kll import DEFAULT_SHRINKING_FACTOR, DEFAULT_SKETCH_SIZE, KllBucket, KllSketch
from tabular.moments import Moments
from tabular.numeric_text import NumericText, parse_numeric_text

__all__ = ["ColumnProfile", "ProfileSettings"]

_MAX_ERRORS = 5
# Built once: converting Python scalars in every Arrow call retries a failing import.
_ZERO = pa.scalar(0, pa.int32())
# Integer batches spanning fewer values than this are counted with a dense bincount.
_DENSE_SPAN = 1 << 16
# Add integers to the sketch as (value, count) when that is this many times fewer items.
_TALLY_SHRINK = 4

_Tally = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


class ProfileSettings:
    """Sizes of the per-column sketches (shared by all columns of a dataset).

    Args:
        kll_k: KLL sketch size (``parameters.k``).
        kll_c: KLL shrinking factor (``parameters.c``).
        distinct_capacity: Distinct counts are exact up to this many values.
        frequency_capacity: Frequencies are exact up to this many distinct values.
        bucket_count: Number of materialised KLL buckets.
    """

    __slots__ = ("bucket_count", "distinct_capacity", "frequency_capacity", "kll_c", "kll_k")

    def __init__(
        self,
        *,
        kll_k: int = DEFAULT_SKETCH_SIZE,
        kll_c: float = DEFAULT_SHRINKING_FACTOR,
        distinct_capacity: int = DEFAULT_DISTINCT_CAPACITY,
        frequency_capacity: int = DEFAULT_FREQUENCY_CAPACITY,
        bucket_count: int = 10,
    ) -> None:
        self.kll_k = kll_k
        self.kll_c = kll_c
        self.distinct_capacity = distinct_capacity
        self.frequency_capacity = frequency_capacity
        self.bucket_count = bucket_count


_DEFAULT_SETTINGS = ProfileSettings()


class ColumnProfile:
    """Accumulates one column's statistics batch by batch.

    Args:
        name: Column name.
        settings: Sketch sizes; the defaults match SageMaker's analyzer.
    """

    __slots__ = (
        "_distinct",
        "_frequencies",
        "_moments",
        "_settings",
        "_sketch",
        "errors",
        "failed_rows",
        "histogram",
        "name",
    )

    def __init__(self, name: str, settings: ProfileSettings | None = None) -> None:
        self.name = name
        self._settings = settings or _DEFAULT_SETTINGS
        self.histogram = TypeHistogram()
        self.errors: list[str] = []
        self.failed_rows = 0
        self._moments: Moments | None = None
        self._sketch: KllSketch | None = None
        self._distinct: DistinctCounter | None = None
        self._frequencies: FrequencySummary | None = FrequencySummary(
            self._settings.frequency_capacity
        )

    @property
    def numeric_capable(self) -> bool:
        """True while no ``String`` or ``Boolean`` value was seen."""
        return self.histogram.string == 0 and self.histogram.boolean == 0

    @property
    def inferred_type(self) -> DataType:
        """Deequ's type decision over everything seen so far."""
        return self.histogram.inferred()

    def update(self, values: pa.Array | pa.ChunkedArray) -> None:
        """Add one batch of this column's values; never raises for bad data.

        Args:
            values: Text or typed values, nulls allowed.
        """
        try:
            self._update(values)
        except Exception as exc:
            self.failed_rows += len(values)
            if len(self.errors) < _MAX_ERRORS:
                self.errors.append(f"{type(exc).__name__}: {exc}")

    def add_missing(self, count: int) -> None:
        """Record ``count`` rows in which the column was absent (they count as missing)."""
        self.histogram.null += count

    def merge(self, other: ColumnProfile) -> None:
        """Fold another profile of the same column into this one (in place)."""
        if not (self.numeric_capable and other.numeric_capable):
            self._to_text()
            other = other.copy()
            other._to_text()
        self.histogram.merge(other.histogram)
        self.errors.extend(other.errors[: max(0, _MAX_ERRORS - len(self.errors))])
        self.failed_rows += other.failed_rows
        self._merge_numeric(other)
        self._merge_text(other)

    def copy(self) -> ColumnProfile:
        """An independent copy."""
        twin = ColumnProfile(self.name, self._settings)
        twin.histogram.merge(self.histogram)
        twin.errors, twin.failed_rows = list(self.errors), self.failed_rows
        twin._moments = _copy_moments(self._moments)
        twin._sketch = self._sketch.copy() if self._sketch else None
        twin._distinct = self._distinct.copy() if self._distinct else None
        twin._frequencies = self._frequencies.copy() if self._frequencies else None
        return twin

    def statistics(self) -> FeatureStatistics:
        """The feature's final statistics."""
        inferred = self.inferred_type
        hist = TypeHistogram()
        hist.merge(self.histogram)
        numeric = self._numeric_statistics() if inferred.is_numeric else None
        text = None if inferred.is_numeric else self._string_statistics()
        return FeatureStatistics(
            self.name, inferred, hist, numeric, text, tuple(self.errors), self.failed_rows
        )

    # -- updating -------------------------------------------------------------------------

    def _update(self, values: pa.Array | pa.ChunkedArray) -> None:
        column = _normalise(values)
        self.histogram.null += column.null_count
        if column.null_count == len(column):
            return
        if self.numeric_capable and _is_text(column.type):
            parsed = parse_numeric_text(column)
            if parsed is not None:
                self._update_numbers(column, parsed)
                return
        if self._frequencies is not None and not self.numeric_capable:
            self._update_counted(column)
            return
        dense = column.drop_null() if column.null_count else column
        if self._frequencies is not None:
            self._update_encoded(dense)
        else:
            self._update_plain(dense)

    def _update_numbers(self, column: pa.Array, parsed: NumericText) -> None:
        """The hot path: a text batch of plain numbers, nulls still in place."""
        integral = parsed.integral_count
        self.histogram.integral += integral
        self.histogram.fractional += parsed.numbers.size - integral
        tally = _integer_tally(parsed.integers, needed=self._frequencies is not None)
        if self._frequencies is not None:
            self._count_numbers(column, parsed, tally)
        else:
            distinct = parsed.numbers if tally is None else tally[0].astype(np.float64)
            self._distinct_counter().update(hash_floats(distinct))
        self._add_numbers(parsed.numbers, tally)

    def _count_numbers(self, column: pa.Array, parsed: NumericText, tally: _Tally | None) -> None:
        """Exact frequencies (and distinct values) of a batch of numbers; drop them past the cap."""
        frequencies = self._frequencies
        assert frequencies is not None
        if tally is not None:
            frequencies.update_integers(*tally)
            numbers = tally[0].astype(np.float64)
        else:
            numbers = np.unique(parsed.numbers)
            if numbers.size > frequencies.capacity:
                # At least as many distinct texts as numbers: the counts cannot stay exact.
                self._distinct_counter().update(hash_floats(numbers))
                self._frequencies = None
                return
            counted = pc.value_counts(column.drop_null())
            frequencies.update(counted.field("values"), counted.field("counts").to_numpy())
        self._distinct_counter().update(hash_floats(numbers))
        if not frequencies.is_exact:
            self._frequencies = None

    def _update_counted(self, column: pa.Array) -> None:
        """A column that is already ``String``: only its distinct values and counts matter."""
        counted = pc.value_counts(column)
        uniques, counts = counted.field("values"), counted.field("counts")
        if uniques.null_count:
            present = pc.is_valid(uniques)
            uniques, counts = uniques.filter(present), counts.filter(present)
        weights = np.asarray(counts.to_numpy(), dtype=np.int64)
        found = classify(uniques, weights)
        self.histogram.merge(found.histogram)
        self._distinct_counter().update(_value_hashes(uniques, found.numbers))
        assert self._frequencies is not None
        self._frequencies.update(_as_text(uniques), weights)

    def _update_encoded(self, dense: pa.Array) -> None:
        encoded = pc.dictionary_encode(dense)
        uniques = encoded.dictionary
        indices = np.asarray(encoded.indices.to_numpy(), dtype=np.intp)
        counts = np.bincount(indices, minlength=len(uniques)).astype(np.int64)
        found = classify(uniques, counts)
        self.histogram.merge(found.histogram)
        self._distinct_counter().update(_value_hashes(uniques, found.numbers))
        assert self._frequencies is not None
        self._frequencies.update(_as_text(uniques), counts)
        if not self.numeric_capable:
            self._drop_numeric()
            return
        self._add_numbers(found.numbers[indices])
        if not self._frequencies.is_exact:
            self._frequencies = None

    def _update_plain(self, dense: pa.Array) -> None:
        found = classify(dense)
        self.histogram.merge(found.histogram)
        self._distinct_counter().update(_value_hashes(dense, found.numbers))
        if self.numeric_capable:
            self._add_numbers(found.numbers)
            return
        self._to_text()
        self._add_text_frequencies(dense)

    def _add_numbers(self, numbers: npt.NDArray[np.float64], tally: _Tally | None = None) -> None:
        if self._moments is None:
            self._moments = Moments()
            self._sketch = KllSketch(self._settings.kll_k, self._settings.kll_c)
        assert self._sketch is not None
        finite = self._moments.update(numbers)
        if tally is not None and _TALLY_SHRINK * tally[0].size <= numbers.size:
            # Few distinct integers: add each once per set bit of its count (lossless).
            self._sketch.update_counts(tally[0].astype(np.float64), tally[1])
        else:
            self._sketch.update(finite)

    def _add_text_frequencies(self, dense: pa.Array) -> None:
        encoded = pc.dictionary_encode(dense)
        counts = np.bincount(
            np.asarray(encoded.indices.to_numpy(), dtype=np.intp),
            minlength=len(encoded.dictionary),
        )
        assert self._frequencies is not None
        self._frequencies.update(_as_text(encoded.dictionary), counts)

    def _distinct_counter(self) -> DistinctCounter:
        if self._distinct is None:
            self._distinct = DistinctCounter(self._settings.distinct_capacity)
        return self._distinct

    def _to_text(self) -> None:
        """Make sure frequencies exist (rebuilding them from the sketch) and free numeric state."""
        if self._frequencies is None:
            self._frequencies = FrequencySummary(self._settings.frequency_capacity)
            if self._sketch is not None:
                _frequencies_from_sketch(self._frequencies, self._sketch, self.histogram)
        self._drop_numeric()

    def _drop_numeric(self) -> None:
        self._moments = None
        self._sketch = None

    # -- merging --------------------------------------------------------------------------

    def _merge_numeric(self, other: ColumnProfile) -> None:
        if not self.numeric_capable:
            self._drop_numeric()
            return
        if other._moments is None or other._sketch is None:
            return
        if self._moments is None or self._sketch is None:
            self._moments, self._sketch = _copy_moments(other._moments), other._sketch.copy()
            return
        self._moments.merge(other._moments)
        self._sketch.merge(other._sketch)

    def _merge_text(self, other: ColumnProfile) -> None:
        if other._distinct is not None:
            self._distinct_counter().merge(other._distinct)
        if self._frequencies is None or other._frequencies is None:
            self._frequencies = None
            return
        self._frequencies.merge(other._frequencies)
        if self.numeric_capable and not self._frequencies.is_exact:
            self._frequencies = None

    # -- reporting ------------------------------------------------------------------------

    def _numeric_statistics(self) -> NumericStatistics | None:
        moments, sketch = self._moments, self._sketch
        if moments is None or sketch is None:
            return None
        buckets: tuple[KllBucket, ...] = ()
        if moments.count:
            buckets = tuple(sketch.buckets(moments.min, moments.max, self._settings.bucket_count))
        return NumericStatistics(
            num_present=self.histogram.present,
            num_missing=self.histogram.null,
            sum=moments.sum,
            mean=moments.mean,
            std_dev=moments.std_dev,
            min=moments.min,
            max=moments.max,
            num_non_finite=moments.non_finite,
            sketch=sketch.copy(),
            buckets=buckets,
            rank_error=sketch.epsilon(),
        )

    def _string_statistics(self) -> StringStatistics:
        distinct = self._distinct or DistinctCounter(self._settings.distinct_capacity)
        frequencies = self._frequencies or FrequencySummary(self._settings.frequency_capacity)
        return StringStatistics(
            num_present=self.histogram.present,
            num_missing=self.histogram.null,
            distinct_count=distinct.estimate(),
            distinct_count_exact=distinct.is_exact,
            distinct_count_relative_error=distinct.relative_standard_error(),
            buckets=tuple(CategoricalBucket(v, c) for v, c in frequencies.items()),
            frequencies_exact=frequencies.is_exact,
            frequency_error=frequencies.error,
        )


def _copy_moments(moments: Moments | None) -> Moments | None:
    if moments is None:
        return None
    twin = Moments()
    twin.merge(moments)
    return twin


def _normalise(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous array; dictionaries decoded; empty strings and float NaN made null."""
    column = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    kind = column.type
    if _is_text(kind):
        if _has_empty_text(column):
            empty = pc.equal(pc.binary_length(column), _ZERO)
            column = pc.if_else(empty, _null(kind), column)
    elif pa.types.is_floating(kind):
        nan = pc.is_nan(column)
        if pc.any(nan).as_py():
            column = pc.if_else(nan, _null(kind), column)
    elif pa.types.is_null(kind):
        column = pa.nulls(len(column), pa.string())
    return column


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _has_empty_text(column: pa.Array) -> bool:
    """Whether a present value is the empty string (readers usually made those null already)."""
    width = np.int64 if pa.types.is_large_string(column.type) else np.int32
    raw = np.frombuffer(column.buffers()[1], dtype=width)
    offsets = raw[column.offset : column.offset + len(column) + 1]
    empty = int(np.count_nonzero(offsets[1:] == offsets[:-1]))
    if empty == 0:
        return False
    if column.null_count == 0 or empty > column.null_count:
        return True
    # As many empty slots as nulls: usually the nulls themselves (their values are skipped).
    return bool(pc.min(pc.binary_length(column)).as_py() == 0)


def _integer_tally(integers: npt.NDArray[np.int64] | None, *, needed: bool) -> _Tally | None:
    """Distinct integers, ascending, and their counts.

    Always when ``needed`` (exact frequencies are kept); otherwise only when they come cheap (a
    dense count over a small range), to shrink what the distinct counter and the sketch get.
    """
    if integers is None or integers.size == 0:
        return None
    low, high = int(integers.min()), int(integers.max())
    if high - low < max(_DENSE_SPAN, integers.size):
        counts = np.bincount(integers - low, minlength=high - low + 1)
        present = np.flatnonzero(counts)
        return present + low, counts[present].astype(np.int64)
    if not needed:
        return None
    uniques, counts = np.unique(integers, return_counts=True)
    return uniques, counts.astype(np.int64)


@functools.cache
def _null(kind: pa.DataType) -> pa.Scalar:
    return pa.scalar(None, kind)


def _as_text(values: pa.Array) -> pa.Array:
    if _is_text(values.type):
        return values
    return pc.cast(values, pa.string())


def _value_hashes(values: pa.Array, numbers: npt.NDArray[np.float64]) -> npt.NDArray[np.uint64]:
    """Numbers hash by value, other text by bytes."""
    is_text = np.isnan(numbers)
    if not is_text.any():
        return hash_floats(numbers)
    hashes = np.empty(len(numbers), dtype=np.uint64)
    hashes[~is_text] = hash_floats(numbers[~is_text])
    text = _as_text(values.filter(pa.array(is_text)))
    hashes[is_text] = hash_strings(text)
    return hashes


def _frequencies_from_sketch(
    frequencies: FrequencySummary, sketch: KllSketch, histogram: TypeHistogram
) -> None:
    """Approximate the numeric history's frequencies from the sketch's weighted items."""
    items, ranks = sketch.sorted_items()
    if not len(items):
        return
    counts = np.diff(np.concatenate(([0], ranks)))
    integral_only = histogram.fractional == 0
    text = [_format_number(float(v), integral_only) for v in items]
    error = 2 * int(np.ceil(sketch.epsilon() * sketch.count))
    frequencies.update(pa.array(text, pa.string()), counts, error=max(error, 1))


def _format_number(value: float, integral_only: bool) -> str:
    if integral_only and value.is_integer():
        return str(int(value))
    return repr(value)
