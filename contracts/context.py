"""The monitor's view of its job: configuration, inputs and where its outputs go."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from contracts.capture_reader import CaptureFile, CaptureReader, find_capture_files
from contracts.constraints import DataQualityConstraints
from contracts.environment import MonitoringEnvironment
from contracts.files import read_model, write_json_atomic
from contracts.job_config import ResourceConfig
from contracts.message import write_message
from contracts.metrics_writer import MetricsWriter
from contracts.paths import (
    CONSTRAINTS_FILE,
    STATISTICS_FILE,
    VIOLATIONS_FILE,
    ContainerPaths,
)
from contracts.statistics import DataQualityStatistics
from contracts.violations import ConstraintViolations, Violation

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass
class MonitorContext:
    """Everything a monitor needs, built from the environment.

    Attributes:
        environment: the job's variables (environment first, then the config file).
        paths: the contract's fixed paths; their root moves with `$WATCHKEEPER_OPT_ML`.
    """

    environment: MonitoringEnvironment
    paths: ContainerPaths = field(default_factory=ContainerPaths)
    capture_reader: CaptureReader | None = None
    message_written: bool = False
    _metrics: MetricsWriter | None = None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, root: Path | None = None
    ) -> MonitorContext:
        """Read the job's configuration; `root` (or `$WATCHKEEPER_OPT_ML`) replaces `/opt/ml`."""
        paths = ContainerPaths(root) if root is not None else ContainerPaths.from_env(environ)
        environment = MonitoringEnvironment.from_environ(environ, paths.processing_job_config)
        return cls(environment=environment, paths=paths)

    @property
    def dataset_source(self) -> Path:
        """Where the data to analyse is."""
        return self.paths.resolve(self.environment.dataset_source)

    @property
    def output_path(self) -> Path:
        """Where reports go."""
        return self.paths.resolve(self.environment.output_path)

    @property
    def start_time(self) -> datetime | None:
        """Start of the analysis window (inclusive)."""
        return self.environment.start_time

    @property
    def end_time(self) -> datetime | None:
        """End of the analysis window (exclusive)."""
        return self.environment.end_time

    def capture_files(self) -> list[CaptureFile]:
        """The capture files whose hour folder overlaps the window."""
        return find_capture_files(
            self.dataset_source,
            endpoint=self.environment.sagemaker_endpoint_name,
            start=self.start_time,
            end=self.end_time,
        )

    def capture_records(self) -> CaptureReader:
        """Stream the window's capture records; `capture_reader.stats` counts what was skipped."""
        self.capture_reader = CaptureReader(
            self.capture_files(), start=self.start_time, end=self.end_time
        )
        return self.capture_reader

    def _baseline_file(self, value: str | None, default_name: str) -> Path | None:
        if value is None:
            return None
        path = self.paths.resolve(value)
        if path.is_dir():
            candidates = sorted(path.glob("*.json"))
            named = path / default_name
            return named if named.is_file() else (candidates[0] if candidates else named)
        return path

    def read_baseline(self, which: str, model: type[ModelT]) -> ModelT | None:
        """Read `baseline_statistics` or `baseline_constraints` as `model`; None if not given."""
        if which not in {"statistics", "constraints"}:
            raise ValueError("which must be 'statistics' or 'constraints'")
        value = getattr(self.environment, f"baseline_{which}")
        default = STATISTICS_FILE if which == "statistics" else CONSTRAINTS_FILE
        path = self._baseline_file(value, default)
        return None if path is None else read_model(path, model)

    def baseline_statistics(self) -> DataQualityStatistics | None:
        """The data-quality baseline statistics, if the job has them."""
        return self.read_baseline("statistics", DataQualityStatistics)

    def baseline_constraints(self) -> DataQualityConstraints | None:
        """The data-quality baseline constraints, if the job has them."""
        return self.read_baseline("constraints", DataQualityConstraints)

    def resource_config(self) -> ResourceConfig:
        """`resourceconfig.json`, or the single-host default when it is absent."""
        path = self.paths.resource_config
        return read_model(path, ResourceConfig) if path.is_file() else ResourceConfig()

    def write_output(self, name: str, document: BaseModel | dict[str, object]) -> Path:
        """Write any JSON report into `output_path` atomically."""
        data = (
            document.model_dump(mode="json", by_alias=True, exclude_none=True)
            if isinstance(document, BaseModel)
            else document
        )
        return write_json_atomic(self.output_path / name, data)

    def write_statistics(self, statistics: BaseModel) -> Path:
        """Write `statistics.json`."""
        return self.write_output(STATISTICS_FILE, statistics)

    def write_constraints(self, constraints: BaseModel) -> Path:
        """Write `constraints.json`."""
        return self.write_output(CONSTRAINTS_FILE, constraints)

    def write_violations(self, violations: ConstraintViolations | Sequence[Violation]) -> Path:
        """Write `constraint_violations.json` (the spelling SageMaker's SDK reads)."""
        if not isinstance(violations, ConstraintViolations):
            violations = ConstraintViolations(violations=list(violations))
        return self.write_output(VIOLATIONS_FILE, violations)

    def write_message(self, text: str) -> Path:
        """Write the exit message (UTF-8, cut at 1 KiB on a character boundary)."""
        self.message_written = True
        return write_message(self.paths.message_file, text)

    @property
    def metrics(self) -> MetricsWriter:
        """The CloudWatch metrics writer; it writes only when publishing is `Enabled`."""
        if self._metrics is None:
            env = self.environment
            self._metrics = MetricsWriter(
                self.paths.resolve(env.cloudwatch_metrics_directory),
                timestamp=env.metric_time or env.end_time,
                endpoint=env.sagemaker_endpoint_name,
                schedule=env.sagemaker_monitoring_schedule_name,
                enabled=env.publish_cloudwatch_metrics.enabled,
            )
        return self._metrics
