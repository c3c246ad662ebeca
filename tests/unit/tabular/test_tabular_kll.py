"""KLL sketch: SageMaker's own sample reproduces, ranks stay within the stated error, merges."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tabular import KllSketch

SAMPLE = (
    Path(__file__).resolve().parents[3] / "tests/data/sagemaker/sdk/data_quality__statistics.json"
)


def _features() -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = json.loads(SAMPLE.read_text())["features"]
    return features


def _kll(feature: dict[str, Any]) -> dict[str, Any]:
    kll: dict[str, Any] = feature["numerical_statistics"]["distribution"]["kll"]
    return kll


@pytest.mark.parametrize("feature", _features(), ids=lambda f: str(f["name"]))
def test_sample_buckets_are_rebuilt_from_the_sample_sketch(feature: dict[str, Any]) -> None:
    stats = feature["numerical_statistics"]
    assert isinstance(stats, dict)
    kll = _kll(feature)
    sketch = KllSketch.from_levels(kll["sketch"]["data"], **kll["sketch"]["parameters"])

    buckets = sketch.buckets(stats["min"], stats["max"])

    expected = [(b["lower_bound"], b["upper_bound"], b["count"]) for b in kll["buckets"]]
    assert [(b.lower_bound, b.upper_bound, b.count) for b in buckets] == expected


@pytest.mark.parametrize("feature", _features(), ids=lambda f: str(f["name"]))
def test_sample_moments_follow_from_a_level_zero_sketch(feature: dict[str, Any]) -> None:
    stats = feature["numerical_statistics"]
    assert isinstance(stats, dict)
    levels = _kll(feature)["sketch"]["data"]
    assert len(levels) == 1
    values = np.asarray(levels[0], dtype=np.float64)

    assert values.size == stats["common"]["num_present"]
    assert math.fsum(values) == pytest.approx(stats["sum"], rel=1e-12)
    assert values.mean() == pytest.approx(stats["mean"], rel=1e-12)
    assert values.std() == pytest.approx(stats["std_dev"], rel=1e-12)
    assert (values.min(), values.max()) == (stats["min"], stats["max"])


def test_sample_sketch_round_trips_and_is_exact() -> None:
    kll = _kll(_features()[0])
    sketch = KllSketch.from_levels(kll["sketch"]["data"], **kll["sketch"]["parameters"])

    assert sketch.to_levels() == kll["sketch"]["data"]
    assert (sketch.k, sketch.c, sketch.count) == (2048, 0.64, 100)
    assert sketch.epsilon() == 0.0


def _max_rank_error(sketch: KllSketch, data: np.ndarray) -> float:
    ordered = np.sort(data)
    queries = np.quantile(ordered, np.linspace(0, 1, 401))
    truth = np.searchsorted(ordered, queries, side="right")
    return float(np.abs(sketch.rank(queries) - truth).max() / data.size)


@pytest.mark.parametrize(
    ("distribution", "batch"),
    [("normal", 100_000), ("lognormal", 7_919), ("integers", 50_000)],
    ids=["normal-large-batches", "lognormal-odd-batches", "integers-with-ties"],
)
def test_ranks_stay_within_the_stated_epsilon(distribution: str, batch: int) -> None:
    rng = np.random.default_rng(7)
    makers: dict[str, Callable[[], np.ndarray]] = {
        "normal": lambda: rng.normal(size=600_000),
        "lognormal": lambda: rng.lognormal(size=300_000),
        "integers": lambda: rng.integers(0, 300, size=400_000).astype(float),
    }
    data = makers[distribution]()
    sketch = KllSketch()
    for start in range(0, data.size, batch):
        sketch.update(data[start : start + batch])

    assert sketch.count == data.size
    assert 0.0 < sketch.epsilon() < 0.02
    assert _max_rank_error(sketch, data) <= sketch.epsilon()
    assert sketch.num_retained < 8_000


def test_merged_sketches_answer_like_one_sketch() -> None:
    rng = np.random.default_rng(11)
    left, right = rng.normal(size=250_000), rng.exponential(size=150_000)
    a, b = KllSketch(), KllSketch()
    a.update(left)
    b.update(right)

    a.merge(b)

    both = np.concatenate((left, right))
    assert a.count == both.size
    assert _max_rank_error(a, both) <= a.epsilon()


def test_exclusive_and_inclusive_ranks_differ_on_ties() -> None:
    sketch = KllSketch()
    sketch.update(np.array([1.0, 2.0, 2.0, 3.0]))

    assert sketch.rank(2.0) == 3
    assert sketch.rank_exclusive(2.0) == 1
    assert sketch.cdf(np.array([0.0, 3.0])).tolist() == [0.0, 1.0]
    assert sketch.quantile(0.5) == 2.0


def test_last_bucket_is_closed_on_the_right() -> None:
    sketch = KllSketch()
    sketch.update(np.array([0.0, 5.0, 10.0]))

    counts = [b.count for b in sketch.buckets(0.0, 10.0)]

    assert counts == [1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]


def test_merging_requires_the_same_parameters() -> None:
    with pytest.raises(ValueError, match="different parameters"):
        KllSketch(k=2048).merge(KllSketch(k=200))


def test_counted_values_are_placed_without_loss() -> None:
    values, counts = np.array([1.0, 2.0, 5.0]), np.array([13, 1, 6])
    counted, repeated = KllSketch(), KllSketch()

    counted.update_counts(values, counts)
    repeated.update(np.repeat(values, counts))

    assert counted.count == repeated.count == 20
    assert counted.epsilon() == 0.0
    queries = np.array([0.0, 1.0, 1.5, 2.0, 5.0])
    assert counted.rank(queries).tolist() == repeated.rank(queries).tolist() == [0, 13, 13, 14, 20]


def test_buffered_small_batches_answer_like_one_large_batch() -> None:
    rng = np.random.default_rng(5)
    data = rng.normal(size=150_000)
    small = KllSketch()
    for start in range(0, data.size, 997):
        small.update(data[start : start + 997])

    assert small.count == data.size
    assert _max_rank_error(small, data) <= small.epsilon()
    twin = small.copy()
    twin.merge(small)
    assert twin.count == 2 * data.size


def test_the_maximum_always_lands_in_the_last_bucket() -> None:
    sketch = KllSketch()
    low, high = -3.50604, 13.0303  # low + (high - low) * 10 / 10 rounds below high
    assert low + (high - low) * 10 / 10.0 < high
    sketch.update(np.array([low, 0.0, high, high]))

    buckets = sketch.buckets(low, high)

    assert sum(b.count for b in buckets) == 4
    assert buckets[-1].count == 2
