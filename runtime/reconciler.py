"""Recover after a host process died mid-job, and sweep containers the runtime left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from runtime.backend import EXECUTION_LABEL, MANAGED_LABEL, OWNER_LABEL
from runtime.errors import ExecutionNotFoundError, TransitionConflictError
from runtime.execution import ExecutionRecord, ExecutionStatus, FailureReason
from runtime.job import MonitoringJob
from runtime.ownership import owner_alive, owner_token
from runtime.runner import Runner, WatchOutcome

HOST_INTERRUPTED_MESSAGE = (
    "The host process running this execution died and its container no longer exists."
)


@dataclass
class ReconcileReport:
    """What one reconciliation pass did."""

    finished: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    interrupted: list[str] = field(default_factory=list)
    removed_containers: list[str] = field(default_factory=list)


class Reconciler:
    """Finds executions whose owner process is gone and settles them.

    * container gone → `Failed` with reason `HostInterrupted`;
    * container exited → outputs collected and the execution finished here;
    * container still running → a detached supervisor re-attaches to it.

    Then containers of this home whose execution is over (or unknown) are removed.
    """

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.backend = runner.backend
        self.store = runner.store

    def reconcile(self) -> ReconcileReport:
        """Settle orphaned executions, then sweep leftover containers."""
        report = ReconcileReport()
        active = (ExecutionStatus.PENDING, ExecutionStatus.IN_PROGRESS)
        for record in self.store.list(statuses=active):
            if owner_alive(record.owner):
                continue
            try:
                self._settle(record, report)
            except TransitionConflictError:
                continue  # another process settled it first
        report.removed_containers = self.sweep()
        return report

    def _settle(self, record: ExecutionRecord, report: ReconcileReport) -> None:
        states = self.backend.find({EXECUTION_LABEL: record.id, OWNER_LABEL: self.runner.home})
        state = states[0] if states else None
        if state is None:
            self._interrupted(record)
            report.interrupted.append(record.id)
            return
        claimed = self._claim(record, state.id, owner_token())
        job = MonitoringJob.model_validate(claimed.spec)
        if state.running:
            self._hand_over(claimed, self._spawn_supervisor(claimed))
            report.adopted.append(record.id)
            return
        self.runner.finish(claimed, job, WatchOutcome())
        report.finished.append(record.id)

    def _claim(self, record: ExecutionRecord, container_id: str, owner: str) -> ExecutionRecord:
        claimed = record.model_copy(
            update={
                "owner": owner,
                "status": ExecutionStatus.IN_PROGRESS,
                "container_id": container_id,
                "started_at": record.started_at or datetime.now(UTC),
            }
        )
        claimed.problems = [*record.problems, "re-attached after the host process died"]
        self.store.update(claimed, expected=record.status, expected_owner=record.owner)
        return claimed

    def _interrupted(self, record: ExecutionRecord) -> None:
        done = record.model_copy(deep=True)
        done.status = ExecutionStatus.FAILED
        done.reason = FailureReason.HOST_INTERRUPTED
        done.message = HOST_INTERRUPTED_MESSAGE
        done.ended_at = datetime.now(UTC)
        self.store.update(done, expected=record.status, expected_owner=record.owner)

    def _spawn_supervisor(self, record: ExecutionRecord) -> subprocess.Popen[bytes]:
        log = Path(record.workspace) / "supervisor.log"
        with log.open("ab") as sink:
            return subprocess.Popen(
                [sys.executable, "-m", "runtime.supervisor", record.id],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=os.environ | {"WATCHKEEPER_HOME": str(self.runner.settings.home)},
            )

    def _hand_over(
        self, record: ExecutionRecord, supervisor: subprocess.Popen[bytes], wait: float = 15.0
    ) -> None:
        """Wait until the supervisor claimed the execution (else a later pass retries)."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and supervisor.poll() is None:
            if self.store.get(record.id).owner != record.owner:
                return
            time.sleep(0.05)

    def sweep(self) -> list[str]:
        """Remove this home's containers whose execution has ended or is unknown."""
        removed = []
        for state in self.backend.find({MANAGED_LABEL: "true", OWNER_LABEL: self.runner.home}):
            execution_id = state.labels.get(EXECUTION_LABEL, "")
            try:
                record = self.store.get(execution_id)
            except ExecutionNotFoundError:
                record = None
            if record is None or record.status.terminal:
                self.backend.remove(state.id)
                removed.append(state.id)
        return removed


def supervise(runner: Runner, execution_id: str) -> ExecutionRecord:
    """Re-attach to a running container: enforce the rest of its deadline, then finish it."""
    found = runner.store.get(execution_id)
    record = found.model_copy(update={"owner": owner_token()})
    runner.store.update(record, expected=found.status, expected_owner=found.owner)
    job = MonitoringJob.model_validate(record.spec)
    started = record.started_at or datetime.now(UTC)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    return runner.watch_and_finish(record, job, started_monotonic=time.monotonic() - elapsed)
