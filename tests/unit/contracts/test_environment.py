"""The job environment: every variable, the config-file fallback and liberal spellings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from contracts import (
    AnalysisType,
    DatasetFormat,
    DatasetKind,
    MonitoringEnvironment,
    ProblemType,
    Toggle,
)
from contracts.environment import KNOWN_VARIABLES

DOC_EXAMPLE = {
    "dataset_format": '{"sagemakerCaptureJson": {"captureIndexNames": '
    '["endpointInput","endpointOutput"]}}',
    "dataset_source": "/opt/ml/processing/endpointdata",
    "end_time": "2019-12-01T16: 20: 00Z",
    "output_path": "/opt/ml/processing/resultdata",
    "publish_cloudwatch_metrics": "Disabled",
    "sagemaker_endpoint_name": "endpoint-name",
    "sagemaker_monitoring_schedule_name": "schedule-name",
    "start_time": "2019-12-01T15: 20: 00Z",
}


def test_documentation_example_with_spaced_times() -> None:
    env = MonitoringEnvironment.from_environ(DOC_EXAMPLE)
    assert env.start_time == datetime(2019, 12, 1, 15, 20, tzinfo=UTC)
    assert env.end_time == datetime(2019, 12, 1, 16, 20, tzinfo=UTC)
    assert env.dataset_format is not None
    assert env.dataset_format.kind is DatasetKind.CAPTURE
    assert env.publish_cloudwatch_metrics is Toggle.DISABLED
    assert env.sagemaker_endpoint_name == "endpoint-name"
    assert env.is_baselining


def test_every_variable_of_the_reference_table_is_a_field() -> None:
    fields = {field.alias or name for name, field in MonitoringEnvironment.model_fields.items()}
    assert set(KNOWN_VARIABLES) <= fields


def test_model_quality_job_from_reference() -> None:
    env = MonitoringEnvironment.from_environ(
        {
            "analysis_type": "MODEL_QUALITY",
            "baseline_constraints": "/opt/ml/processing/baseline/constraints/constraints.json",
            "dataset_format": '{"sagemakerMergeJson":{"captureIndexNames":["endpointOutput"]}}',
            "end_time": "2021-05-06T23:00:00Z",
            "inference_attribute": "0",
            "metric_time": "2021-05-06T22:00:00Z",
            "problem_type": "Regression",
            "probability_threshold_attribute": "0.5",
            "publish_cloudwatch_metrics": "Enabled",
        }
    )
    assert env.effective_analysis_type is AnalysisType.MODEL_QUALITY
    assert env.problem_type is ProblemType.REGRESSION
    assert env.probability_threshold_attribute == 0.5
    assert env.dataset_format is not None and env.dataset_format.kind is DatasetKind.MERGE
    assert env.dataset_format.capture is not None
    assert env.dataset_format.capture.capture_index_names == ["endpointOutput"]
    assert env.publish_cloudwatch_metrics.enabled
    assert not env.is_baselining


def test_environment_wins_over_config_file_which_fills_the_rest(tmp_path: Path) -> None:
    config = tmp_path / "processingjobconfig.json"
    config.write_text(
        json.dumps(
            {
                "ProcessingJobName": "job",
                "Environment": {
                    "sagemaker_endpoint_name": "from-file",
                    "output_path": "/file/output",
                    "THRESHOLD": "0.7",
                },
            }
        )
    )
    env = MonitoringEnvironment.from_environ(
        {"output_path": "/env/output", "PATH": "/usr/bin"}, config
    )
    assert env.output_path == "/env/output"
    assert env.sagemaker_endpoint_name == "from-file"
    assert env.user_keys == {"THRESHOLD": "0.7"}
    assert env.user("THRESHOLD") == "0.7"


def test_missing_config_file_means_defaults(tmp_path: Path) -> None:
    env = MonitoringEnvironment.from_environ({}, tmp_path / "absent.json")
    assert env.dataset_source == "/opt/ml/processing/input/endpoint"
    assert env.output_path == "/opt/ml/processing/output"
    assert env.cloudwatch_metrics_directory == "/opt/ml/output/metrics/cloudwatch"
    assert env.effective_analysis_type is AnalysisType.DATA_QUALITY


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-05-06T22:00:00Z", datetime(2021, 5, 6, 22, tzinfo=UTC)),
        ("2019-12-01T16: 20: 00Z", datetime(2019, 12, 1, 16, 20, tzinfo=UTC)),
        ("2021-05-06T22:00:00.250Z", datetime(2021, 5, 6, 22, 0, 0, 250000, tzinfo=UTC)),
        ("2021-05-06T22:00:00", datetime(2021, 5, 6, 22, tzinfo=UTC)),
        ("2021-05-07T00:00:00+02:00", datetime(2021, 5, 6, 22, tzinfo=UTC)),
    ],
    ids=["zulu", "doc-spaces", "fraction", "no-zone", "offset"],
)
def test_times_are_utc(value: str, expected: datetime) -> None:
    assert MonitoringEnvironment.from_environ({"start_time": value}).start_time == expected


def test_bad_time_names_the_variable() -> None:
    with pytest.raises(ValidationError) as raised:
        MonitoringEnvironment.from_environ({"end_time": "yesterday"})
    assert raised.value.errors()[0]["loc"] == ("end_time",)
    assert "ISO-8601" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"sagemakerCaptureJson": {"captureIndexNames": ["endpointInput"]}}', DatasetKind.CAPTURE),
        ('{"sageMakerCaptureJson": {"captureIndexNames": ["endpointInput"]}}', DatasetKind.CAPTURE),
        ('{"sagemakerCaptureJson": {}}', DatasetKind.CAPTURE),
        ('{"csv": {"header": true, "output_columns_position": "START"}}', DatasetKind.CSV),
        ('{"csv": {"header": ["true","false"]}}', DatasetKind.CSV),
        ('{"Csv": {"Header": "false"}}', DatasetKind.CSV),
        ('{"json": {"line": "true"}}', DatasetKind.JSON),
        ('{"json": {"lines": true}}', DatasetKind.JSON),
        ('{"Json": {"Line": true}}', DatasetKind.JSON),
        ('{"parquet": {}}', DatasetKind.PARQUET),
        ('{"sagemakerMergeJson": {"captureIndexNames": ["endpointOutput"]}}', DatasetKind.MERGE),
    ],
    ids=[
        "capture",
        "capture-doc-casing",
        "capture-defaults",
        "csv-sdk",
        "csv-doc-list",
        "csv-api-casing",
        "json-line-string",
        "json-lines-bool",
        "json-api-casing",
        "parquet",
        "merge",
    ],
)
def test_dataset_format_spellings(text: str, kind: DatasetKind) -> None:
    parsed = DatasetFormat.parse(text)
    assert parsed.kind is kind
    assert DatasetFormat.parse(parsed.to_env_value()) == parsed


def test_dataset_format_values() -> None:
    csv = DatasetFormat.parse('{"csv": {"header": "true", "output_columns_position": "end"}}').csv
    assert csv is not None and csv.header is True and csv.output_columns_position == "END"
    assert DatasetFormat.parse('{"csv": {}}').csv == DatasetFormat.parse('{"csv": {}}').csv
    capture = DatasetFormat.parse('{"sagemakerCaptureJson": {}}').capture
    assert capture is not None
    assert capture.capture_index_names == ["endpointInput", "endpointOutput"]
    json_format = DatasetFormat.parse('{"json": {"line": "false"}}').json_
    assert json_format is not None and json_format.lines is False


@pytest.mark.parametrize(
    "text",
    ["not json", '{"csv": {}, "json": {}}', "{}", '{"csv": {"header": "maybe"}}'],
    ids=["invalid-json", "two-formats", "no-format", "bad-boolean"],
)
def test_bad_dataset_format_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match=r"dataset_format|boolean"):
        MonitoringEnvironment.from_environ({"dataset_format": text})


def test_to_env_round_trips() -> None:
    env = MonitoringEnvironment.model_validate(DOC_EXAMPLE | {"MY_KEY": "x"})
    again = MonitoringEnvironment.model_validate(env.to_env())
    assert again == env
    assert env.to_env()["start_time"] == "2019-12-01T15:20:00Z"
    assert env.to_env()["MY_KEY"] == "x"
