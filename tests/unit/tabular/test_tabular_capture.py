"""Capture reader: row layout, window, shadow traffic, malformed lines, payload encodings."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from tabular import CaptureReader

SAMPLES = Path(__file__).resolve().parents[3] / "tests/data/sagemaker"


def _record(
    inputs: str,
    output: str = "0.5",
    *,
    time: str = "2024-05-01T10:00:00Z",
    encoding: str = "CSV",
    source: str | None = None,
) -> str:
    meta: dict[str, str] = {"eventId": "e", "inferenceTime": time}
    if source:
        meta["invocationSource"] = source
    capture = {
        "endpointInput": {
            "observedContentType": "text/csv",
            "mode": "INPUT",
            "data": inputs,
            "encoding": encoding,
        },
        "endpointOutput": {
            "observedContentType": "text/csv",
            "mode": "OUTPUT",
            "data": output,
            "encoding": "CSV",
        },
    }
    return json.dumps(
        {"captureData": capture, "eventMetadata": meta, "eventVersion": "0"}, separators=(",", ":")
    )


def _read(path: Path, **options: object) -> tuple[pa.Table, CaptureReader]:
    reader = CaptureReader([path], **options)  # type: ignore[arg-type]
    tables = list(reader.batches())
    table = pa.concat_tables(tables) if tables else pa.table({})
    return table, reader


def _rows(table: pa.Table) -> list[list[str | None]]:
    return sorted([list(row.values()) for row in table.to_pylist()], key=str)


def test_output_columns_come_first_and_names_apply_by_position(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join([_record("1,a", "0.9"), _record("2,", "0.1")]) + "\n")

    table, _ = _read(path, names=["label", "x"])

    assert table.column_names == ["label", "x", "_c2"]
    assert _rows(table) == [["0.1", "2", None], ["0.9", "1", "a"]]


def test_window_shadow_and_malformed_records_are_counted(tmp_path: Path) -> None:
    lines = [
        _record("1,a"),
        _record("2,b", time="2024-05-01T11:00:00Z"),
        _record("3,c", time="2024-05-01T09:59:59Z"),
        _record("4,d", source="ShadowExperiment"),
        _record("5,e", source="Live"),
        "{not json",
        json.dumps({"eventVersion": "0"}),
        _record("6,f", time="yesterday"),
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n")

    table, reader = _read(
        path,
        start=datetime(2024, 5, 1, 10, tzinfo=UTC),
        end=datetime(2024, 5, 1, 11, tzinfo=UTC),
    )

    assert _rows(table) == [["0.5", "1", "a"], ["0.5", "5", "e"]]
    counters = reader.counters
    assert (counters.out_of_window, counters.shadow, counters.malformed) == (2, 1, 3)


def test_escaped_and_non_csv_payloads_take_the_per_record_path(tmp_path: Path) -> None:
    encoded = base64.b64encode(b"7,g").decode()
    lines = [
        _record("1,a"),
        _record('2,"quoted, text"'),
        _record(encoded, encoding="BASE64"),
        _record("!!not base64!!", encoding="BASE64"),
        _record(json.dumps([3, "h"]), encoding="JSON"),
        _record("{bad json", encoding="JSON"),
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n")

    table, reader = _read(path)

    assert _rows(table) == [
        ["0.5", "1", "a"],
        ["0.5", "2", "quoted, text"],
        ["0.5", "3", "h"],
        ["0.5", "7", "g"],
    ]
    assert reader.counters.undecodable == 2


def test_rows_of_other_widths_are_padded_or_cut(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join([_record("1,a"), _record("2"), _record("3,c,extra")]) + "\n")

    table, reader = _read(path)

    assert _rows(table) == [["0.5", "1", "a"], ["0.5", "2", None], ["0.5", "3", "c"]]
    assert (reader.counters.short_rows, reader.counters.long_rows) == (1, 1)


@pytest.mark.parametrize("block_size", [300, 1 << 20], ids=["tiny-blocks", "one-block"])
def test_fast_and_per_record_paths_agree(tmp_path: Path, block_size: int) -> None:
    plain = [_record(f"{i},{i % 3}", f"0.{i}") for i in range(40)]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(plain) + "\n")
    escaped = tmp_path / "e.jsonl"
    escaped.write_text(
        "\n".join(line.replace('"eventId":"e"', '"eventId":"\\u0065"') for line in plain)
    )

    fast, _ = _read(path, block_size=block_size)
    slow, _ = _read(escaped, block_size=block_size)

    assert fast.num_rows == 40
    assert _rows(fast) == _rows(slow)


def test_sample_notebook_capture_lines() -> None:
    table, reader = _read(SAMPLES / "examples/capture__csv_endpoint.from_notebook_output.jsonl")

    assert table.num_rows == 3
    assert table.num_columns == 70
    assert table.column("_c0").to_pylist()[0] == "0.036397725343704224"
    assert table.column("_c1").to_pylist()[0] == "132"
    assert reader.counters.malformed == 0


def test_sample_json_instances_become_rows() -> None:
    table, reader = _read(SAMPLES / "sdk/monitor__captured-data.jsonl")

    assert _rows(table)[:3] == [["3.5", "1.0"], ["3.5", "1.0"], ["4.0", "2.0"]]
    assert table.num_rows == 6
    assert reader.counters.undecodable == 0


def test_sample_base64_output_with_column_oriented_json_input() -> None:
    (path,) = (SAMPLES / "third_party").glob("capture__base64_output_with_inferenceId*.jsonl")

    table, reader = _read(path)

    assert table.num_rows == 2
    assert table.column("_c0").to_pylist() == ["478046.66", "206551.01"]
    assert table.column("longitude").to_pylist() == ["-122.44", "-116.99"]
    assert reader.counters.undecodable == 0


def test_sdk_template_times_without_zone_are_utc(tmp_path: Path) -> None:
    text = (SAMPLES / "sdk/monitor__capture.template.jsonl").read_text()
    path = tmp_path / "c.jsonl"
    path.write_text(text.replace("{%s}", "2024-05-01T10:15:30.123456"))

    table, reader = _read(
        path,
        start=datetime(2024, 5, 1, 10, tzinfo=UTC),
        end=datetime(2024, 5, 1, 11, tzinfo=UTC),
    )

    assert table.num_rows == len(text.splitlines()) == 44  # the last line has no newline
    assert table.num_columns == 8
    assert reader.counters.out_of_window == 0


@pytest.mark.parametrize("block_size", [700, 1 << 20], ids=["small-blocks", "one-block"])
def test_a_serializer_change_mid_file_reads_every_row(tmp_path: Path, block_size: int) -> None:
    first = [_record(f"{i},a", f"0.{i}") for i in range(30)]
    reordered = [
        json.dumps(
            {"eventMetadata": json.loads(line)["eventMetadata"], **json.loads(line)},
            separators=(",", ":"),
        )
        for line in (_record(f"{i},b", f"0.{i}") for i in range(30, 60))
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(first + reordered) + "\n")

    table, reader = _read(path, block_size=block_size)

    assert table.num_rows == 60
    assert sorted(table.column("_c1").to_pylist(), key=int) == [str(i) for i in range(60)]
    assert reader.counters.malformed == 0


def test_empty_fields_and_empty_payloads_are_missing(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join([_record("1,", ""), _record(",b", "0.2")]) + "\n")

    table, _ = _read(path)

    assert _rows(table) == [["0.2", None, "b"], [None, "1", None]]
