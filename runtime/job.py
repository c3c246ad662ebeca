"""The monitoring job spec: what to run, on which window, with which inputs and limits."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from contracts import DatasetFormat, parse_timestamp

DEFAULT_USER = "10001:10001"
"""The non-root user monitors run as when the host runs as root."""


def default_user() -> str:
    """`10001:10001` for a root host; a non-root host's own uid:gid otherwise.

    Running as the host user's own ids keeps everything the container writes removable by
    the host process that owns the workspace; both are non-root.
    """
    if os.geteuid() == 0:
        return DEFAULT_USER
    return f"{os.geteuid()}:{os.getegid()}"


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(value: object) -> int:
    """Read a byte size such as `2g`, `512m`, `64MiB` or a plain number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f"not a size: {value!r} (use e.g. 512m, 2g)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


ByteSize = Annotated[int, BeforeValidator(parse_size), Field(gt=0)]


class NetworkPolicy(StrEnum):
    """Network access of the container: none (default) or Docker's default bridge."""

    NONE = "none"
    BRIDGE = "bridge"


class JobKind(StrEnum):
    """A monitoring run against a baseline, or a baselining run that suggests one."""

    MONITOR = "monitor"
    BASELINE = "baseline"


class Resources(BaseModel):
    """Limits of one execution. Memory includes swap (swap = memory)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    memory: ByteSize = 2 * 1024**3
    cpus: float = Field(default=1.0, gt=0)
    pids: int = Field(default=256, gt=0)
    timeout_seconds: float = Field(default=3600, gt=0)
    grace_seconds: float = Field(default=10, ge=0)
    tmpfs: ByteSize = 64 * 1024**2
    max_output_bytes: ByteSize = 512 * 1024**2
    max_output_files: int = Field(default=10_000, gt=0)
    max_log_bytes: ByteSize = 10 * 1024**2


class Hardening(BaseModel):
    """Safety settings; every field that differs from the default is a recorded override."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    network: NetworkPolicy = NetworkPolicy.NONE
    read_only_root: bool = True
    user: str = Field(default_factory=default_user)
    no_new_privileges: bool = True
    cap_add: tuple[str, ...] = ()

    @field_validator("user")
    @classmethod
    def _user_syntax(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?", value):
            raise ValueError(f"user must be NAME, UID or UID:GID, got {value!r}")
        return value

    def overrides(self) -> list[str]:
        """The settings that relax a default, as `name=value` strings."""
        default = Hardening()
        changed = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value != getattr(default, name):
                shown = ",".join(value) if isinstance(value, tuple) else str(value)
                changed.append(f"{name}={shown}")
        return changed


def previous_full_hour(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The window `[start, end)` of the last complete UTC hour before `now`."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    end = moment.replace(minute=0, second=0, microsecond=0)
    return end - timedelta(hours=1), end


class MonitoringJob(BaseModel):
    """One monitoring execution to run (frozen: the runtime translates it, never mutates it).

    Attributes:
        image: the monitor image (never pulled; it must be built or loaded locally).
        endpoint: the endpoint whose capture data is analysed.
        variant: restrict capture data to one production variant (default: all).
        schedule: monitoring schedule name passed to the container.
        start_time: analysis window start (inclusive, UTC).
        end_time: analysis window end (exclusive, UTC).
        capture_root: folder holding `<endpoint>/<variant>/YYYY/MM/DD/HH/*.jsonl`.
        dataset: a dataset file or folder for baselining jobs.
        dataset_format: how to read `dataset`/capture data (default: capture JSON).
        baseline_statistics: baseline `statistics.json` on the host.
        baseline_constraints: baseline `constraints.json` on the host.
        environment: extra variables for the container (user keys).
        resources: memory, CPU, pids, deadline and output caps.
        hardening: network, root filesystem, user and privilege settings.
        output_dir: where reports are copied after the run (default: the workspace only).
        publish_metrics: sets `publish_cloudwatch_metrics`.
        kind: monitoring run or baselining run.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    image: str = Field(min_length=1)
    endpoint: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    variant: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    schedule: str | None = None
    start_time: Annotated[datetime, BeforeValidator(parse_timestamp)]
    end_time: Annotated[datetime, BeforeValidator(parse_timestamp)]
    capture_root: Path | None = None
    dataset: Path | None = None
    dataset_format: DatasetFormat | None = None
    baseline_statistics: Path | None = None
    baseline_constraints: Path | None = None
    environment: dict[str, str] = Field(default_factory=dict)
    resources: Resources = Field(default_factory=Resources)
    hardening: Hardening = Field(default_factory=Hardening)
    output_dir: Path | None = None
    publish_metrics: bool = False
    kind: JobKind = JobKind.MONITOR
    command: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _coherent(self) -> MonitoringJob:
        if self.end_time <= self.start_time:
            raise ValueError("the window is empty: end_time must be after start_time")
        for name in ("capture_root", "dataset", "baseline_statistics", "baseline_constraints"):
            path = getattr(self, name)
            if path is not None and not path.exists():
                raise ValueError(f"{name} does not exist: {path}")
        for name in ("baseline_statistics", "baseline_constraints"):
            path = getattr(self, name)
            if path is not None and not path.is_file():
                raise ValueError(f"{name} must be a file: {path}")
        if self.kind is JobKind.BASELINE and self.dataset is None:
            raise ValueError("a baselining job needs a dataset")
        return self
