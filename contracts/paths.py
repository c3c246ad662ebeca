"""Paths of the container contract under `/opt/ml`, with a root that tests can move."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

OPT_ML = PurePosixPath("/opt/ml")
"""The reserved root of the contract inside a container."""

ROOT_ENV_VAR = "WATCHKEEPER_OPT_ML"
"""Environment variable that moves the `/opt/ml` root (for running a monitor as a plain process)."""

PROCESSING_JOB_CONFIG = OPT_ML / "config" / "processingjobconfig.json"
RESOURCE_CONFIG = OPT_ML / "config" / "resourceconfig.json"
MESSAGE_FILE = OPT_ML / "output" / "message"
METRICS_DIR = OPT_ML / "output" / "metrics" / "cloudwatch"
METRICS_FILE_NAME = "cloudwatch_metrics.jsonl"

DEFAULT_DATASET_SOURCE = OPT_ML / "processing" / "input" / "endpoint"
DEFAULT_OUTPUT_PATH = OPT_ML / "processing" / "output"
BASELINE_CONSTRAINTS_DIR = OPT_ML / "processing" / "baseline" / "constraints"
BASELINE_STATISTICS_DIR = OPT_ML / "processing" / "baseline" / "stats"
BASELINE_DATASET_DIR = OPT_ML / "processing" / "input" / "baseline_dataset_input"
PREPROCESSOR_DIR = OPT_ML / "processing" / "code" / "preprocessing"
POSTPROCESSOR_DIR = OPT_ML / "processing" / "code" / "postprocessing"

STATISTICS_FILE = "statistics.json"
CONSTRAINTS_FILE = "constraints.json"
VIOLATIONS_FILE = "constraint_violations.json"
VIOLATIONS_FILE_ALTERNATE = "constraints_violations.json"
"""The spelling some AWS pages and examples use; read, never written."""
ANALYSIS_FILE = "analysis.json"

MESSAGE_MAX_BYTES = 1024
"""Only the first 1 KiB of the exit message is kept."""


@dataclass(frozen=True)
class ContainerPaths:
    """The contract's fixed paths, resolved against a root that defaults to `/opt/ml`.

    Paths that the job passes in environment variables (`dataset_source`, `output_path`,
    `baseline_*`) are taken as given; only the fixed `/opt/ml/...` locations move with the root.
    """

    root: Path = Path(str(OPT_ML))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ContainerPaths:
        """Use `$WATCHKEEPER_OPT_ML` as the root when it is set, else `/opt/ml`."""
        env = os.environ if environ is None else environ
        return cls(Path(env.get(ROOT_ENV_VAR) or str(OPT_ML)))

    def resolve(self, path: PurePosixPath | str) -> Path:
        """Map a path under `/opt/ml` to this root; other paths are returned unchanged."""
        pure = PurePosixPath(path)
        try:
            relative = pure.relative_to(OPT_ML)
        except ValueError:
            return Path(str(pure))
        return self.root / relative

    @property
    def processing_job_config(self) -> Path:
        """`/opt/ml/config/processingjobconfig.json`."""
        return self.resolve(PROCESSING_JOB_CONFIG)

    @property
    def resource_config(self) -> Path:
        """`/opt/ml/config/resourceconfig.json`."""
        return self.resolve(RESOURCE_CONFIG)

    @property
    def message_file(self) -> Path:
        """`/opt/ml/output/message`."""
        return self.resolve(MESSAGE_FILE)

    @property
    def metrics_dir(self) -> Path:
        """`/opt/ml/output/metrics/cloudwatch`."""
        return self.resolve(METRICS_DIR)
