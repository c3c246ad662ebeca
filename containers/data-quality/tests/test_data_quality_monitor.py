"""The data-quality monitor run as a plain process over a temporary /opt/ml (no Docker)."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from contracts import CaptureRecord, FileKind, check_file, run_monitor
from tabular.data_quality import main
from tests.conftest import SAMPLES

HOUR = "2024-05-01T10"
SDK = SAMPLES / "sdk"
EXAMPLES = SAMPLES / "examples"


def capture_line(output: str, inputs: str, minute: int = 0, **metadata: str) -> str:
    """One SageMaker capture record with CSV payloads, inside the 10:00 hour."""
    record = CaptureRecord.from_csv(
        inputs, output, inference_time=datetime(2024, 5, 1, 10, minute % 60, tzinfo=UTC)
    ).as_dict()
    record["eventMetadata"].update(metadata)
    return json.dumps(record)


def write_capture(root: Path, lines: Sequence[str], endpoint: str = "ep") -> None:
    folder = root / "processing/input/endpoint" / endpoint / "AllTraffic/2024/05/01/10"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "capture.jsonl").write_text("\n".join(lines) + "\n")


def monitor_env(statistics: Path | None, constraints: Path | None, **extra: str) -> dict[str, str]:
    env = {
        "sagemaker_endpoint_name": "ep",
        "sagemaker_monitoring_schedule_name": "hourly",
        "start_time": f"{HOUR}:00:00Z",
        "end_time": "2024-05-01T11:00:00Z",
        **extra,
    }
    if statistics:
        env["baseline_statistics"] = str(statistics)
    if constraints:
        env["baseline_constraints"] = str(constraints)
    return env


def outputs(root: Path) -> dict[str, Any]:
    folder = root / "processing/output"
    files = {path.name: json.loads(path.read_text()) for path in folder.glob("*.json")}
    for path in folder.glob("*.json"):
        assert check_file(path).valid, [str(p) for p in check_file(path).problems]
    files["message"] = (root / "output/message").read_text()
    return files


def drawn_like_sample_baseline(rows: int, seed: int = 1) -> list[str]:
    """Capture records resampled from the sample baseline's own KLL items (_c0 is the output)."""
    document = json.loads((SDK / "data_quality__statistics.json").read_text())
    rng = np.random.default_rng(seed)
    columns = []
    for feature in document["features"]:
        items = [
            item
            for level in feature["numerical_statistics"]["distribution"]["kll"]["sketch"]["data"]
            for item in level
        ]
        columns.append(rng.choice(items, rows))
    lines = []
    for index in range(rows):
        values = [repr(float(column[index])) for column in columns]
        lines.append(capture_line(values[0], ",".join(values[1:]), index))
    return lines


@pytest.mark.parametrize(
    ("constraints", "expected"),
    [
        ("data_quality__bad_cases__constraints.json", [("_c5", "data_type_check")]),
        ("data_quality__good_cases__constraints.json", []),
    ],
    ids=["bad-cases", "good-cases"],
)
def test_sample_baseline_verdicts(
    tmp_path: Path, constraints: str, expected: list[tuple[str, str]]
) -> None:
    write_capture(tmp_path, drawn_like_sample_baseline(400))
    env = monitor_env(SDK / "data_quality__statistics.json", SDK / constraints)
    assert run_monitor(main, environ=env, root=tmp_path) == 0
    files = outputs(tmp_path)
    found = [
        (v["feature_name"], v["constraint_check_type"])
        for v in files["constraint_violations.json"]["violations"]
    ]
    assert found == expected
    drift = {f["name"]: f["baseline_drift"] for f in files["statistics.json"]["features"]}
    assert set(drift) == {f"_c{i}" for i in range(6)}
    assert not any(item["violated"] for item in drift.values())
    assert files["statistics.json"]["dataset"]["item_count"] == 400


def test_churn_baseline_then_monitor_the_test_sample(tmp_path: Path) -> None:
    dataset = tmp_path / "processing/input/baseline_dataset_input"
    dataset.mkdir(parents=True)
    (dataset / "train.csv").write_bytes(
        (EXAMPLES / "data_quality__training-dataset-with-header.head51.csv").read_bytes()
    )
    env = {"dataset_source": str(dataset), "dataset_format": '{"csv": {"header": true}}'}
    assert run_monitor(main, environ=env, root=tmp_path / "baseline-run") == 0
    baseline = tmp_path / "baseline-run/processing/output"
    assert {path.name for path in baseline.iterdir()} == {"statistics.json", "constraints.json"}
    for path in baseline.iterdir():
        assert check_file(path).valid
    statistics = json.loads((baseline / "statistics.json").read_text())
    assert statistics["dataset"]["item_count"] == 50
    assert len(statistics["features"]) == 70
    rows = (EXAMPLES / "data_quality__test_sample.head20.csv").read_text().splitlines()
    monitor_root = tmp_path / "monitor-run"
    write_capture(monitor_root, [capture_line("0", row, i) for i, row in enumerate(rows)])
    env = monitor_env(baseline / "statistics.json", baseline / "constraints.json")
    assert run_monitor(main, environ=env, root=monitor_root) == 0
    files = outputs(monitor_root)
    assert files["message"].startswith("CompletedWithViolations: Job completed successfully with")
    kinds = {v["constraint_check_type"] for v in files["constraint_violations.json"]["violations"]}
    assert kinds == {"data_type_check"}  # the sample's first row holds fractions in 0/1 columns


def test_empty_window_completes_without_false_violations(tmp_path: Path) -> None:
    write_capture(tmp_path, [capture_line("0.5", "1,2,3,4,5", minute=5)], endpoint="other")
    env = monitor_env(
        SDK / "data_quality__statistics.json", SDK / "data_quality__good_cases__constraints.json"
    )
    assert run_monitor(main, environ=env, root=tmp_path) == 0
    files = outputs(tmp_path)
    assert files["message"] == (
        "Completed: No data in window [2024-05-01T10:00:00Z, 2024-05-01T11:00:00Z): "
        "0 records analysed, so no checks were made."
    )
    assert files["constraint_violations.json"] == {"violations": []}


def test_malformed_records_are_counted_not_fatal(tmp_path: Path) -> None:
    lines = drawn_like_sample_baseline(50)
    lines += ["{not json", capture_line("1.0", "bad", 3).replace('"CSV"}}', '"BASE64"}}', 1)]
    lines.append(capture_line("1.0", "1,2,3,4,5", 4, invocationSource="ShadowExperiment"))
    lines.append(capture_line("1.0", "1,2,3,4,5", 4).replace(HOUR, "2024-05-01T12"))
    write_capture(tmp_path, lines)
    env = monitor_env(
        SDK / "data_quality__statistics.json", SDK / "data_quality__good_cases__constraints.json"
    )
    assert run_monitor(main, environ=env, root=tmp_path) == 0
    dataset = outputs(tmp_path)["statistics.json"]["dataset"]
    assert dataset["item_count"] == 50
    assert dataset["malformed_records"] + dataset["undecodable_records"] == 2
    assert dataset["shadow_records"] == 1
    assert dataset["records_outside_window"] == 1


def test_metrics_follow_the_reference_names(tmp_path: Path) -> None:
    write_capture(tmp_path, drawn_like_sample_baseline(100))
    env = monitor_env(
        SDK / "data_quality__statistics.json",
        SDK / "data_quality__good_cases__constraints.json",
        publish_cloudwatch_metrics="Enabled",
    )
    assert run_monitor(main, environ=env, root=tmp_path) == 0
    path = tmp_path / "output/metrics/cloudwatch/cloudwatch_metrics.jsonl"
    assert check_file(path, FileKind.METRICS).valid
    records = [json.loads(line) for line in path.read_text().splitlines()]
    names = {record["MetricName"] for record in records}
    for index in range(6):
        assert {
            f"feature_data__c{index}",
            f"feature_non_null__c{index}",
            f"feature_baseline_drift__c{index}",
        } <= names
    datum = next(record for record in records if record["MetricName"] == "feature_data__c0")
    assert datum["StatisticValues"]["SampleCount"] == 100
    assert datum["Timestamp"] == "2024-05-01T11:00:00Z"
    assert datum["Dimensions"] == [
        {"Name": "Endpoint", "Value": "ep"},
        {"Name": "MonitoringSchedule", "Value": "hourly"},
    ]


PREPROCESSOR = """
def preprocess_handler(inference_record, logger):
    logger.info("preprocessing %s", inference_record.event_metadata.event_id)
    new = inference_record.endpoint_input.data
    old = inference_record.event_data.endpointInput.data
    assert new == old
    if new.startswith("drop"):
        return []
    values = inference_record.endpoint_output.data.rstrip("\\n") + "," + new
    return {str(i).zfill(20): None if v == "-1" else v for i, v in enumerate(values.split(","))}
"""

POSTPROCESSOR = """
import os
from pathlib import Path

def postprocess_handler():
    output = Path(os.environ["OUTPUT_DIR"])
    seen = sorted(p.name for p in output.iterdir())
    Path(os.environ["MARKER"]).write_text(",".join(seen))
"""


def test_hooks_both_record_apis_and_postprocessor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "pre.py").write_text(PREPROCESSOR)
    (scripts / "post.py").write_text(POSTPROCESSOR)
    lines = [capture_line(f"{i / 100}", f"{i},-1,3.5,{i % 3},x,2.0", i) for i in range(60)]
    lines.append(capture_line("0.1", "drop,me,please", 1))
    write_capture(tmp_path, lines)
    marker = tmp_path / "post-ran"
    monkeypatch.setenv("OUTPUT_DIR", str(tmp_path / "processing/output"))  # as in a container
    monkeypatch.setenv("MARKER", str(marker))
    env = monitor_env(
        SDK / "data_quality__statistics.json",
        SDK / "data_quality__good_cases__constraints.json",
        record_preprocessor_script=str(scripts / "pre.py"),
        post_analytics_processor_script=str(scripts / "post.py"),
    )
    assert run_monitor(main, environ=env, root=tmp_path) == 0
    files = outputs(tmp_path)
    features = {f["name"]: f for f in files["statistics.json"]["features"]}
    assert files["statistics.json"]["dataset"]["item_count"] == 60
    assert features["_c2"]["inferred_type"] == "Unknown"  # every -1 became None
    assert features["_c2"]["string_statistics"]["common"] == {"num_present": 0, "num_missing": 60}
    assert features["_c1"]["numerical_statistics"]["max"] == 59
    assert marker.read_text() == "constraint_violations.json,constraints.json,statistics.json"


def test_postprocessor_without_handler_fails(tmp_path: Path) -> None:
    (tmp_path / "post.py").write_text("x = 1\n")
    write_capture(tmp_path, drawn_like_sample_baseline(10))
    env = monitor_env(
        SDK / "data_quality__statistics.json",
        SDK / "data_quality__good_cases__constraints.json",
        post_analytics_processor_script=str(tmp_path / "post.py"),
    )
    assert run_monitor(main, environ=env, root=tmp_path) == 255
    assert (
        "PostProcess Handler not implemented correctly" in (tmp_path / "output/message").read_text()
    )


def test_hostile_values_and_a_thousand_columns(tmp_path: Path) -> None:
    width = 1200
    rng = np.random.default_rng(11)
    header = [f"f{i}" for i in range(width)]
    rows = []
    for r in range(40):
        values = [repr(float(v)) for v in rng.normal(size=width)]
        values[1] = ["NaN", "inf", "-inf", "", "7"][r % 5]
        values[2] = "" if r % 2 else "text"
        rows.append(",".join(values))
    dataset = tmp_path / "processing/input/baseline_dataset_input"
    dataset.mkdir(parents=True)
    (dataset / "wide.csv").write_text(",".join(header) + "\n" + "\n".join(rows) + "\n")
    env = {"dataset_source": str(dataset), "dataset_format": '{"csv": {"header": true}}'}
    assert run_monitor(main, environ=env, root=tmp_path) == 0
    statistics = outputs(tmp_path)["statistics.json"]
    features = {f["name"]: f for f in statistics["features"]}
    assert len(features) == width
    assert features["f1"]["inferred_type"] == "String"  # "NaN" and "inf" are text, as in Deequ
    assert features["f1"]["string_statistics"]["common"] == {"num_present": 32, "num_missing": 8}
    assert features["f2"]["string_statistics"]["common"] == {"num_present": 20, "num_missing": 20}
    numbers = features["f0"]["numerical_statistics"]
    assert math.isfinite(numbers["mean"])
    assert sum(bucket["count"] for bucket in numbers["distribution"]["kll"]["buckets"]) == 40


@pytest.mark.parametrize("kind", ["jsonl", "parquet", "csv-no-header"])
def test_baseline_from_every_dataset_format(tmp_path: Path, kind: str) -> None:
    rng = np.random.default_rng(2)
    table = pa.table(
        {
            "score": rng.random(300).round(3),
            "age": rng.integers(18, 90, 300),
            "city": rng.choice(["lima", "oslo"], 300),
        }
    )
    dataset = tmp_path / "processing/input/baseline_dataset_input"
    dataset.mkdir(parents=True)
    if kind == "parquet":
        pq.write_table(table, dataset / "part-0.parquet")
        dataset_format = '{"parquet": {}}'
    elif kind == "jsonl":
        lines = [json.dumps(row) for row in table.to_pylist()]
        (dataset / "rows.jsonl").write_text("\n".join(lines) + "\n")
        dataset_format = '{"json": {"lines": true}}'
    else:
        rows = [",".join(str(v) for v in row.values()) for row in table.to_pylist()]
        (dataset / "rows.csv").write_text("\n".join(rows) + "\n")
        dataset_format = '{"csv": {"header": false}}'
    env = {"dataset_source": str(dataset), "dataset_format": dataset_format}
    assert run_monitor(main, environ=env, root=tmp_path) == 0
    features = {f["name"]: f for f in outputs(tmp_path)["statistics.json"]["features"]}
    names = ["_c0", "_c1", "_c2"] if kind == "csv-no-header" else ["score", "age", "city"]
    assert list(features) == names
    assert [features[name]["inferred_type"] for name in names] == [
        "Fractional",
        "Integral",
        "String",
    ]
    assert features[names[1]]["numerical_statistics"]["common"]["num_present"] == 300


def test_json_and_base64_payloads(tmp_path: Path) -> None:
    lines = []
    for index in range(40):
        record = json.loads(capture_line("0", "0", index))
        data = record["captureData"]
        data["endpointInput"].update(
            observedContentType="application/json",
            encoding="JSON",
            data=json.dumps({"instances": [[index, index * 0.5, "a" if index % 2 else "b"]]}),
        )
        data["endpointOutput"].update(
            observedContentType="text/html",
            encoding="BASE64",
            data=base64.b64encode(json.dumps({"predictions": [index / 40]}).encode()).decode(),
        )
        lines.append(json.dumps(record))
    write_capture(tmp_path / "baseline-root", lines)
    env = monitor_env(None, None)
    env["dataset_source"] = str(tmp_path / "baseline-root/processing/input/endpoint")
    env["dataset_format"] = '{"sagemakerCaptureJson": {}}'
    assert run_monitor(main, environ=env, root=tmp_path / "run") == 0
    statistics = outputs(tmp_path / "run")["statistics.json"]
    features = {f["name"]: f for f in statistics["features"]}
    assert statistics["dataset"]["item_count"] == 40
    assert [features[f"_c{i}"]["inferred_type"] for i in range(4)] == [
        "Fractional", "Integral", "Fractional", "String",
    ]  # fmt: skip
    assert features["_c1"]["numerical_statistics"]["max"] == 39
