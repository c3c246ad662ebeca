"""Broken files are rejected with the field and the reason; custom check types are valid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from contracts import FileKind, check_file
from runtime.cli import cli
from tests.conftest import SAMPLES

STATISTICS = json.loads((SAMPLES / "sdk" / "data_quality__statistics.json").read_text())
CAPTURE_LINE = SAMPLES / "examples" / "capture__csv_endpoint.from_notebook_output.jsonl"
CAPTURE = json.loads(CAPTURE_LINE.read_text().splitlines()[0])


def _without(document: dict[str, Any], *path: str | int) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(document))
    target: Any = copy
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return copy


def _replace(document: dict[str, Any], value: object, *path: str | int) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(document))
    target: Any = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


BROKEN_DOCUMENTS = [
    pytest.param(
        "statistics.json",
        _without(STATISTICS, "dataset"),
        "$.dataset",
        "Field required",
        id="statistics-missing-dataset",
    ),
    pytest.param(
        "statistics.json",
        _replace(STATISTICS, "lots", "features", 0, "numerical_statistics", "mean"),
        "$.features[0].numerical_statistics.mean",
        "expected a number, got the string 'lots'",
        id="statistics-mean-is-text",
    ),
    pytest.param(
        "statistics.json",
        _replace(STATISTICS, -3, "features", 1, "numerical_statistics", "common", "num_missing"),
        "$.features[1].numerical_statistics.common.num_missing",
        "greater than or equal to 0",
        id="statistics-negative-count",
    ),
    pytest.param(
        "statistics.json",
        _without(STATISTICS, "features", 0, "numerical_statistics"),
        "$.features[0]",
        "numerical_statistics is required for an Fractional feature",
        id="statistics-numeric-feature-without-numbers",
    ),
    pytest.param(
        "constraints.json",
        {"features": [{"name": "a", "inferred_type": "Integral", "completeness": 1.5}]},
        "$.features[0].completeness",
        "less than or equal to 1",
        id="constraints-completeness-above-one",
    ),
    pytest.param(
        "constraints.json",
        {
            "features": [],
            "monitoring_config": {"distribution_constraints": {"comparison_method": "fuzzy"}},
        },
        "$.monitoring_config.distribution_constraints.comparison_method",
        "Input should be 'Simple' or 'Robust'",
        id="constraints-unknown-method",
    ),
    pytest.param(
        "constraint_violations.json",
        {"violations": [{"feature_name": "age", "description": "drifted"}]},
        "$.violations[0].constraint_check_type",
        "Field required",
        id="violation-without-check-type",
    ),
    pytest.param(
        "constraint_violations.json",
        {"violations": [{"constraint_check_type": "data_type_check", "description": "x"}]},
        "$.violations[0]",
        "a violation needs a feature_name or a metric_name",
        id="violation-without-subject",
    ),
]


@pytest.mark.parametrize(("name", "document", "location", "message"), BROKEN_DOCUMENTS)
def test_broken_document_names_field_and_reason(
    tmp_path: Path, name: str, document: object, location: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    report = check_file(path)
    assert not report.valid
    assert any(
        problem.location == location and message in problem.message for problem in report.problems
    ), [str(problem) for problem in report.problems]


def test_invalid_json_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "statistics.json"
    path.write_text('{"version": 0.0,\n "dataset": {"item_count": 3,}\n}')
    report = check_file(path)
    assert [str(problem) for problem in report.problems] == [
        "$: invalid JSON: Expecting property name enclosed in double quotes (line 2, column 30)"
    ]


BROKEN_LINES = [
    pytest.param(
        _replace(
            _replace(CAPTURE, "BASE64", "captureData", "endpointOutput", "encoding"),
            "%%%",
            "captureData",
            "endpointOutput",
            "data",
        ),
        "line 2: $.captureData.endpointOutput",
        "data is not valid base64",
        id="bad-base64",
    ),
    pytest.param(
        _replace(CAPTURE, "18/04/2022 00:21", "eventMetadata", "inferenceTime"),
        "line 2: $.eventMetadata.inferenceTime",
        "not an ISO-8601 time",
        id="unparseable-time",
    ),
    pytest.param(
        _without(CAPTURE, "eventMetadata", "eventId"),
        "line 2: $.eventMetadata.eventId",
        "Field required",
        id="missing-event-id",
    ),
    pytest.param(
        _replace(CAPTURE, "XML", "captureData", "endpointInput", "encoding"),
        "line 2: $.captureData.endpointInput.encoding",
        "Input should be 'CSV', 'JSON' or 'BASE64'",
        id="unknown-encoding",
    ),
    pytest.param(
        _replace(
            _replace(CAPTURE, "JSON", "captureData", "endpointInput", "encoding"),
            "{broken",
            "captureData",
            "endpointInput",
            "data",
        ),
        "line 2: $.captureData.endpointInput",
        "data: payload is not valid JSON",
        id="json-payload-not-json",
    ),
]


@pytest.mark.parametrize(("record", "location", "message"), BROKEN_LINES)
def test_broken_capture_line(tmp_path: Path, record: object, location: str, message: str) -> None:
    path = tmp_path / "capture.jsonl"
    path.write_text(json.dumps(CAPTURE) + "\n" + json.dumps(record) + "\n")
    report = check_file(path)
    assert report.kind is FileKind.CAPTURE
    assert report.records == 1
    assert any(
        problem.location == location and message in problem.message for problem in report.problems
    ), [str(problem) for problem in report.problems]


def test_capture_line_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    path.write_text("{oops\n")
    assert [str(p) for p in check_file(path).problems] == [
        "line 1: $: invalid JSON: Expecting property name enclosed in double quotes "
        "(line 1, column 2)"
    ]


def test_metric_line_needs_exactly_one_datum(tmp_path: Path) -> None:
    path = tmp_path / "cloudwatch_metrics.jsonl"
    record = {"MetricName": "m", "Timestamp": "2024-05-01T10:00:00Z", "Value": 1.0}
    both = record | {"StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}
    path.write_text(json.dumps(record) + "\n" + json.dumps(both) + "\n")
    problems = [str(problem) for problem in check_file(path).problems]
    assert problems == ["line 2: $: exactly one of Value and StatisticValues must be set"]


def test_pretty_printed_metrics_file_is_invalid(tmp_path: Path) -> None:
    path = tmp_path / "cloudwatch_metrics.jsonl"
    path.write_text(json.dumps({"MetricName": "m", "Value": 1.0}, indent=4))
    assert not check_file(path).valid


def test_custom_check_types_are_valid(tmp_path: Path) -> None:
    path = tmp_path / "constraint_violations.json"
    violations = [
        {
            "feature_name": "text",
            "constraint_check_type": "embedding_drift_check",
            "description": "MMD 0.31 exceeds 0.2",
            "sentence": "extra fields are kept",
        },
        {"metric_name": "toxicity", "constraint_check_type": "toxicity_check", "description": ""},
    ]
    path.write_text(json.dumps({"violations": violations}))
    assert check_file(path).valid


def test_unknown_kind_needs_the_kind_option(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text("{}")
    report = check_file(path)
    assert not report.valid
    assert "pass --kind" in str(report.problems[0])


def test_cli_exit_codes_and_json(tmp_path: Path) -> None:
    good = tmp_path / "constraint_violations.json"
    good.write_text(json.dumps({"violations": []}))
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps({"violations": [{"feature_name": "a", "description": "d"}]}))
    runner = CliRunner()
    assert runner.invoke(cli, ["contract", "check", str(good)]).exit_code == 0
    result = runner.invoke(cli, ["contract", "check", "--kind", "violations", str(good), str(bad)])
    assert result.exit_code == 1
    assert "$.violations[0].constraint_check_type: Field required" in result.output
    result = runner.invoke(cli, ["contract", "check", "--json", "--kind", "violations", str(bad)])
    payload = json.loads(result.output)
    assert payload["valid"] is False
    assert payload["files"][0]["problems"] == [
        {"location": "$.violations[0].constraint_check_type", "message": "Field required"}
    ]
    missing = runner.invoke(cli, ["contract", "check", str(tmp_path / "absent.json")])
    assert missing.exit_code == 1
    assert "cannot read the file" in missing.output
