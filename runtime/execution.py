"""What the runtime records about one execution: status, reason, timings, outputs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ExecutionStatus(StrEnum):
    """SageMaker's monitoring-execution statuses."""

    PENDING = "Pending"
    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
    COMPLETED_WITH_VIOLATIONS = "CompletedWithViolations"
    FAILED = "Failed"
    STOPPED = "Stopped"

    @property
    def terminal(self) -> bool:
        """True once the execution has ended."""
        return self not in (ExecutionStatus.PENDING, ExecutionStatus.IN_PROGRESS)

    @property
    def exit_code(self) -> int:
        """The CLI exit code: 0 Completed, 3 CompletedWithViolations, 1 otherwise."""
        return {ExecutionStatus.COMPLETED: 0, ExecutionStatus.COMPLETED_WITH_VIOLATIONS: 3}.get(
            self, 1
        )


class FailureReason(StrEnum):
    """Machine-readable reason of a Failed or Stopped execution."""

    CONTAINER_EXITED_NON_ZERO = "ContainerExitedNonZero"
    OOM_KILLED = "OOMKilled"
    MAX_RUNTIME_EXCEEDED = "MaxRuntimeExceeded"
    INVALID_OUTPUT = "InvalidOutput"
    OUTPUT_TOO_LARGE = "OutputTooLarge"
    MESSAGE_NOT_UTF8 = "MessageNotUtf8"
    IMAGE_NOT_FOUND = "ImageNotFound"
    ENGINE_ERROR = "EngineError"
    HOST_INTERRUPTED = "HostInterrupted"
    STOPPED_BY_USER = "StoppedByUser"
    NO_INPUT_DATA = "NoInputData"


class OutputFile(BaseModel):
    """One file the container left, as collected."""

    model_config = ConfigDict(frozen=True)

    name: str
    path: str
    size: int
    kind: str | None = None
    valid: bool | None = None
    problems: list[str] = Field(default_factory=list)


class ExecutionRecord(BaseModel):
    """One execution as the job store keeps it (the `--json` form of `run` and `jobs show`)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: str
    status: ExecutionStatus
    reason: FailureReason | None = None
    image: str
    image_id: str | None = None
    endpoint: str
    variant: str | None = None
    schedule: str | None = None
    window_start: datetime
    window_end: datetime
    created_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    exit_code: int | None = None
    oom_killed: bool = False
    message: str | None = None
    container_id: str | None = None
    limits: dict[str, Any] = Field(default_factory=dict)
    overrides: list[str] = Field(default_factory=list)
    workspace: str
    log_path: str
    reports_path: str
    output_dir: str | None = None
    outputs: list[OutputFile] = Field(default_factory=list)
    violations: int | None = None
    problems: list[str] = Field(default_factory=list)
    owner: str | None = None
    spec: dict[str, Any] = Field(default_factory=dict)

    @property
    def duration_seconds(self) -> float | None:
        """Wall time from start to end, when both are known."""
        if self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()
