"""Staging lays the job out exactly as the contract says."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts import MonitoringEnvironment, ProcessingJobConfig
from runtime.errors import ConfigurationError
from runtime.job import (
    DEFAULT_USER,
    JobKind,
    MonitoringJob,
    default_user,
    parse_size,
    previous_full_hour,
)
from runtime.staging import capture_hour_folders, container_environment, stage
from tests.conftest import SAMPLES
from tests.unit.runtime.conftest import make_job


def test_only_hours_overlapping_the_window_are_mounted(capture_root: Path, tmp_path: Path) -> None:
    job = make_job(capture_root)
    staged = stage(job, tmp_path / "ws", "exec-1")
    targets = {mount.target: mount for mount in staged.mounts}
    hour = "/opt/ml/processing/input/endpoint/ep/AllTraffic/2024/05/01/10"
    assert hour in targets
    assert targets[hour].read_only
    assert targets[hour].source == capture_root / "ep/AllTraffic/2024/05/01/10"
    assert not any(target.endswith(("/09", "/11")) for target in targets)
    assert staged.capture_hours == 1
    assert targets["/opt/ml/processing/input/endpoint"].read_only
    assert not targets["/opt/ml/output"].read_only
    assert not targets["/opt/ml/processing/output"].read_only
    assert targets["/opt/ml/config"].read_only


def test_environment_is_the_contract_plus_user_keys(capture_root: Path) -> None:
    stats = SAMPLES / "sdk" / "data_quality__statistics.json"
    constraints = SAMPLES / "sdk" / "data_quality__good_cases__constraints.json"
    job = make_job(
        capture_root,
        baseline_statistics=stats,
        baseline_constraints=constraints,
        schedule="hourly",
        environment={"THRESHOLD": "0.2"},
        publish_metrics=True,
    )
    env = container_environment(job)
    assert env == {
        "dataset_format": '{"sagemakerCaptureJson":{"captureIndexNames":'
        '["endpointInput","endpointOutput"]}}',
        "dataset_source": "/opt/ml/processing/input/endpoint",
        "output_path": "/opt/ml/processing/output",
        "publish_cloudwatch_metrics": "Enabled",
        "sagemaker_endpoint_name": "ep",
        "sagemaker_monitoring_schedule_name": "hourly",
        "start_time": "2024-05-01T10:00:00Z",
        "end_time": "2024-05-01T11:00:00Z",
        "metric_time": "2024-05-01T10:00:00Z",
        "baseline_statistics": "/opt/ml/processing/baseline/stats/statistics.json",
        "baseline_constraints": "/opt/ml/processing/baseline/constraints/constraints.json",
        "THRESHOLD": "0.2",
    }
    parsed = MonitoringEnvironment.from_environ(env)
    assert parsed.user_keys == {}
    assert not parsed.is_baselining


def test_user_env_may_not_replace_contract_keys(capture_root: Path) -> None:
    job = make_job(capture_root, environment={"output_path": "/elsewhere"})
    with pytest.raises(ConfigurationError, match="output_path"):
        container_environment(job)


def test_config_files_are_valid_contract_files(capture_root: Path, tmp_path: Path) -> None:
    staged = stage(make_job(capture_root), tmp_path / "ws", "exec-1")
    config_path = staged.workspace.config_dir / "processingjobconfig.json"
    config = ProcessingJobConfig.model_validate(json.loads(config_path.read_text()))
    assert config.processing_job_name == "exec-1"
    assert config.environment == staged.environment
    assert config.stopping_condition.max_runtime_in_seconds == 3600
    assert [i.s3_input.local_path for i in config.processing_inputs][-1].endswith("/2024/05/01/10")
    resource = json.loads((staged.workspace.config_dir / "resourceconfig.json").read_text())
    assert resource == {"current_host": "algo-1", "hosts": ["algo-1"]}


def test_writable_folders_belong_to_the_container_user(capture_root: Path, tmp_path: Path) -> None:
    staged = stage(make_job(capture_root), tmp_path / "ws", "exec-1")
    for folder in (staged.workspace.reports, staged.workspace.ml_output):
        info = folder.stat()
        assert (
            info.st_uid == 10001 and info.st_mode & 0o777 == 0o755
        ) or info.st_mode & 0o777 == 0o777


def test_baselining_job_mounts_the_dataset(tmp_path: Path) -> None:
    dataset = SAMPLES / "examples" / "data_quality__training-dataset-with-header.head51.csv"
    job = MonitoringJob(
        image="dq",
        endpoint="churn",
        start_time=datetime(2024, 5, 1, 10, tzinfo=UTC),
        end_time=datetime(2024, 5, 1, 11, tzinfo=UTC),
        dataset=dataset,
        kind=JobKind.BASELINE,
    )
    staged = stage(job, tmp_path / "ws", "exec-2")
    target = f"/opt/ml/processing/input/baseline_dataset_input/{dataset.name}"
    assert any(mount.target == target and mount.read_only for mount in staged.mounts)
    assert staged.environment["dataset_source"] == "/opt/ml/processing/input/baseline_dataset_input"
    assert json.loads(staged.environment["dataset_format"]) == {
        "csv": {"header": True, "output_columns_position": "START"}
    }


def test_missing_endpoint_folder_stages_an_empty_window(capture_root: Path, tmp_path: Path) -> None:
    job = make_job(capture_root, endpoint="other")
    assert capture_hour_folders(job) == []
    assert stage(job, tmp_path / "ws", "exec-3").capture_hours == 0


@pytest.mark.parametrize(
    ("text", "size"),
    [("2g", 2 * 1024**3), ("512m", 512 * 1024**2), ("64MiB", 64 * 1024**2), ("1000", 1000)],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_bad_job_specs_are_refused(capture_root: Path) -> None:
    with pytest.raises(ValueError, match="window is empty"):
        make_job(capture_root, end_time="2024-05-01T09:00:00Z")
    with pytest.raises(ValueError, match="does not exist"):
        make_job(capture_root, baseline_statistics=capture_root / "nope.json")
    with pytest.raises(ValueError, match="not a size"):
        make_job(capture_root, resources={"memory": "lots"})


def test_default_window_is_previous_full_hour() -> None:
    start, end = previous_full_hour(datetime(2024, 5, 1, 10, 30, 5, tzinfo=UTC))
    assert (start, end) == (
        datetime(2024, 5, 1, 9, tzinfo=UTC),
        datetime(2024, 5, 1, 10, tzinfo=UTC),
    )


def test_a_non_root_host_runs_containers_as_itself(
    monkeypatch: pytest.MonkeyPatch, capture_root: Path, tmp_path: Path
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(os, "getegid", lambda: 1000)
    assert default_user() == "1000:1000"
    job = make_job(capture_root)
    assert job.hardening.user == "1000:1000"
    assert job.hardening.overrides() == []
    staged = stage(job, tmp_path / "ws", "exec-5")
    assert staged.workspace.reports.stat().st_mode & 0o777 == 0o755


def test_a_root_host_runs_containers_as_10001(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert default_user() == DEFAULT_USER == "10001:10001"
