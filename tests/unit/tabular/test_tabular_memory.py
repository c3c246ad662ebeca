"""Profiling memory does not grow with the number of rows (tracemalloc, no timings)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pyarrow as pa

from tabular import DatasetProfile

BATCH = 10_000


def _batch(rng: np.random.Generator) -> pa.Table:
    numbers = [f"{v:.5f}" for v in rng.normal(size=BATCH)]
    counts = [str(v) for v in rng.integers(0, 50, BATCH)]
    words = [f"w{v}" for v in rng.zipf(1.3, BATCH) % 5_000]
    return pa.table({"x": numbers, "n": counts, "s": words})


def _peak(rows: int) -> int:
    rng = np.random.default_rng(0)
    batches = [_batch(rng) for _ in range(3)]
    profile = DatasetProfile()
    profile.update(batches[0])  # warm caches and lazy state before measuring
    tracemalloc.start()
    try:
        for i in range(rows // BATCH):
            profile.update(batches[i % 3])
        profile.statistics()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_is_flat_in_the_row_count() -> None:
    small, large = _peak(50_000), _peak(500_000)

    assert large < 1.5 * small + 1_000_000
