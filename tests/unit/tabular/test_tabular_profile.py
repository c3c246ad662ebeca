"""Column and dataset profiles: statistics, missing values, merging, type changes, isolation."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from tabular import ColumnProfile, DatasetProfile, DataType, ProfileSettings


def _text(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    text: list[str | None] = [f"{v:.6g}" for v in values]
    if missing is not None:
        text = [None if m else t for t, m in zip(text, missing, strict=True)]
    return pa.array(text, pa.string())


def _profile(batches: list[pa.Array], settings: ProfileSettings | None = None) -> ColumnProfile:
    profile = ColumnProfile("x", settings)
    for batch in batches:
        profile.update(batch)
    return profile


def test_numeric_statistics_match_numpy() -> None:
    rng = np.random.default_rng(2)
    values = rng.normal(5, 2, 30_000)
    missing = rng.random(values.size) < 0.05
    text = _text(values, missing)
    parsed = np.array([float(t) for t in text.to_pylist() if t is not None])

    stats = _profile([text.slice(0, 10_000), text.slice(10_000)]).statistics()

    assert stats.inferred_type is DataType.FRACTIONAL
    num = stats.numeric
    assert num is not None
    assert (num.num_present, num.num_missing) == (parsed.size, int(missing.sum()))
    assert num.sum == pytest.approx(math.fsum(parsed), rel=1e-12)
    assert num.mean == pytest.approx(parsed.mean(), rel=1e-12)
    assert num.std_dev == pytest.approx(parsed.std(), rel=1e-9)
    assert (num.min, num.max) == (parsed.min(), parsed.max())
    assert sum(b.count for b in num.buckets) == parsed.size
    assert len(num.buckets) == 10
    assert stats.string is None


def test_empty_strings_are_missing_and_infinity_stays_out_of_the_moments() -> None:
    stats = _profile([pa.array(["1.5", "", None, "2.5", "1e400"])]).statistics()

    num = stats.numeric
    assert num is not None
    assert (num.num_present, num.num_missing, num.num_non_finite) == (3, 2, 1)
    assert (num.mean, num.sum, num.max) == (2.0, 4.0, 2.5)


def test_nan_text_makes_a_string_column_but_typed_nan_is_missing() -> None:
    text = _profile([pa.array(["1.0", "NaN", "2.0"])]).statistics()
    typed = _profile([pa.array([1.0, float("nan"), 2.0])]).statistics()

    assert text.inferred_type is DataType.STRING
    assert typed.inferred_type is DataType.FRACTIONAL
    assert typed.numeric is not None
    assert (typed.numeric.num_present, typed.numeric.num_missing) == (2, 1)


def test_string_statistics_are_exact_under_the_caps() -> None:
    values = pa.array(["b", "a", "b", None, "c", "b", "a"])

    stats = _profile([values]).statistics()

    text = stats.string
    assert text is not None
    assert (text.num_present, text.num_missing, text.distinct_count) == (6, 1, 3.0)
    assert text.distinct_count_exact and text.frequencies_exact
    assert [(b.value, b.count) for b in text.buckets] == [("b", 3), ("a", 2), ("c", 1)]


def test_high_cardinality_strings_are_estimated_with_stated_errors() -> None:
    rng = np.random.default_rng(4)
    n = 60_000
    values = np.where(
        rng.random(n) < 0.3, "hot", np.char.add("id", rng.integers(0, 40_000, n).astype(str))
    )
    truth = len(set(values.tolist()))

    stats = _profile([pa.array(values[:30_000]), pa.array(values[30_000:])]).statistics()

    text = stats.string
    assert text is not None
    assert not text.distinct_count_exact
    assert abs(text.distinct_count - truth) / truth < 4 * text.distinct_count_relative_error
    hot = text.buckets[0]
    true_hot = int((values == "hot").sum())
    assert hot.value == "hot"
    assert hot.count <= true_hot <= hot.count + text.frequency_error
    assert text.frequency_error <= n / 1025


def test_type_change_to_strings_keeps_exact_text_statistics_of_earlier_numbers() -> None:
    stats = _profile([pa.array(["1", "2", "2", "3"]), pa.array(["x", "2"])]).statistics()

    assert stats.inferred_type is DataType.STRING
    assert stats.type_histogram.integral == 5
    text = stats.string
    assert text is not None
    assert text.frequencies_exact
    assert [(b.value, b.count) for b in text.buckets] == [("2", 3), ("1", 1), ("3", 1), ("x", 1)]
    assert text.distinct_count == 4


def test_type_change_after_many_distinct_numbers_is_flagged_approximate() -> None:
    rng = np.random.default_rng(9)
    numbers = _text(rng.normal(size=20_000))

    stats = _profile([numbers, pa.array(["oops"])]).statistics()

    text = stats.string
    assert stats.inferred_type is DataType.STRING
    assert text is not None
    assert not text.frequencies_exact
    assert text.frequency_error >= 1
    assert text.num_present == 20_001
    assert abs(text.distinct_count - 20_001) / 20_001 < 0.1


def test_integral_then_fractional_becomes_fractional_with_both_counts() -> None:
    stats = _profile([pa.array(["1", "2"]), pa.array(["2.5"])]).statistics()

    assert stats.inferred_type is DataType.FRACTIONAL
    assert (stats.type_histogram.integral, stats.type_histogram.fractional) == (2, 1)
    assert stats.numeric is not None
    assert stats.numeric.sum == 5.5


def _split_profiles(data: list[pa.Array], cut: int) -> tuple[ColumnProfile, ColumnProfile]:
    whole = _profile(data)
    left, right = _profile(data[:cut]), _profile(data[cut:])
    left.merge(right)
    return whole, left


def test_merge_equals_one_pass_for_numbers() -> None:
    rng = np.random.default_rng(12)
    data = [_text(rng.exponential(size=40_000)) for _ in range(4)]

    whole, merged = (p.statistics().numeric for p in _split_profiles(data, 1))

    assert whole is not None and merged is not None
    assert (merged.num_present, merged.num_missing) == (whole.num_present, whole.num_missing)
    assert merged.sum == pytest.approx(whole.sum, rel=1e-12)
    assert merged.mean == pytest.approx(whole.mean, rel=1e-12)
    assert merged.std_dev == pytest.approx(whole.std_dev, rel=1e-12)
    assert (merged.min, merged.max) == (whole.min, whole.max)
    assert merged.sketch.count == whole.sketch.count
    queries = np.quantile(
        np.concatenate([np.array(d.to_pylist(), float) for d in data]), [0.1, 0.5, 0.9]
    )
    gap = np.abs(merged.sketch.cdf(queries) - whole.sketch.cdf(queries)).max()
    assert gap <= merged.rank_error + whole.rank_error


def test_merge_equals_one_pass_for_strings_and_type_changes() -> None:
    data = [pa.array(["1", "2", None]), pa.array(["a", "2", "b"]), pa.array(["a", ""])]

    whole, merged = (p.statistics() for p in _split_profiles(data, 1))

    assert merged.inferred_type is whole.inferred_type is DataType.STRING
    assert merged.type_histogram == whole.type_histogram
    assert merged.string == whole.string


def test_a_failing_column_is_isolated() -> None:
    profile = DatasetProfile()
    batch = pa.table({"bad": pa.array([[1], [2]]), "good": pa.array(["1", "2"])})
    broken = pa.table({"bad": pa.array([{"a": 1}, {"a": 2}]), "good": pa.array(["3", "4"])})

    profile.update(batch)
    profile.update(broken)

    stats = {s.name: s for s in profile.statistics()}
    assert stats["good"].numeric is not None
    assert stats["good"].numeric.sum == 10.0
    assert stats["good"].errors == ()
    assert stats["bad"].failed_rows == 4
    assert len(stats["bad"].errors) == 2
    assert "ArrowNotImplementedError" in stats["bad"].errors[0]


def test_columns_appearing_later_are_backfilled_as_missing() -> None:
    profile = DatasetProfile(["a"])
    profile.update(pa.table({"a": pa.array(["1", "2"])}))
    profile.update(pa.table({"b": pa.array(["x"])}))

    stats = {s.name: s for s in profile.statistics()}
    assert profile.item_count == 3
    assert stats["a"].type_histogram.null == 1
    assert stats["b"].type_histogram.null == 2


def test_dataset_merge_adds_counts_and_counters() -> None:
    left, right = DatasetProfile(), DatasetProfile()
    left.update(pa.table({"a": pa.array(["1"])}))
    right.update(pa.table({"a": pa.array(["2"]), "b": pa.array(["z"])}))
    right.counters.malformed = 2

    left.merge(right)

    assert left.item_count == 2
    assert left.counters.malformed == 2
    assert left.column("b").histogram.null == 1


def test_thousand_columns() -> None:
    rng = np.random.default_rng(0)
    names = [f"f{i}" for i in range(1_200)]
    profile = DatasetProfile(names)
    for _ in range(2):
        columns = {name: _text(rng.normal(size=50)) for name in names}
        profile.update(pa.table(columns))

    stats = profile.statistics()
    assert len(stats) == 1_200
    assert all(s.numeric is not None and s.numeric.num_present == 100 for s in stats)


def test_distinct_count_survives_many_repeats_of_a_few_values() -> None:
    rng = np.random.default_rng(5)
    values = np.where(rng.random(64_000) < 0.7, 0, rng.integers(1, 3001, 64_000))
    batches = [pa.array([str(v) for v in values[i : i + 16_000]]) for i in range(0, 64_000, 16_000)]

    stats = _profile([*batches, pa.array(["oops"])]).statistics()

    text = stats.string
    assert text is not None
    assert text.distinct_count_exact
    assert text.distinct_count == len(set(values.tolist())) + 1


@pytest.mark.parametrize("mixed", [False, True], ids=["integers", "integers-then-text"])
def test_integer_frequencies_equal_text_frequencies(mixed: bool) -> None:
    rng = np.random.default_rng(6)
    batches = [pa.array([str(v) for v in rng.integers(-20, 40, 5_000)]) for _ in range(4)]
    if mixed:
        batches.insert(2, pa.array(["007", "7", "x"]))
    profile = _profile(batches)
    words = [v for batch in batches for v in batch.to_pylist()]

    profile.update(pa.array(["end"]))
    text = profile.statistics().string

    assert text is not None
    assert text.frequencies_exact
    counted = {b.value: b.count for b in text.buckets}
    everything = [*words, "end"]
    assert counted == {w: everything.count(w) for w in set(everything)}


def test_integers_past_the_frequency_cap_are_flagged_approximate() -> None:
    settings = ProfileSettings(frequency_capacity=50)
    batches = [pa.array([str(v) for v in range(i, i + 40)]) for i in range(0, 120, 40)]

    stats = _profile([*batches, pa.array(["x"])], settings).statistics()

    assert stats.string is not None
    assert not stats.string.frequencies_exact


def test_string_columns_count_every_type_of_value() -> None:
    batches = [pa.array(["a", "1", "2.5", "true", None, "a"]), pa.array(["b", "3", "", "false"])]

    stats = _profile(batches).statistics()

    hist = stats.type_histogram
    assert (hist.string, hist.integral, hist.fractional, hist.boolean, hist.null) == (3, 2, 1, 2, 2)
    assert stats.string is not None
    assert [(b.value, b.count) for b in stats.string.buckets][:1] == [("a", 2)]
    assert stats.string.distinct_count == 7
