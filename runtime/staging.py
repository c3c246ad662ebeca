"""Stage a job: its workspace, mounts, environment and config files, as the contract lays out."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from contracts import DatasetFormat, ProcessingJobConfig, ResourceConfig, format_timestamp
from contracts import paths as contract_paths
from contracts.files import write_json_atomic
from contracts.job_config import (
    AppSpecification,
    ProcessingInput,
    ProcessingOutput,
    ProcessingOutputConfig,
    S3Input,
    S3Output,
    StoppingCondition,
)
from runtime.backend import Mount
from runtime.errors import ConfigurationError
from runtime.job import JobKind, MonitoringJob

MAX_HOUR_MOUNTS = 2000
"""More hour folders than this would be one bind mount each; ask for a shorter window."""

RUNTIME_KEYS = frozenset(
    {
        "dataset_format",
        "dataset_source",
        "output_path",
        "publish_cloudwatch_metrics",
        "sagemaker_endpoint_name",
        "sagemaker_monitoring_schedule_name",
        "start_time",
        "end_time",
        "metric_time",
        "baseline_statistics",
        "baseline_constraints",
    }
)
"""Variables the runtime sets itself; user `--env` may not replace them."""


@dataclass(frozen=True)
class Workspace:
    """The host folder of one execution: config, outputs, reports and logs."""

    root: Path

    @property
    def config_dir(self) -> Path:
        """Mounted read-only at `/opt/ml/config`."""
        return self.root / "config"

    @property
    def ml_output(self) -> Path:
        """Mounted read-write at `/opt/ml/output` (message, metrics)."""
        return self.root / "ml-output"

    @property
    def reports(self) -> Path:
        """Mounted read-write at `output_path`."""
        return self.root / "reports"

    @property
    def capture_skeleton(self) -> Path:
        """Empty folders that give the hour mounts their mount points."""
        return self.root / "capture"

    @property
    def log_file(self) -> Path:
        """The container's stdout and stderr, bounded."""
        return self.root / "container.log"

    @property
    def message_file(self) -> Path:
        """Where the container's exit message lands on the host."""
        return self.ml_output / "message"

    @property
    def metrics_dir(self) -> Path:
        """Where the container's CloudWatch metric files land on the host."""
        return self.ml_output / "metrics" / "cloudwatch"


@dataclass(frozen=True)
class StagedJob:
    """A job ready to launch: workspace, mounts and the container's environment."""

    workspace: Workspace
    environment: dict[str, str]
    mounts: tuple[Mount, ...]
    capture_hours: int


def _hours(start: datetime, end: datetime) -> list[datetime]:
    hour = start.replace(minute=0, second=0, microsecond=0)
    hours = []
    while hour < end:
        hours.append(hour)
        hour += timedelta(hours=1)
    return hours


def capture_hour_folders(job: MonitoringJob) -> list[tuple[Path, PurePosixPath]]:
    """Host hour folders overlapping the window, with their path relative to `dataset_source`."""
    if job.capture_root is None:
        return []
    endpoint_dir = job.capture_root / job.endpoint
    if not endpoint_dir.is_dir():
        return []
    variants = [job.variant] if job.variant else sorted(p.name for p in endpoint_dir.iterdir())
    folders = []
    for variant in variants:
        for hour in _hours(job.start_time, job.end_time):
            relative = PurePosixPath(job.endpoint, variant, hour.strftime("%Y/%m/%d/%H"))
            host = job.capture_root / relative
            if host.is_dir() and not host.is_symlink():
                folders.append((host, relative))
    if len(folders) > MAX_HOUR_MOUNTS:
        raise ConfigurationError(
            f"the window spans {len(folders)} capture hour folders; "
            f"split it into windows of at most {MAX_HOUR_MOUNTS} hours"
        )
    return folders


def _dataset_format(job: MonitoringJob) -> DatasetFormat:
    if job.dataset_format is not None:
        return job.dataset_format
    if job.kind is JobKind.BASELINE and job.dataset is not None:
        suffix = job.dataset.suffix.lower()
        if suffix == ".parquet":
            return DatasetFormat.parse({"parquet": {}})
        if suffix in {".jsonl", ".json"}:
            return DatasetFormat.parse({"json": {"lines": True}})
        return DatasetFormat.parse({"csv": {"header": True, "output_columns_position": "START"}})
    return DatasetFormat.capture_json()


def container_environment(job: MonitoringJob) -> dict[str, str]:
    """The variables the contract lists for this job, plus the user's extra keys."""
    clash = sorted(RUNTIME_KEYS & set(job.environment))
    if clash:
        raise ConfigurationError(
            f"--env may not set {', '.join(clash)}: the runtime sets these from the job"
        )
    baselining = job.kind is JobKind.BASELINE
    source = (
        contract_paths.BASELINE_DATASET_DIR if baselining else contract_paths.DEFAULT_DATASET_SOURCE
    )
    env = {
        "dataset_format": _dataset_format(job).to_env_value(),
        "dataset_source": str(source),
        "output_path": str(contract_paths.DEFAULT_OUTPUT_PATH),
        "publish_cloudwatch_metrics": "Enabled" if job.publish_metrics else "Disabled",
        "sagemaker_endpoint_name": job.endpoint,
        "start_time": format_timestamp(job.start_time),
        "end_time": format_timestamp(job.end_time),
        "metric_time": format_timestamp(job.start_time),
    }
    if job.schedule:
        env["sagemaker_monitoring_schedule_name"] = job.schedule
    if job.baseline_statistics is not None:
        env["baseline_statistics"] = str(contract_paths.BASELINE_STATISTICS_DIR / "statistics.json")
    if job.baseline_constraints is not None:
        env["baseline_constraints"] = str(
            contract_paths.BASELINE_CONSTRAINTS_DIR / "constraints.json"
        )
    return env | job.environment


def _input_mounts(job: MonitoringJob) -> list[Mount]:
    mounts = []
    if job.kind is JobKind.BASELINE and job.dataset is not None:
        target = PurePosixPath(contract_paths.BASELINE_DATASET_DIR)
        if job.dataset.is_file():
            target = target / job.dataset.name
        mounts.append(Mount(job.dataset.resolve(), str(target)))
    if job.baseline_statistics is not None:
        target = contract_paths.BASELINE_STATISTICS_DIR / "statistics.json"
        mounts.append(Mount(job.baseline_statistics.resolve(), str(target)))
    if job.baseline_constraints is not None:
        target = contract_paths.BASELINE_CONSTRAINTS_DIR / "constraints.json"
        mounts.append(Mount(job.baseline_constraints.resolve(), str(target)))
    return mounts


def _capture_mounts(workspace: Workspace, folders: list[tuple[Path, PurePosixPath]]) -> list[Mount]:
    skeleton = workspace.capture_skeleton
    skeleton.mkdir(parents=True, exist_ok=True)
    source = contract_paths.DEFAULT_DATASET_SOURCE
    mounts = [Mount(skeleton, str(source))]
    for host, relative in folders:
        (skeleton / relative).mkdir(parents=True, exist_ok=True)
        mounts.append(Mount(host.resolve(), str(source / relative)))
    return mounts


def _make_writable(path: Path, user: str) -> None:
    """Let the container's user write `path`: its owner when it is ours or we are root."""
    path.mkdir(parents=True, exist_ok=True)
    uid, _, gid = user.partition(":")
    if uid.isdigit() and int(uid) == os.geteuid():
        path.chmod(0o755)
    elif os.geteuid() == 0 and uid.isdigit():
        os.chown(path, int(uid), int(gid) if gid.isdigit() else int(uid))
        path.chmod(0o755)
    else:  # a named or foreign user: files it writes may not be removable by this host user
        path.chmod(0o777)


def _write_config(
    job: MonitoringJob,
    staged_env: dict[str, str],
    inputs: list[Mount],
    workspace: Workspace,
    execution_id: str,
) -> None:
    processing_inputs = [
        ProcessingInput(
            input_name=f"input_{index}",
            s3_input=S3Input(local_path=mount.target, s3_uri=mount.source.as_uri()),
        )
        for index, mount in enumerate(inputs, start=1)
    ]
    output = ProcessingOutput(
        output_name="result",
        s3_output=S3Output(local_path=staged_env["output_path"], s3_uri=workspace.reports.as_uri()),
    )
    config = ProcessingJobConfig(
        processing_job_arn=f"arn:watchkeeper:local:processing-job/{execution_id}",
        processing_job_name=execution_id,
        app_specification=AppSpecification(
            image_uri=job.image, container_arguments=list(job.command) if job.command else None
        ),
        environment=staged_env,
        processing_inputs=processing_inputs,
        processing_output_config=ProcessingOutputConfig(outputs=[output]),
        stopping_condition=StoppingCondition(
            max_runtime_in_seconds=max(1, int(job.resources.timeout_seconds))
        ),
    )
    write_json_atomic(workspace.config_dir / "processingjobconfig.json", config)
    write_json_atomic(workspace.config_dir / "resourceconfig.json", ResourceConfig())


def stage(job: MonitoringJob, workspace_root: Path, execution_id: str) -> StagedJob:
    """Create the workspace and everything the container will see."""
    workspace = Workspace(workspace_root)
    workspace.root.mkdir(parents=True, exist_ok=False)
    environment = container_environment(job)
    inputs = _input_mounts(job)
    folders: list[tuple[Path, PurePosixPath]] = []
    if job.kind is JobKind.MONITOR:
        folders = capture_hour_folders(job)
        inputs = _capture_mounts(workspace, folders) + inputs
    for writable in (workspace.ml_output, workspace.reports):
        _make_writable(writable, job.hardening.user)
    _write_config(job, environment, inputs, workspace, execution_id)
    mounts = [
        *inputs,
        Mount(workspace.config_dir, str(contract_paths.PROCESSING_JOB_CONFIG.parent)),
        Mount(workspace.ml_output, str(contract_paths.MESSAGE_FILE.parent), read_only=False),
        Mount(workspace.reports, environment["output_path"], read_only=False),
    ]
    workspace.log_file.touch()
    return StagedJob(workspace, environment, tuple(mounts), len(folders))
