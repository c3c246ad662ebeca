"""CSV, JSON Lines and Parquet readers: naming, text values, malformed input counted."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tabular import CsvReader, JsonLinesReader, ParquetReader

SAMPLES = Path(__file__).resolve().parents[3] / "tests/data/sagemaker/examples"


def _table(reader: CsvReader | JsonLinesReader | ParquetReader) -> pa.Table:
    return pa.concat_tables(list(reader.batches()), promote_options="permissive")


def test_headerless_csv_columns_are_named_like_spark(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("1,a,2.5\n2,,NaN\n")

    table = _table(CsvReader([path], header=False))

    assert table.column_names == ["_c0", "_c1", "_c2"]
    assert table.column("_c1").to_pylist() == ["a", None]
    assert table.column("_c2").to_pylist() == ["2.5", "NaN"]
    assert all(pa.types.is_string(t) for t in table.schema.types)


def test_headerless_csv_can_take_feature_names(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("1,2,3\n")

    table = _table(CsvReader([path], header=False, names=["label", "age"]))

    assert table.column_names == ["label", "age", "_c2"]


def test_csv_with_header_and_a_malformed_row(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text('a,b\n1,"x,y"\n1,2,3\n,""\n')
    reader = CsvReader([path], header=True)

    table = _table(reader)

    assert table.column_names == ["a", "b"]
    assert table.column("b").to_pylist() == ["x,y", None]
    assert table.column("a").to_pylist() == ["1", None]
    assert reader.counters.malformed == 1


def test_sample_training_csv_reads_every_row() -> None:
    path = SAMPLES / "data_quality__training-dataset-with-header.head51.csv"

    table = _table(CsvReader([path], header=True))

    assert table.num_rows == 50
    assert table.column_names[0] == "Churn"


def test_json_lines_keep_types_and_stringify_nested_values(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text(
        '{"a": 1, "b": "x", "c": {"k": [1, 2]}, "t": "2024-05-01T00:00:00Z"}\n'
        '{"a": 2, "b": null, "c": null, "t": "2024-05-02T00:00:00Z"}\n'
    )

    table = _table(JsonLinesReader([path]))

    assert table.column("a").to_pylist() == [1, 2]
    assert table.column("c").to_pylist() == ['{"k":[1,2]}', None]
    assert table.column("t").to_pylist() == ["2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z"]


def test_json_lines_with_bad_lines_fall_back_per_line(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"a": 1, "b": true}\n{not json\n[1, 2]\n{"a": "x", "b": false}\n')
    reader = JsonLinesReader([path])

    table = _table(reader)

    assert reader.counters.malformed == 2
    assert table.column("a").to_pylist() == ["1", "x"]
    assert table.column("b").to_pylist() == ["true", "false"]


def test_parquet_streams_row_groups(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    data = pa.table({"x": list(range(25)), "y": [{"k": i} for i in range(25)]})
    pq.write_table(data, path, row_group_size=10)

    batches = list(ParquetReader([path], batch_rows=10).batches())

    assert [b.num_rows for b in batches] == [10, 10, 5]
    assert batches[0].column("y").to_pylist()[0] == '{"k":0}'
    assert pa.types.is_integer(batches[0].schema.field("x").type)
