"""The container-author SDK: a monitor run as a plain process against a temporary /opt/ml."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts import (
    COMPLETED_MESSAGE,
    FileKind,
    MonitorContext,
    check_file,
    run_monitor,
    truncate_message,
    violations_message,
)
from contracts.metrics_writer import MetricsWriter
from tests.conftest import REPO_ROOT, SAMPLES, fill_template

MONITORS = REPO_ROOT / "tests" / "data" / "monitors"
HOUR = datetime(2024, 5, 1, 10, tzinfo=UTC)


def readme_monitor(tmp_path: Path) -> Path:
    """The custom monitor the README shows, extracted verbatim."""
    readme = (REPO_ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    code = next(block for block in blocks if "@monitor" in block)
    path = tmp_path / "readme_monitor.py"
    path.write_text(code)
    return path


def lay_out_opt_ml(root: Path, environment: dict[str, str]) -> None:
    """A folder shaped like /opt/ml with the capture sample in one hour folder."""
    capture = root / "processing" / "input" / "endpoint" / "ep" / "AllTraffic" / "2024/05/01/10"
    capture.mkdir(parents=True)
    template = (SAMPLES / "sdk" / "monitor__capture.template.jsonl").read_text()
    (capture / "15-30-123-abc.jsonl").write_text(fill_template(template))
    (capture / "broken.jsonl").write_text("{not json\n")
    config = root / "config" / "processingjobconfig.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"ProcessingJobName": "local", "Environment": environment}))


def run_plain(script: Path, root: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(REPO_ROOT),
        "WATCHKEEPER_OPT_ML": str(root),
        **extra,
    }
    return subprocess.run(
        [sys.executable, str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


JOB_ENVIRONMENT = {
    "sagemaker_endpoint_name": "ep",
    "sagemaker_monitoring_schedule_name": "hourly",
    "start_time": "2024-05-01T10:00:00Z",
    "end_time": "2024-05-01T11:00:00Z",
    "publish_cloudwatch_metrics": "Enabled",
}


@pytest.mark.parametrize(
    ("limit", "violations"), [("15", 1), ("20", 0)], ids=["violating", "clean"]
)
def test_readme_monitor_runs_as_plain_process(tmp_path: Path, limit: str, violations: int) -> None:
    root = tmp_path / "opt-ml"
    lay_out_opt_ml(root, JOB_ENVIRONMENT | {"MAX_MEAN_LENGTH": limit})
    result = run_plain(readme_monitor(tmp_path), root)
    assert result.returncode == 0, result.stderr
    message = (root / "output" / "message").read_text()
    assert message == violations_message(violations)
    report_path = root / "processing" / "output" / "constraint_violations.json"
    assert check_file(report_path).valid
    report = json.loads(report_path.read_text())
    assert len(report["violations"]) == violations
    metrics = root / "output" / "metrics" / "cloudwatch" / "cloudwatch_metrics.jsonl"
    assert check_file(metrics, FileKind.METRICS).valid
    record = json.loads(metrics.read_text().splitlines()[0])
    assert record["MetricName"] == "mean_request_length"
    assert record["Timestamp"] == "2024-05-01T11:00:00Z"
    assert record["Dimensions"] == [
        {"Name": "Endpoint", "Value": "ep"},
        {"Name": "MonitoringSchedule", "Value": "hourly"},
    ]
    lines = (SAMPLES / "sdk" / "monitor__capture.template.jsonl").read_text().splitlines()
    inputs = [json.loads(line)["captureData"]["endpointInput"]["data"] for line in lines]
    assert record["Value"] == pytest.approx(sum(map(len, inputs)) / len(inputs))


def test_metrics_are_not_written_when_publishing_is_disabled(tmp_path: Path) -> None:
    root = tmp_path / "opt-ml"
    lay_out_opt_ml(root, JOB_ENVIRONMENT | {"publish_cloudwatch_metrics": "Disabled"})
    result = run_plain(readme_monitor(tmp_path), root)
    assert result.returncode == 0, result.stderr
    assert not (root / "output" / "metrics").exists()
    assert (root / "output" / "message").read_text() == COMPLETED_MESSAGE


def test_uncaught_exception_becomes_message_and_exit_255(tmp_path: Path) -> None:
    root = tmp_path / "opt-ml"
    lay_out_opt_ml(root, JOB_ENVIRONMENT)
    result = run_plain(MONITORS / "failing_monitor.py", root)
    assert result.returncode == 255
    assert (root / "output" / "message").read_text() == (
        "RuntimeError: baseline missing under endpoint"
    )
    assert "Traceback" in result.stderr


def test_sigterm_becomes_stopped_message(tmp_path: Path) -> None:
    root = tmp_path / "opt-ml"
    lay_out_opt_ml(root, JOB_ENVIRONMENT)
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(REPO_ROOT),
        "WATCHKEEPER_OPT_ML": str(root),
    }
    process = subprocess.Popen([sys.executable, str(MONITORS / "sleepy_monitor.py")], env=env)
    started = root / "processing" / "output" / "started"
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 143
    assert (root / "output" / "message").read_text().startswith("Stopped: the monitor received")


def test_context_reads_window_and_counts_bad_lines(tmp_path: Path) -> None:
    root = tmp_path / "opt-ml"
    lay_out_opt_ml(root, JOB_ENVIRONMENT)
    context = MonitorContext.from_env({}, root=root)
    assert context.start_time == HOUR
    assert [item.path.name for item in context.capture_files()] == [
        "15-30-123-abc.jsonl",
        "broken.jsonl",
    ]
    reader = context.capture_records()
    assert len(list(reader)) == 44  # the SDK's capture.jsonl holds 44 records
    assert reader.stats.malformed == 1
    assert context.baseline_statistics() is None
    assert context.resource_config().hosts == ["algo-1"]


def test_context_reads_baseline_files(tmp_path: Path) -> None:
    stats = tmp_path / "baseline" / "stats"
    stats.mkdir(parents=True)
    (stats / "statistics.json").write_bytes(
        (SAMPLES / "sdk" / "data_quality__statistics.json").read_bytes()
    )
    constraints = tmp_path / "constraints.json"
    constraints.write_bytes((SAMPLES / "sdk" / "monitor__constraints.json").read_bytes())
    context = MonitorContext.from_env(
        {"baseline_statistics": str(stats), "baseline_constraints": str(constraints)},
        root=tmp_path,
    )
    statistics = context.baseline_statistics()
    assert statistics is not None and len(statistics.features) == 6
    loaded = context.baseline_constraints()
    assert loaded is not None and loaded.features[0].name == "message"


def test_run_monitor_in_process_writes_empty_violations(tmp_path: Path) -> None:
    code = run_monitor(lambda context: [], environ={}, root=tmp_path)
    assert code == 0
    written = json.loads(
        (tmp_path / "processing" / "output" / "constraint_violations.json").read_text()
    )
    assert written == {"violations": []}
    assert (tmp_path / "output" / "message").read_text() == COMPLETED_MESSAGE


@pytest.mark.parametrize(
    ("text", "size"),
    [("a" * 2048, 1024), ("é" * 1000, 1024), ("€" * 400, 1023), ("short", 5)],
    ids=["ascii", "two-byte", "three-byte-boundary", "short"],
)
def test_message_is_cut_at_1_kib_on_a_character_boundary(text: str, size: int) -> None:
    cut = truncate_message(text)
    assert len(cut) == size
    assert text.startswith(cut.decode("utf-8"))


def test_violation_messages_match_the_analyzer() -> None:
    assert violations_message(0) == "Completed: Job completed successfully with no violations."
    assert violations_message(60) == (
        "CompletedWithViolations: Job completed successfully with 60 violations."
    )


def test_metrics_writer_is_atomic_json_lines(tmp_path: Path) -> None:
    writer = MetricsWriter(tmp_path, timestamp=HOUR, endpoint="ep", schedule=None, enabled=True)
    with writer:
        writer.emit("a", 1.5, unit="Count", dimensions={"Feature": "x"})
        assert not writer.path.exists()
    lines = writer.path.read_text().splitlines()
    assert json.loads(lines[0]) == {
        "MetricName": "a",
        "Timestamp": "2024-05-01T10:00:00Z",
        "Dimensions": [{"Name": "Endpoint", "Value": "ep"}, {"Name": "Feature", "Value": "x"}],
        "Value": 1.5,
        "Unit": "Count",
    }
    with pytest.raises(ValueError, match="finite"):
        writer.emit("b", float("nan"))
