"""After the host process dies, the next command settles its executions; sweeps stay in-home."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from runtime.backend import EXECUTION_LABEL, MANAGED_LABEL, OWNER_LABEL
from runtime.errors import TransitionConflictError
from runtime.execution import ExecutionRecord, ExecutionStatus, FailureReason
from runtime.fake_backend import FakeBackend, FakeContainer
from runtime.ownership import owner_alive, owner_token
from runtime.reconciler import Reconciler
from runtime.runner import Runner, container_spec, new_execution_id
from runtime.staging import stage
from tests.unit.runtime.conftest import MESSAGE, RunnerFactory, make_job

DEAD_OWNER = owner_token().rsplit(":", 2)[0] + ":999999999:1"


def _orphan(runner: Runner, capture_root: Path, launch: bool) -> ExecutionRecord:
    """An execution whose owner died after launching (or before launching) its container."""
    job = make_job(capture_root)
    execution_id = new_execution_id()
    staged = stage(job, runner.settings.workspaces / execution_id, execution_id)
    record = runner._new_record(job, execution_id, staged.workspace)
    record.owner = DEAD_OWNER
    record.status = ExecutionStatus.IN_PROGRESS
    record.started_at = datetime.now(UTC)
    if launch:
        record.container_id = runner.backend.launch(
            container_spec(job, staged, execution_id, runner.home)
        )
        assert runner.backend.wait(record.container_id, 5) == 0
    runner.store.insert(record)
    return record


def finished_quickly(container: FakeContainer) -> int:
    container.write(MESSAGE, "Completed: Job completed successfully with no violations.")
    return 0


def test_owner_tokens() -> None:
    assert owner_alive(owner_token())
    assert not owner_alive(DEAD_OWNER)
    assert not owner_alive(None)
    assert not owner_alive("garbage")


def test_exited_container_is_collected_by_the_next_command(
    make_runner: RunnerFactory, capture_root: Path
) -> None:
    runner = make_runner({"monitor": finished_quickly})
    orphan = _orphan(runner, capture_root, launch=True)
    report = Reconciler(runner).reconcile()
    assert report.finished == [orphan.id]
    record = runner.store.get(orphan.id)
    assert record.status is ExecutionStatus.COMPLETED
    assert "re-attached after the host process died" in record.problems
    assert runner.backend.find({EXECUTION_LABEL: orphan.id}) == []


def test_vanished_container_is_host_interrupted(
    make_runner: RunnerFactory, capture_root: Path
) -> None:
    runner = make_runner({"monitor": finished_quickly})
    orphan = _orphan(runner, capture_root, launch=False)
    report = Reconciler(runner).reconcile()
    assert report.interrupted == [orphan.id]
    record = runner.store.get(orphan.id)
    assert (record.status, record.reason) == (
        ExecutionStatus.FAILED,
        FailureReason.HOST_INTERRUPTED,
    )


def test_live_owner_is_left_alone(make_runner: RunnerFactory, capture_root: Path) -> None:
    runner = make_runner({"monitor": finished_quickly})
    orphan = _orphan(runner, capture_root, launch=False)
    alive = orphan.model_copy(update={"owner": owner_token()})
    runner.store.update(alive, expected=ExecutionStatus.IN_PROGRESS, expected_owner=DEAD_OWNER)
    assert Reconciler(runner).reconcile().interrupted == []
    assert runner.store.get(orphan.id).status is ExecutionStatus.IN_PROGRESS


def test_sweep_removes_only_this_homes_finished_containers(
    make_runner: RunnerFactory, capture_root: Path
) -> None:
    runner = make_runner({"monitor": finished_quickly})
    record = runner.run(make_job(capture_root))
    assert isinstance(runner.backend, FakeBackend)
    spec = runner.backend.launched[0]
    leftover = runner.backend.launch(spec)
    foreign_labels = {MANAGED_LABEL: "true", EXECUTION_LABEL: "x", OWNER_LABEL: "another-home"}
    foreign = runner.backend.launch(
        type(spec)(**{**spec.__dict__, "name": "foreign", "labels": foreign_labels})
    )
    runner.backend.wait(leftover, 5)
    runner.backend.wait(foreign, 5)
    assert Reconciler(runner).sweep() == [leftover]
    assert runner.backend.state(foreign) is not None
    assert runner.store.get(record.id).status is ExecutionStatus.COMPLETED


def test_transitions_are_compare_and_set(make_runner: RunnerFactory, capture_root: Path) -> None:
    runner = make_runner({"monitor": finished_quickly})
    record = runner.run(make_job(capture_root))
    stale = record.model_copy(update={"status": ExecutionStatus.FAILED})
    with pytest.raises(TransitionConflictError):
        runner.store.update(
            stale, expected=ExecutionStatus.IN_PROGRESS, expected_owner=record.owner
        )
    with pytest.raises(TransitionConflictError):
        runner.store.update(stale, expected=ExecutionStatus.COMPLETED, expected_owner="someone")
    assert runner.store.get(record.id).status is ExecutionStatus.COMPLETED
