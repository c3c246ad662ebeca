"""One pass over files of every format, threaded or not, gives the same profile."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tabular import DataType, InputFormat, profile_files
from tabular.engine import rebatch


def _rows(n: int) -> list[tuple[str, str, str]]:
    rng = np.random.default_rng(21)
    return [
        (f"{rng.random():.4f}", str(rng.integers(0, 9)), f"c{rng.integers(0, 4)}") for _ in range(n)
    ]


def _write(tmp_path: Path, kind: InputFormat, rows: list[tuple[str, str, str]]) -> Path:
    if kind is InputFormat.CSV:
        path = tmp_path / "d.csv"
        path.write_text("".join(",".join(r) + "\n" for r in rows))
    elif kind is InputFormat.JSON_LINES:
        path = tmp_path / "d.jsonl"
        lines = [json.dumps({"_c0": float(a), "_c1": int(b), "_c2": c}) for a, b, c in rows]
        path.write_text("\n".join(lines) + "\n")
    elif kind is InputFormat.PARQUET:
        path = tmp_path / "d.parquet"
        table = pa.table({f"_c{i}": [r[i] for r in rows] for i in range(3)})
        pq.write_table(table, path, row_group_size=500)
    else:
        path = tmp_path / "d.jsonl"
        meta = '"eventMetadata":{"eventId":"e","inferenceTime":"2024-05-01T00:00:00Z"}'
        head = '{"captureData":{"endpointInput":{"data":"'
        middle = '","encoding":"CSV"},"endpointOutput":{"data":"'
        tail = '","encoding":"CSV"}},' + meta + "}"
        lines = [f"{head}{b},{c}{middle}{a}{tail}" for a, b, c in rows]
        path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("kind", list(InputFormat), ids=lambda k: k.value)
def test_every_format_profiles_the_same_data(tmp_path: Path, kind: InputFormat) -> None:
    rows = _rows(2_000)
    path = _write(tmp_path, kind, rows)

    profile = profile_files(kind, [path], block_size=16_384, batch_rows=700)

    stats = {s.name: s for s in profile.statistics()}
    assert profile.item_count == 2_000
    assert stats["_c0"].inferred_type is DataType.FRACTIONAL
    assert stats["_c1"].inferred_type is DataType.INTEGRAL
    assert stats["_c2"].inferred_type is DataType.STRING
    numeric = stats["_c1"].numeric
    assert numeric is not None
    assert numeric.sum == sum(int(r[1]) for r in rows)
    text = stats["_c2"].string
    assert text is not None
    assert sum(b.count for b in text.buckets) == 2_000


def test_threads_give_the_same_profile(tmp_path: Path) -> None:
    path = _write(tmp_path, InputFormat.CAPTURE, _rows(3_000))

    one = profile_files(InputFormat.CAPTURE, [path], block_size=20_000)
    two = profile_files(InputFormat.CAPTURE, [path], block_size=20_000, threads=2)

    assert [s.type_histogram for s in one.statistics()] == [
        s.type_histogram for s in two.statistics()
    ]
    first, second = one.statistics()[0].numeric, two.statistics()[0].numeric
    assert first is not None and second is not None
    assert (first.sum, first.std_dev) == (second.sum, second.std_dev)


def test_capture_names_are_kept_in_order(tmp_path: Path) -> None:
    path = _write(tmp_path, InputFormat.CAPTURE, _rows(10))

    profile = profile_files(InputFormat.CAPTURE, [path], names=["score", "n", "cat", "gone"])

    assert profile.column_names == ["score", "n", "cat", "gone"]
    assert profile.column("gone").histogram.null == 10


def test_rebatch_joins_tables_of_one_schema_in_order() -> None:
    small = [pa.table({"a": [str(i)] * 10}) for i in range(5)]
    other = pa.table({"b": ["x"]})

    joined = list(rebatch([*small[:3], other, *small[3:]], target_bytes=100))

    assert [t.num_rows for t in joined] == [20, 10, 1, 20]
    expected = [str(i) for i in range(3) for _ in range(10)]
    assert pa.concat_tables(joined[:2]).column("a").to_pylist() == expected
    assert joined[2].column_names == ["b"]
