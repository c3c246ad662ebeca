"""Capture records: decoding, validation, and streaming a window of capture files."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from contracts import CaptureReader, CaptureRecord, Encoding, PayloadError, find_capture_files
from contracts.capture_reader import describe_capture_file
from tests.conftest import SAMPLES


def _record(
    moment: str = "2024-05-01T10:15:00Z",
    *,
    input_data: str = "1,2,3",
    output_data: str = "0.5",
    output_encoding: str = "CSV",
    source: str | None = None,
) -> dict[str, object]:
    metadata: dict[str, object] = {"eventId": "e-1", "inferenceTime": moment}
    if source:
        metadata["invocationSource"] = source
    return {
        "captureData": {
            "endpointInput": {
                "observedContentType": "text/csv",
                "mode": "INPUT",
                "data": input_data,
                "encoding": "CSV",
            },
            "endpointOutput": {
                "observedContentType": "text/csv",
                "mode": "OUTPUT",
                "data": output_data,
                "encoding": output_encoding,
            },
        },
        "eventMetadata": metadata,
        "eventVersion": "0",
    }


def test_row_puts_output_columns_first() -> None:
    record = CaptureRecord.model_validate(_record())
    assert record.row() == ["0.5", "1", "2", "3"]
    assert record.row(("endpointInput",)) == ["1", "2", "3"]
    assert record.endpoint_input is not None
    assert record.endpoint_input.data == "1,2,3"
    assert record.event_data.endpoint_input is record.endpoint_input
    assert record.join_key == "e-1"


def test_base64_sample_decodes_to_json() -> None:
    path = SAMPLES / "third_party"
    line = next(path.glob("*.jsonl")).read_text().splitlines()[0]
    record = CaptureRecord.model_validate_json(line)
    assert record.endpoint_output is not None
    assert record.endpoint_output.encoding is Encoding.BASE64
    assert record.endpoint_output.decode_json() == {"median_house_value": [478046.66, 206551.01]}
    assert record.endpoint_output.rows() == [[478046.66], [206551.01]]
    assert record.endpoint_output.values() == [478046.66]
    assert record.join_key == "c7f0edc0-9397-4cd3-a948-bd7b639da2f5"


def test_json_payload_values() -> None:
    line = (SAMPLES / "sdk" / "monitor__captured-data.jsonl").read_text().splitlines()[0]
    record = CaptureRecord.model_validate_json(line)
    assert record.row() == [3.5, 4.0, 5.5, 1.0, 2.0, 5.0]


def test_bad_base64_is_rejected_naming_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        CaptureRecord.model_validate(_record(output_data="not*base64", output_encoding="BASE64"))
    error = raised.value.errors()[0]
    assert error["loc"] == ("captureData", "endpointOutput")
    assert "data is not valid base64" in error["msg"]


def test_unparseable_time_is_rejected_naming_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        CaptureRecord.model_validate(_record("noon"))
    assert raised.value.errors()[0]["loc"] == ("eventMetadata", "inferenceTime")


def test_non_utf8_base64_payload_text_raises_payload_error() -> None:
    data = base64.b64encode(b"\xff\xfe").decode()
    record = CaptureRecord.model_validate(_record(output_data=data, output_encoding="BASE64"))
    assert record.endpoint_output is not None
    assert record.endpoint_output.raw() == b"\xff\xfe"
    with pytest.raises(PayloadError, match="not UTF-8"):
        record.endpoint_output.text()


def _write_hour(root: Path, hour: datetime, lines: list[str], endpoint: str = "ep") -> Path:
    folder = root / endpoint / "AllTraffic" / hour.strftime("%Y/%m/%d/%H")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "00-00-000-capture.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_find_capture_files_selects_hours_overlapping_the_window(tmp_path: Path) -> None:
    for hour in (9, 10, 11, 12):
        _write_hour(tmp_path, datetime(2024, 5, 1, hour, tzinfo=UTC), ["{}"])
    _write_hour(tmp_path, datetime(2024, 5, 1, 10, tzinfo=UTC), ["{}"], endpoint="other")
    found = find_capture_files(
        tmp_path,
        endpoint="ep",
        start=datetime(2024, 5, 1, 10, 30, tzinfo=UTC),
        end=datetime(2024, 5, 1, 12, tzinfo=UTC),
    )
    assert [item.hour.hour for item in found if item.hour] == [10, 11]
    assert {item.endpoint for item in found} == {"ep"}
    assert {item.variant for item in found} == {"AllTraffic"}


def test_describe_file_outside_layout(tmp_path: Path) -> None:
    path = tmp_path / "loose.jsonl"
    path.write_text("")
    assert describe_capture_file(tmp_path, path).hour is None


def test_reader_counts_and_skips_without_failing(tmp_path: Path) -> None:
    hour = datetime(2024, 5, 1, 10, tzinfo=UTC)
    lines = [
        json.dumps(_record("2024-05-01T10:00:00Z")),
        json.dumps(_record("2024-05-01T10:59:59Z")),
        json.dumps(_record("2024-05-01T11:00:00Z")),  # outside [10:00, 11:00)
        json.dumps(_record("2024-05-01T10:30:00Z", source="ShadowExperiment")),
        "{not json",
        json.dumps(_record(output_data="@@", output_encoding="BASE64")),
        json.dumps({"eventMetadata": {"eventId": "x"}}),
        "",
    ]
    path = _write_hour(tmp_path, hour, lines)
    path.write_bytes(path.read_bytes() + b"\xff\xfe not utf-8\n")
    reader = CaptureReader(
        find_capture_files(tmp_path), start=hour, end=datetime(2024, 5, 1, 11, tzinfo=UTC)
    )
    records = list(reader)
    assert len(records) == 2
    stats = reader.stats
    assert (stats.files, stats.lines, stats.records) == (1, 8, 2)
    assert (stats.malformed, stats.shadow, stats.outside_window) == (4, 1, 1)
    reasons = [problem.reason for problem in stats.problems]
    assert any(reason.startswith("not JSON") for reason in reasons)
    assert any("base64" in reason for reason in reasons)
    assert any(reason.startswith("captureData") for reason in reasons)
    assert any(reason.startswith("not UTF-8") for reason in reasons)
    assert {problem.line for problem in stats.problems} == {5, 6, 7, 9}
    assert "2 records from 1 files" in stats.summary()
