"""Run one monitoring execution end to end: stage, launch, watch, collect, decide, record."""

from __future__ import annotations

import hashlib
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from runtime.backend import (
    EXECUTION_LABEL,
    MANAGED_LABEL,
    OWNER_LABEL,
    ContainerSpec,
    ContainerState,
    JobBackend,
)
from runtime.collection import Collected, cap_problem, collect, copy_reports, measure_outputs
from runtime.errors import EngineError, ImageNotFoundError, WatchkeeperError
from runtime.execution import ExecutionRecord, ExecutionStatus, FailureReason
from runtime.job import MonitoringJob
from runtime.ownership import owner_token
from runtime.settings import Settings
from runtime.staging import StagedJob, Workspace, stage
from runtime.store import JobStore

Echo = Callable[[str], None]
WATCH_INTERVAL = 1.0
"""Seconds between output-size checks while a container runs."""


def new_execution_id(now: datetime | None = None) -> str:
    """A sortable, unique execution id such as `20240501T101500-3fa2c1d9`."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def home_label(settings: Settings) -> str:
    """Identifies the watchkeeper home a container belongs to (sweeps stay within it)."""
    return hashlib.sha256(str(settings.home).encode()).hexdigest()[:16]


def container_spec(
    job: MonitoringJob, staged: StagedJob, execution_id: str, home: str
) -> ContainerSpec:
    """Translate a frozen job and its staging into the engine-neutral container spec."""
    resources, hardening = job.resources, job.hardening
    return ContainerSpec(
        name=f"watchkeeper-{execution_id}",
        image=job.image,
        environment=staged.environment,
        mounts=staged.mounts,
        labels={MANAGED_LABEL: "true", EXECUTION_LABEL: execution_id, OWNER_LABEL: home},
        user=hardening.user,
        memory_bytes=resources.memory,
        nano_cpus=int(resources.cpus * 1e9),
        pids_limit=resources.pids,
        network=hardening.network.value,
        read_only_root=hardening.read_only_root,
        tmpfs={"/tmp": f"rw,noexec,nosuid,size={resources.tmpfs}"},
        no_new_privileges=hardening.no_new_privileges,
        cap_add=hardening.cap_add,
        command=job.command,
        log_max_bytes=resources.max_log_bytes,
    )


@dataclass
class WatchOutcome:
    """How waiting for the container ended."""

    timed_out: bool = False
    too_large: str | None = None
    interrupted: bool = False


def decide(
    state: ContainerState | None, collected: Collected, watch: WatchOutcome
) -> tuple[ExecutionStatus, FailureReason | None]:
    """Status and reason from the container's end state and outputs (DESIGN.md, step 5).

    The first rule that holds decides; the order is the order of precedence.
    """
    failed, stopped = ExecutionStatus.FAILED, ExecutionStatus.STOPPED
    exit_code = state.exit_code if state else None
    rules: list[tuple[bool, ExecutionStatus, FailureReason]] = [
        (watch.interrupted, stopped, FailureReason.STOPPED_BY_USER),
        (watch.timed_out, stopped, FailureReason.MAX_RUNTIME_EXCEEDED),
        (bool(watch.too_large or collected.too_large), failed, FailureReason.OUTPUT_TOO_LARGE),
        (state is None, failed, FailureReason.ENGINE_ERROR),
        (bool(state and state.oom_killed), failed, FailureReason.OOM_KILLED),
        (exit_code != 0, failed, FailureReason.CONTAINER_EXITED_NON_ZERO),
        (collected.message.not_utf8, failed, FailureReason.MESSAGE_NOT_UTF8),
        (bool(collected.invalid), failed, FailureReason.INVALID_OUTPUT),
    ]
    for holds, status, reason in rules:
        if holds:
            return status, reason
    message = collected.message.text or ""
    if (collected.violations or 0) > 0 or message.startswith("CompletedWithViolations"):
        return ExecutionStatus.COMPLETED_WITH_VIOLATIONS, None
    return ExecutionStatus.COMPLETED, None


class _LogTee:
    """Writes the container's log to its file and echoes complete lines as they arrive."""

    def __init__(self, file: BinaryIO, echo: Echo) -> None:
        self.file = file
        self.echo = echo
        self.pending = b""

    def write(self, data: bytes, /) -> int:
        self.file.write(data)
        *lines, self.pending = (self.pending + data).split(b"\n")
        for line in lines:
            self.echo("  | " + line.decode("utf-8", errors="replace"))
        return len(data)

    def flush(self) -> None:
        self.file.flush()

    def close_line(self) -> None:
        """Echo a last line that had no newline."""
        if self.pending:
            self.echo("  | " + self.pending.decode("utf-8", errors="replace"))
            self.pending = b""


class Runner:
    """Runs jobs on a backend and records them in the store."""

    def __init__(
        self,
        backend: JobBackend,
        store: JobStore,
        settings: Settings,
        echo: Echo | None = None,
    ) -> None:
        self.backend = backend
        self.store = store
        self.settings = settings
        self.echo = echo or (lambda _text: None)
        self.home = home_label(settings)

    def run(self, job: MonitoringJob) -> ExecutionRecord:
        """Run `job` to its end and return the recorded execution.

        Raises:
            ImageNotFoundError: the image is not present (the execution is recorded Failed).
            ConfigurationError: the job cannot be staged (nothing is recorded).
        """
        execution_id = new_execution_id()
        workspace_root = self.settings.workspaces / execution_id
        try:
            staged = stage(job, workspace_root, execution_id)
        except BaseException:
            shutil.rmtree(workspace_root, ignore_errors=True)
            raise
        record = self._new_record(job, execution_id, staged.workspace)
        self.store.insert(record)
        try:
            record.image_id = self.backend.image_id(job.image)
        except ImageNotFoundError as error:
            self._fail(record, FailureReason.IMAGE_NOT_FOUND, error.message)
            raise
        if staged.capture_hours == 0 and job.capture_root is not None:
            record.problems.append("no capture data overlaps the window")
        spec = container_spec(job, staged, execution_id, self.home)
        try:
            container_id = self.backend.launch(spec)
        except WatchkeeperError as error:
            self._fail(record, FailureReason.ENGINE_ERROR, error.message)
            raise
        record = self._mark_started(record, container_id)
        self.echo(f"execution {execution_id}: started {job.image} (container {container_id[:12]})")
        return self.watch_and_finish(record, job, started_monotonic=time.monotonic())

    def _new_record(
        self, job: MonitoringJob, execution_id: str, workspace: Workspace
    ) -> ExecutionRecord:
        limits = job.resources.model_dump(mode="json")
        return ExecutionRecord(
            id=execution_id,
            kind=job.kind.value,
            status=ExecutionStatus.PENDING,
            image=job.image,
            endpoint=job.endpoint,
            variant=job.variant,
            schedule=job.schedule,
            window_start=job.start_time,
            window_end=job.end_time,
            created_at=datetime.now(UTC),
            limits=limits | {"network": job.hardening.network.value, "user": job.hardening.user},
            overrides=job.hardening.overrides(),
            workspace=str(workspace.root),
            log_path=str(workspace.log_file),
            reports_path=str(workspace.reports),
            output_dir=str(job.output_dir) if job.output_dir else None,
            owner=owner_token(),
            spec=job.model_dump(mode="json"),
        )

    def _mark_started(self, record: ExecutionRecord, container_id: str) -> ExecutionRecord:
        started = record.model_copy(
            update={
                "status": ExecutionStatus.IN_PROGRESS,
                "container_id": container_id,
                "started_at": datetime.now(UTC),
            }
        )
        self.store.update(started, expected=ExecutionStatus.PENDING, expected_owner=record.owner)
        return started

    def _fail(self, record: ExecutionRecord, reason: FailureReason, detail: str) -> None:
        previous = record.status
        record.status = ExecutionStatus.FAILED
        record.reason = reason
        record.message = detail
        record.ended_at = datetime.now(UTC)
        self.store.update(record, expected=previous, expected_owner=record.owner)
        shutil.rmtree(Path(record.workspace) / "capture", ignore_errors=True)

    def watch_and_finish(
        self, record: ExecutionRecord, job: MonitoringJob, started_monotonic: float
    ) -> ExecutionRecord:
        """Stream logs, enforce the deadline and output caps, then collect and record."""
        assert record.container_id is not None
        workspace = Workspace(Path(record.workspace))
        logs = self._start_log_copy(record.container_id, workspace, job)
        try:
            watch = self._watch(record.container_id, job, workspace, started_monotonic)
        except KeyboardInterrupt:
            self.backend.stop(record.container_id, job.resources.grace_seconds)
            watch = WatchOutcome(interrupted=True)
        except EngineError as error:  # the container vanished or the engine failed mid-run
            record.problems.append(f"engine error while watching: {error.message}")
            watch = WatchOutcome()
        logs.join(timeout=10)
        return self.finish(record, job, watch)

    def _start_log_copy(
        self, container_id: str, workspace: Workspace, job: MonitoringJob
    ) -> threading.Thread:
        def copy() -> None:
            with workspace.log_file.open("wb") as file:
                sink = _LogTee(file, self.echo)
                try:
                    self.backend.copy_logs(container_id, sink, job.resources.max_log_bytes)
                except WatchkeeperError as error:
                    sink.write(f"\n[watchkeeper: log copy failed: {error.message}]\n".encode())
                sink.close_line()

        thread = threading.Thread(target=copy, name=f"logs-{container_id[:12]}", daemon=True)
        thread.start()
        return thread

    def _watch(
        self, container_id: str, job: MonitoringJob, workspace: Workspace, started: float
    ) -> WatchOutcome:
        resources = job.resources
        deadline = started + resources.timeout_seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.echo(f"deadline of {resources.timeout_seconds:g}s passed; stopping")
                self.backend.stop(container_id, resources.grace_seconds)
                return WatchOutcome(timed_out=True)
            if self.backend.wait(container_id, min(WATCH_INTERVAL, remaining)) is not None:
                return WatchOutcome()
            size = measure_outputs(workspace, resources.max_output_files)
            problem = cap_problem(size, resources.max_output_bytes, resources.max_output_files)
            if problem:
                self.echo(f"{problem}; stopping")
                self.backend.stop(container_id, 0)
                return WatchOutcome(too_large=problem)

    def finish(
        self, record: ExecutionRecord, job: MonitoringJob, watch: WatchOutcome
    ) -> ExecutionRecord:
        """Collect outputs of the exited container, decide, record, and remove the container."""
        assert record.container_id is not None
        workspace = Workspace(Path(record.workspace))
        state = self.backend.state(record.container_id)
        collected = collect(
            workspace, job.resources.max_output_bytes, job.resources.max_output_files
        )
        status, reason = decide(state, collected, watch)
        done = record.model_copy(deep=True)
        done.status, done.reason = status, reason
        done.ended_at = datetime.now(UTC)
        done.exit_code = state.exit_code if state else None
        done.oom_killed = bool(state and state.oom_killed)
        done.message = collected.message.text
        done.outputs = collected.outputs
        done.violations = collected.violations
        done.problems += [
            problem
            for problem in (collected.message.problem, watch.too_large or collected.too_large)
            if problem
        ]
        done.problems += collected.refused + collected.invalid + collected.warnings
        if job.output_dir is not None and not collected.too_large:
            copy_reports(workspace, collected.outputs, job.output_dir)
        self.backend.remove(record.container_id)
        shutil.rmtree(workspace.capture_skeleton, ignore_errors=True)
        self.store.update(done, expected=ExecutionStatus.IN_PROGRESS, expected_owner=record.owner)
        return done
