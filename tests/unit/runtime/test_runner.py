"""The runner's decisions, on a fake engine: every status and reason the design lists."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from runtime.errors import EngineError, ImageNotFoundError
from runtime.execution import ExecutionStatus, FailureReason
from runtime.fake_backend import FakeBackend, FakeContainer
from runtime.runner import Runner
from runtime.settings import Settings
from runtime.store import JobStore
from tests.unit.runtime.conftest import MESSAGE, REPORTS, RunnerFactory, completes, make_job

VIOLATION = {
    "feature_name": "age",
    "constraint_check_type": "baseline_drift_check",
    "description": "Numerical distance: 0.3 exceeds numerical threshold: 0.1",
}


def test_happy_path_is_completed_and_recorded(
    make_runner: RunnerFactory, capture_root: Path
) -> None:
    runner = make_runner({"monitor": completes})
    record = runner.run(make_job(capture_root))
    assert record.status is ExecutionStatus.COMPLETED
    assert record.reason is None
    assert record.exit_code == 0
    assert record.message == "Completed: Job completed successfully with no violations."
    assert [output.name for output in record.outputs] == ["reports/constraint_violations.json"]
    assert record.outputs[0].valid is True
    assert record.violations == 0
    assert Path(record.log_path).read_text() == "analysed 44 records\n"
    assert runner.store.get(record.id) == record
    assert runner.store.get(record.id[:12]).id == record.id
    assert not (Path(record.workspace) / "capture").exists()


def test_violations_make_completed_with_violations(
    make_runner: RunnerFactory, capture_root: Path, tmp_path: Path
) -> None:
    def violating(container: FakeContainer) -> int:
        container.write(
            f"{REPORTS}/constraint_violations.json", json.dumps({"violations": [VIOLATION]})
        )
        container.write(
            MESSAGE, "CompletedWithViolations: Job completed successfully with 1 violation."
        )
        return 0

    output = tmp_path / "out"
    record = make_runner({"monitor": violating}).run(make_job(capture_root, output_dir=output))
    assert record.status is ExecutionStatus.COMPLETED_WITH_VIOLATIONS
    assert record.status.exit_code == 3
    assert record.violations == 1
    assert json.loads((output / "constraint_violations.json").read_text())["violations"] == [
        VIOLATION
    ]


def test_message_alone_can_report_violations(
    make_runner: RunnerFactory, capture_root: Path
) -> None:
    def message_only(container: FakeContainer) -> int:
        container.write(MESSAGE, "CompletedWithViolations: drift 0.4 exceeds 0.2")
        return 0

    record = make_runner({"monitor": message_only}).run(make_job(capture_root))
    assert record.status is ExecutionStatus.COMPLETED_WITH_VIOLATIONS


def test_non_zero_exit_keeps_the_message(make_runner: RunnerFactory, capture_root: Path) -> None:
    def failing(container: FakeContainer) -> int:
        container.write(MESSAGE, "ValueError: baseline has no features")
        return 255

    record = make_runner({"monitor": failing}).run(make_job(capture_root))
    assert record.status is ExecutionStatus.FAILED
    assert record.reason is FailureReason.CONTAINER_EXITED_NON_ZERO
    assert record.exit_code == 255
    assert record.message == "ValueError: baseline has no features"
    assert record.status.exit_code == 1


def test_deadline_stops_and_grace_lets_the_monitor_write(
    make_runner: RunnerFactory, capture_root: Path
) -> None:
    def trapping(container: FakeContainer) -> int:
        if container.sleep_until_stopped(30):
            container.write(MESSAGE, "Stopped: caught SIGTERM")
            return 143
        return 0

    job = make_job(capture_root, resources={"timeout_seconds": 0.3, "grace_seconds": 5})
    record = make_runner({"monitor": trapping}).run(job)
    assert record.status is ExecutionStatus.STOPPED
    assert record.reason is FailureReason.MAX_RUNTIME_EXCEEDED
    assert record.message == "Stopped: caught SIGTERM"


def test_oom_flag_is_reported(make_runner: RunnerFactory, capture_root: Path) -> None:
    def hungry(container: FakeContainer) -> int:
        container.oom_killed = True
        return 137

    record = make_runner({"monitor": hungry}).run(make_job(capture_root))
    assert (record.status, record.reason) == (ExecutionStatus.FAILED, FailureReason.OOM_KILLED)
    assert record.oom_killed


def test_symlinked_output_is_refused_and_never_read(
    make_runner: RunnerFactory, capture_root: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")

    def linking(container: FakeContainer) -> int:
        completes(container)
        os.symlink(secret, container.host_path(f"{REPORTS}/statistics.json"))
        os.symlink(secret, container.host_path(MESSAGE + "-link"))
        return 0

    output = tmp_path / "out"
    record = make_runner({"monitor": linking}).run(make_job(capture_root, output_dir=output))
    assert record.status is ExecutionStatus.COMPLETED
    assert "refused symbolic link statistics.json" in record.problems
    assert all("secret" not in output.path for output in record.outputs)
    assert not (output / "statistics.json").exists()


def test_symlinked_message_is_refused(
    make_runner: RunnerFactory, capture_root: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("Completed: stolen")

    def linking(container: FakeContainer) -> int:
        os.symlink(secret, container.host_path(MESSAGE))
        return 0

    record = make_runner({"monitor": linking}).run(make_job(capture_root))
    assert record.message is None
    assert any("refused the exit message" in problem for problem in record.problems)


def test_output_over_the_cap_fails(make_runner: RunnerFactory, capture_root: Path) -> None:
    def flooding(container: FakeContainer) -> int:
        container.write(f"{REPORTS}/big.bin", b"x" * 4096)
        return 0

    job = make_job(capture_root, resources={"max_output_bytes": 1024})
    record = make_runner({"monitor": flooding}).run(job)
    assert (record.status, record.reason) == (
        ExecutionStatus.FAILED,
        FailureReason.OUTPUT_TOO_LARGE,
    )


def test_too_many_output_files_fail(make_runner: RunnerFactory, capture_root: Path) -> None:
    def spraying(container: FakeContainer) -> int:
        for index in range(20):
            container.write(f"{REPORTS}/part-{index}.txt", "x")
        return 0

    job = make_job(capture_root, resources={"max_output_files": 10})
    record = make_runner({"monitor": spraying}).run(job)
    assert record.reason is FailureReason.OUTPUT_TOO_LARGE


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"a" * 2048, "a" * 1024),
        ("é".encode() * 600, "é" * 512),
        (b"x" * 1023 + "é".encode(), "x" * 1023),
    ],
    ids=["ascii-cut", "two-byte-cut", "split-character"],
)
def test_message_is_cut_to_1_kib(
    make_runner: RunnerFactory, capture_root: Path, payload: bytes, expected: str
) -> None:
    def chatty(container: FakeContainer) -> int:
        container.write(MESSAGE, payload)
        return 0

    record = make_runner({"monitor": chatty}).run(make_job(capture_root))
    assert record.message == expected
    assert record.status is ExecutionStatus.COMPLETED


def test_non_utf8_message_fails(make_runner: RunnerFactory, capture_root: Path) -> None:
    def garbled(container: FakeContainer) -> int:
        container.write(MESSAGE, b"Completed \xff\xfe done")
        return 0

    record = make_runner({"monitor": garbled}).run(make_job(capture_root))
    assert (record.status, record.reason) == (
        ExecutionStatus.FAILED,
        FailureReason.MESSAGE_NOT_UTF8,
    )
    assert any("not UTF-8" in problem for problem in record.problems)


def test_invalid_report_fails_with_its_problems(
    make_runner: RunnerFactory, capture_root: Path
) -> None:
    def sloppy(container: FakeContainer) -> int:
        container.write(f"{REPORTS}/statistics.json", '{"version": 0.0, "features": []}')
        return 0

    record = make_runner({"monitor": sloppy}).run(make_job(capture_root))
    assert (record.status, record.reason) == (ExecutionStatus.FAILED, FailureReason.INVALID_OUTPUT)
    assert "reports/statistics.json: $.dataset: Field required" in record.problems


def test_bad_metric_lines_are_warnings(make_runner: RunnerFactory, capture_root: Path) -> None:
    def metrics(container: FakeContainer) -> int:
        completes(container)
        good = '{"MetricName": "m", "Timestamp": "2024-05-01T11:00:00Z", "Value": 1}'
        container.write("/opt/ml/output/metrics/cloudwatch/m.jsonl", good + "\n{broken\n")
        return 0

    record = make_runner({"monitor": metrics}).run(make_job(capture_root))
    assert record.status is ExecutionStatus.COMPLETED
    assert any(
        problem.startswith("ml-output/metrics/cloudwatch/m.jsonl: line 2")
        for problem in record.problems
    )


def test_missing_image_is_recorded_and_raised(
    make_runner: RunnerFactory, capture_root: Path
) -> None:
    runner = make_runner({})
    with pytest.raises(ImageNotFoundError, match="'monitor' is not present"):
        runner.run(make_job(capture_root))
    (record,) = runner.store.list()
    assert (record.status, record.reason) == (ExecutionStatus.FAILED, FailureReason.IMAGE_NOT_FOUND)


def test_container_spec_is_hardened(make_runner: RunnerFactory, capture_root: Path) -> None:
    runner = make_runner({"monitor": completes})
    record = runner.run(make_job(capture_root))
    assert isinstance(runner.backend, FakeBackend)
    (spec,) = runner.backend.launched
    assert spec.network == "none"
    assert spec.read_only_root
    assert spec.no_new_privileges
    assert spec.user == "10001:10001"
    assert spec.cap_add == ()
    assert spec.memory_bytes == 2 * 1024**3
    assert spec.pids_limit == 256
    assert spec.labels["io.watchkeeper.execution"] == record.id
    assert record.overrides == []


def test_relaxed_settings_are_recorded(make_runner: RunnerFactory, capture_root: Path) -> None:
    hardening = {"network": "bridge", "read_only_root": False, "cap_add": ("NET_RAW",)}
    record = make_runner({"monitor": completes}).run(make_job(capture_root, hardening=hardening))
    assert record.overrides == ["network=bridge", "read_only_root=False", "cap_add=NET_RAW"]


class VanishingBackend(FakeBackend):
    """The container disappears while the runtime watches it."""

    def wait(self, container_id: str, timeout: float) -> int | None:
        self.containers.pop(container_id, None)
        raise EngineError(f"container {container_id[:12]} disappeared")


def test_a_container_that_vanishes_is_an_engine_error(
    settings: Settings, capture_root: Path
) -> None:
    runner = Runner(
        VanishingBackend({"monitor": completes}), JobStore(settings.store_path), settings
    )
    record = runner.run(make_job(capture_root))
    assert (record.status, record.reason) == (ExecutionStatus.FAILED, FailureReason.ENGINE_ERROR)
    assert "engine error while watching: container" in record.problems[0]
    assert runner.store.get(record.id).status is ExecutionStatus.FAILED


def test_container_output_is_echoed_while_recorded(settings: Settings, capture_root: Path) -> None:
    lines: list[str] = []
    backend = FakeBackend({"monitor": completes})
    runner = Runner(backend, JobStore(settings.store_path), settings, echo=lines.append)
    record = runner.run(make_job(capture_root))
    assert "  | analysed 44 records" in lines
    assert Path(record.log_path).read_text() == "analysed 44 records\n"
