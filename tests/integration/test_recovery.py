"""The host process dies mid-job: the next command settles the execution; nothing leaks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from runtime.docker_backend import DockerBackend
from runtime.execution import ExecutionRecord, ExecutionStatus, FailureReason
from runtime.settings import Settings
from runtime.store import JobStore
from tests.conftest import REPO_ROOT
from tests.integration.conftest import WATCHKEEPER, CliRun, wait_for
from tests.integration.test_runtime import run_args


def start_run(
    home: Settings, image: str, capture_root: Path, seconds: int
) -> subprocess.Popen[bytes]:
    arguments = run_args(image, capture_root, "sleep", "--env", f"SLEEP_SECONDS={seconds}")
    env = os.environ | {"WATCHKEEPER_HOME": str(home.home), "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [*WATCHKEEPER, *arguments], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def running(store: JobStore) -> ExecutionRecord:
    def find() -> ExecutionRecord | None:
        records = store.list(statuses=(ExecutionStatus.IN_PROGRESS,))
        return records[0] if records and records[0].container_id else None

    found: ExecutionRecord = wait_for(find, timeout=60)
    return found


def test_killed_host_is_reattached_by_the_next_command(
    home: Settings, cli: CliRun, hostile_image: str, capture_root: Path
) -> None:
    store = JobStore(home.store_path)
    process = start_run(home, hostile_image, capture_root, seconds=6)
    record = running(store)
    wait_for(lambda: "sleeping" in Path(record.log_path).read_text(), timeout=30)
    process.kill()
    process.wait(timeout=30)
    listing = cli("jobs", "list")
    assert listing.returncode == 0, listing.stderr
    adopted = store.get(record.id)
    assert adopted.owner != record.owner
    assert "re-attached after the host process died" in adopted.problems
    final = wait_for(lambda: (r := store.get(record.id)).status.terminal and r, timeout=90)
    assert final.status is ExecutionStatus.COMPLETED
    assert final.message == "Completed: Job completed successfully with no violations."
    assert DockerBackend().state(record.container_id or "") is None


def test_killed_host_with_vanished_container_is_host_interrupted(
    home: Settings, cli: CliRun, hostile_image: str, capture_root: Path
) -> None:
    store = JobStore(home.store_path)
    process = start_run(home, hostile_image, capture_root, seconds=120)
    record = running(store)
    process.kill()
    process.wait(timeout=30)
    DockerBackend().remove(record.container_id or "")
    result = cli("cleanup")
    assert result.returncode == 0, result.stderr
    assert "marked 1 execution(s) HostInterrupted" in result.stdout
    settled = store.get(record.id)
    assert (settled.status, settled.reason) == (
        ExecutionStatus.FAILED,
        FailureReason.HOST_INTERRUPTED,
    )


def test_logs_are_readable_while_the_job_runs(
    home: Settings, cli: CliRun, hostile_image: str, capture_root: Path
) -> None:
    store = JobStore(home.store_path)
    process = start_run(home, hostile_image, capture_root, seconds=4)
    record = running(store)
    wait_for(lambda: "sleeping 4.0s" in cli("jobs", "logs", record.id).stdout, timeout=30)
    assert store.get(record.id).status is ExecutionStatus.IN_PROGRESS
    followed = cli("jobs", "logs", "--follow", record.id)
    assert followed.stdout == "sleeping 4.0s\n"
    assert process.wait(timeout=60) == 0
    assert store.get(record.id).status is ExecutionStatus.COMPLETED


def test_cleanup_prunes_build_stage_images(cli: CliRun, hostile_image: str) -> None:
    result = cli("cleanup", "--images")
    assert result.returncode == 0, result.stderr
    assert "leftover container(s)" in result.stdout
    assert "build-stage image(s)" in result.stdout
