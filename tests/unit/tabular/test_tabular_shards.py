"""Parallel profiling: byte ranges read every line once, and worker profiles merge faithfully."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from tabular import DatasetProfile, FileRange, InputFormat, profile_files
from tabular.reader import line_blocks
from tabular.shards import (
    available_cpus,
    default_workers,
    parse_quota,
    plan_shards,
    profile_shards,
)


def _lines(path: Path, ranges: list[FileRange]) -> list[bytes]:
    blocks = [block for part in ranges for block in line_blocks(part, block_size=7)]
    return b"".join(blocks).splitlines()


@pytest.mark.parametrize("final_break", [True, False], ids=["final-break", "no-final-break"])
def test_ranges_cut_anywhere_hold_every_line_once(tmp_path: Path, final_break: bool) -> None:
    lines = [f"line {i} " + "x" * (i % 5) for i in range(40)]
    path = tmp_path / "f.txt"
    path.write_text("\n".join(lines) + ("\n" if final_break else ""))
    size = path.stat().st_size

    for cut in range(size + 1):
        ranges = [FileRange(path, 0, cut), FileRange(path, cut, None)]
        assert [line.decode() for line in _lines(path, ranges)] == lines


def test_shards_cover_every_file_in_order(tmp_path: Path) -> None:
    paths = []
    for i, size in enumerate([100, 0, 37, 250]):
        path = tmp_path / f"{i}.txt"
        path.write_bytes(b"x" * size)
        paths.append(path)

    shards = plan_shards(paths, 3)

    assert len(shards) == 3
    covered: dict[Path, list[tuple[int, int | None]]] = {}
    for shard in shards:
        for part in shard:
            covered.setdefault(Path(part.path), []).append((part.start, part.end))
    assert covered[paths[0]] == [(0, None)]
    assert covered[paths[3]][0][0] == 0 and covered[paths[3]][-1][1] is None
    parts = covered[paths[3]]
    assert all(b == c for (_, b), (c, _) in itertools.pairwise(parts))
    assert plan_shards(paths, 1) == [[FileRange(p) for p in paths]]


@pytest.mark.parametrize(
    ("quota", "period", "expected"),
    [("max", "100000", None), ("-1", "100000", None), ("150000", "100000", 1.5), ("x", "1", None)],
)
def test_cgroup_quota_is_read_as_cpus(quota: str, period: str, expected: float | None) -> None:
    assert parse_quota(quota, period) == expected


def test_default_workers_fit_the_machine() -> None:
    assert 1 <= default_workers() <= min(2, available_cpus())


def _capture_line(i: int, rng: np.random.Generator) -> str:
    inputs = f"{rng.normal():.4f},{rng.integers(0, 30)},c{rng.integers(0, 7)},"
    record = {
        "captureData": {
            "endpointInput": {"data": inputs + ("" if i % 11 else "x"), "encoding": "CSV"},
            "endpointOutput": {"data": f"{rng.random():.5f}", "encoding": "CSV"},
        },
        "eventMetadata": {"eventId": str(i), "inferenceTime": "2024-05-01T00:00:00Z"},
    }
    return json.dumps(record, separators=(",", ":"))


def _write(tmp_path: Path, kind: InputFormat) -> list[Path]:
    rng = np.random.default_rng(8)
    paths = []
    for part in range(2):
        if kind is InputFormat.CSV:
            rows = [
                f"{rng.normal():.3f},{rng.integers(0, 9)},w{rng.integers(0, 5)}" for _ in range(900)
            ]
            text = "a,b,c\n" + "\n".join(rows) + "\n"
        elif kind is InputFormat.JSON_LINES:
            rows = [json.dumps({"a": float(rng.normal()), "b": f"w{i % 7}"}) for i in range(900)]
            text = "\n".join(rows) + "\n"
        else:
            text = "\n".join(_capture_line(i, rng) for i in range(900)) + "\n"
        path = tmp_path / f"part{part}.dat"
        path.write_text(text)
        paths.append(path)
    return paths


@pytest.mark.parametrize(
    "kind", [InputFormat.CSV, InputFormat.JSON_LINES, InputFormat.CAPTURE], ids=lambda k: k.value
)
def test_two_workers_give_the_one_process_profile(tmp_path: Path, kind: InputFormat) -> None:
    paths = _write(tmp_path, kind)
    options = {"header": kind is InputFormat.CSV, "block_size": 4096}

    one = profile_files(kind, paths, workers=1, **options)  # type: ignore[arg-type]
    three = profile_files(kind, paths, workers=3, **options)  # type: ignore[arg-type]

    assert three.item_count == one.item_count == 1800
    assert three.counters == one.counters
    for left, right in zip(one.statistics(), three.statistics(), strict=True):
        assert (left.name, left.type_histogram) == (right.name, right.type_histogram)
        assert left.string == right.string
        if left.numeric is not None:
            assert right.numeric is not None
            assert right.numeric.sum == pytest.approx(left.numeric.sum, rel=1e-9, abs=1e-9)
            assert (right.numeric.min, right.numeric.max) == (left.numeric.min, left.numeric.max)
            assert right.numeric.sketch.count == left.numeric.sketch.count


def test_a_profile_survives_pickling(tmp_path: Path) -> None:
    profile = profile_files(InputFormat.CAPTURE, _write(tmp_path, InputFormat.CAPTURE), workers=1)

    twin = pickle.loads(pickle.dumps(profile))

    assert [s.type_histogram for s in twin.statistics()] == [
        s.type_histogram for s in profile.statistics()
    ]
    assert [s.string for s in twin.statistics()] == [s.string for s in profile.statistics()]


def _failing(shard: list[FileRange]) -> DatasetProfile:
    if shard[0].start:
        raise ValueError("broken shard")
    return DatasetProfile()


def _dying(shard: list[FileRange]) -> DatasetProfile:
    if shard[0].start:
        os._exit(3)
    return DatasetProfile()


def test_a_worker_error_is_raised_in_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("a\n" * 100)

    with pytest.raises(ValueError, match="broken shard"):
        profile_shards(_failing, plan_shards([path], 2))


def test_a_worker_that_dies_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("a\n" * 100)

    with pytest.raises(RuntimeError, match="exited with code 3"):
        profile_shards(_dying, plan_shards([path], 2))


def test_arrow_pool_is_restored_after_a_run(tmp_path: Path) -> None:
    before = pa.default_memory_pool().backend_name

    profile_files(InputFormat.CAPTURE, _write(tmp_path, InputFormat.CAPTURE), workers=2)

    assert pa.default_memory_pool().backend_name == before


def _in_a_daemon(path: str, results: Any) -> None:
    profile = profile_files(InputFormat.CAPTURE, [path], workers=2)
    results.put(profile.item_count)


def test_a_daemonic_process_profiles_its_shards_itself(tmp_path: Path) -> None:
    paths = _write(tmp_path, InputFormat.CAPTURE)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    process = context.Process(target=_in_a_daemon, args=(str(paths[0]), results), daemon=True)

    process.start()
    count = results.get(timeout=60)
    process.join()

    assert count == 900
