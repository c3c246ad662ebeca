"""The host runtime on the real engine: statuses, limits, hardening, hostile outputs."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from runtime.docker_backend import DockerBackend, DockerEngine
from runtime.execution import ExecutionRecord, ExecutionStatus, FailureReason
from runtime.job import MonitoringJob
from runtime.runner import Runner
from tests.conftest import SAMPLES, WINDOW_END, WINDOW_START
from tests.integration.conftest import CliRun, record_of, wait_for

WINDOW = ["--start", "2024-05-01T10:00:00Z", "--end", "2024-05-01T11:00:00Z"]


def run_args(image: str, capture_root: Path, behaviour: str, *extra: str) -> list[str]:
    return [
        "run", "--image", image, "--endpoint", "ep", "--capture", str(capture_root),
        *WINDOW, "--env", f"BEHAVIOUR={behaviour}", "--json", *extra,
    ]  # fmt: skip


def make_job(image: str, capture_root: Path, behaviour: str, **changes: Any) -> MonitoringJob:
    environment = {"BEHAVIOUR": behaviour} | changes.pop("environment", {})
    fields = {
        "image": image,
        "endpoint": "ep",
        "start_time": WINDOW_START,
        "end_time": WINDOW_END,
        "capture_root": capture_root,
        "environment": environment,
    }
    return MonitoringJob.model_validate(fields | changes)


def test_happy_path(cli: CliRun, hostile_image: str, capture_root: Path, tmp_path: Path) -> None:
    result = cli(*run_args(hostile_image, capture_root, "ok", "--output", str(tmp_path / "out")))
    assert result.returncode == 0, result.stderr
    record = record_of(result)
    assert record.status is ExecutionStatus.COMPLETED
    assert record.exit_code == 0
    assert record.image_id and record.image_id.startswith("sha256:")
    assert [(o.name, o.valid) for o in record.outputs] == [
        ("reports/constraint_violations.json", True)
    ]
    assert (tmp_path / "out" / "constraint_violations.json").is_file()
    assert "ok: analysed the window" in Path(record.log_path).read_text()
    summary = cli("jobs", "show", record.id[:15])
    assert summary.returncode == 0
    assert "Completed" in summary.stdout
    listing = cli("jobs", "list")
    assert record.id in listing.stdout
    assert cli("jobs", "logs", record.id).stdout == "ok: analysed the window\n"


def test_violations_exit_3(cli: CliRun, hostile_image: str, capture_root: Path) -> None:
    result = cli(*run_args(hostile_image, capture_root, "violations"))
    assert result.returncode == 3, result.stderr
    record = record_of(result)
    assert record.status is ExecutionStatus.COMPLETED_WITH_VIOLATIONS
    assert record.violations == 2


def test_non_zero_exit_keeps_message(cli: CliRun, hostile_image: str, capture_root: Path) -> None:
    result = cli(*run_args(hostile_image, capture_root, "fail"))
    assert result.returncode == 1
    record = record_of(result)
    assert (record.status, record.reason) == (
        ExecutionStatus.FAILED,
        FailureReason.CONTAINER_EXITED_NON_ZERO,
    )
    assert record.exit_code == 3
    assert record.message == "ValueError: the baseline has no feature named 'age'"


def test_summary_output(cli: CliRun, hostile_image: str, capture_root: Path) -> None:
    arguments = run_args(hostile_image, capture_root, "fail")
    arguments.remove("--json")
    result = cli(*arguments)
    assert result.returncode == 1
    assert "Failed (ContainerExitedNonZero)" in result.stdout
    assert "message:  ValueError: the baseline has no feature named 'age'" in result.stdout


def test_sigterm_ignorer_is_killed_after_grace(
    cli: CliRun, hostile_image: str, capture_root: Path
) -> None:
    started = time.monotonic()
    result = cli(
        *run_args(hostile_image, capture_root, "ignore-term", "--timeout", "3", "--grace", "2")
    )
    elapsed = time.monotonic() - started
    record = record_of(result)
    assert result.returncode == 1
    assert (record.status, record.reason) == (
        ExecutionStatus.STOPPED,
        FailureReason.MAX_RUNTIME_EXCEEDED,
    )
    assert record.exit_code == 137
    assert elapsed < 3 + 2 + 8


def test_sigterm_trapper_gets_its_grace(
    cli: CliRun, hostile_image: str, capture_root: Path
) -> None:
    result = cli(
        *run_args(hostile_image, capture_root, "trap-term", "--timeout", "3", "--grace", "10")
    )
    record = record_of(result)
    assert record.reason is FailureReason.MAX_RUNTIME_EXCEEDED
    assert record.message == "Stopped: trapped SIGTERM and saved partial results"
    assert record.exit_code == 143


def test_memory_over_limit_is_oom_killed(
    cli: CliRun, hostile_image: str, capture_root: Path
) -> None:
    result = cli(*run_args(hostile_image, capture_root, "oom", "--memory", "96m"))
    record = record_of(result)
    assert (record.status, record.reason) == (ExecutionStatus.FAILED, FailureReason.OOM_KILLED)
    assert record.oom_killed


def test_plain_docker_stop_is_not_oom(
    runner: Runner, hostile_image: str, capture_root: Path
) -> None:
    job = make_job(hostile_image, capture_root, "sleep")
    records: list[ExecutionRecord] = []
    thread = threading.Thread(target=lambda: records.append(runner.run(job)))
    thread.start()
    running = wait_for(lambda: runner.store.list(statuses=(ExecutionStatus.IN_PROGRESS,)))
    assert isinstance(runner.backend, DockerBackend)
    runner.backend._api.stop(running[0].container_id, timeout=1)
    thread.join(timeout=60)
    (record,) = records
    assert not record.oom_killed
    assert (record.status, record.reason) == (
        ExecutionStatus.FAILED,
        FailureReason.CONTAINER_EXITED_NON_ZERO,
    )


def test_fork_bomb_is_contained(runner: Runner, hostile_image: str, capture_root: Path) -> None:
    job = make_job(hostile_image, capture_root, "fork-bomb", resources={"pids": 64})
    records: list[ExecutionRecord] = []
    thread = threading.Thread(target=lambda: records.append(runner.run(job)))
    thread.start()
    worst = 0.0
    while thread.is_alive():
        started = time.monotonic()
        subprocess.run(["true"], check=True, timeout=30)
        worst = max(worst, time.monotonic() - started)
        time.sleep(0.2)
    (record,) = records
    assert worst < 5, f"the host took {worst:.1f}s to start a process during the fork bomb"
    report = json.loads((Path(record.reports_path) / "forkbomb.json").read_text())
    assert report["failure"] == "EAGAIN"
    assert report["children"] < 64
    assert record.reason is FailureReason.CONTAINER_EXITED_NON_ZERO


class InspectingBackend(DockerBackend):
    """Keeps the engine's view of each container before removing it."""

    inspected: list[dict[str, Any]]

    def remove(self, container_id: str) -> None:
        self.inspected.append(self.inspect(container_id))
        super().remove(container_id)


def test_hardened_defaults_from_inside_and_outside(
    runner: Runner, hostile_image: str, capture_root: Path
) -> None:
    backend = InspectingBackend()
    backend.inspected = []
    runner.backend = backend
    stats = SAMPLES / "sdk" / "data_quality__statistics.json"
    record = runner.run(make_job(hostile_image, capture_root, "probe", baseline_statistics=stats))
    assert record.status is ExecutionStatus.COMPLETED, record.problems
    probe = json.loads((Path(record.reports_path) / "probe.json").read_text())
    assert probe["uid"] == 10001
    assert probe["gid"] == 10001
    assert int(probe["cap_eff"], 16) == 0
    assert int(probe["cap_bnd"], 16) == 0
    assert probe["no_new_privs"] == "1"
    assert probe["tcp"].startswith("refused")
    assert probe["dns"].startswith("refused")
    assert probe["write_input"] == "refused: EROFS"
    assert probe["write_baseline"] == "refused: EROFS"
    assert probe["write_root"] == "refused: EROFS"
    assert probe["write_etc"] == "refused: EROFS"
    assert probe["write_config"] == "refused: EROFS"
    assert probe["write_tmp"] == "allowed"
    assert probe["hours"] == ["ep/AllTraffic/2024/05/01/10"]
    assert probe["environment"]["sagemaker_endpoint_name"] == "ep"
    assert probe["environment"]["start_time"] == "2024-05-01T10:00:00Z"
    (inspected,) = backend.inspected
    host = inspected["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert host["SecurityOpt"] == ["no-new-privileges:true"]
    assert host["Privileged"] is False
    assert host["PidsLimit"] == 256
    assert host["Memory"] == host["MemorySwap"] == 2 * 1024**3
    assert host["NanoCpus"] == 1_000_000_000
    assert inspected["Config"]["User"] == "10001:10001"
    assert all(
        mount["RW"] is False
        for mount in inspected["Mounts"]
        if mount["Destination"].startswith(
            ("/opt/ml/processing/input", "/opt/ml/processing/baseline", "/opt/ml/config")
        )
    )
    assert "/var/run/docker.sock" not in {m["Source"] for m in inspected["Mounts"]}


def test_symlinks_and_special_files_are_refused(
    cli: CliRun, hostile_image: str, capture_root: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    result = cli(*run_args(hostile_image, capture_root, "symlink", "--output", str(output)))
    record = record_of(result)
    assert record.status is ExecutionStatus.COMPLETED
    assert "refused symbolic link statistics.json" in record.problems
    assert "refused symbolic link constraints.json" in record.problems
    assert "refused special file pipe" in record.problems
    assert [o.name for o in record.outputs] == ["reports/constraint_violations.json"]
    assert sorted(path.name for path in output.iterdir()) == ["constraint_violations.json"]
    assert "root:" not in result.stdout


def test_output_over_the_cap_fails(cli: CliRun, hostile_image: str, capture_root: Path) -> None:
    result = cli(
        *run_args(
            hostile_image, capture_root, "huge", "--max-output-size", "8m", "--env", "HUGE_MB=64"
        )
    )
    record = record_of(result)
    assert (record.status, record.reason) == (
        ExecutionStatus.FAILED,
        FailureReason.OUTPUT_TOO_LARGE,
    )


def test_long_message_is_cut_to_1_kib(cli: CliRun, hostile_image: str, capture_root: Path) -> None:
    record = record_of(cli(*run_args(hostile_image, capture_root, "big-message")))
    assert record.message is not None
    assert len(record.message.encode()) == 1024
    assert record.status is ExecutionStatus.COMPLETED


def test_non_utf8_message_fails(cli: CliRun, hostile_image: str, capture_root: Path) -> None:
    record = record_of(cli(*run_args(hostile_image, capture_root, "bad-utf8")))
    assert (record.status, record.reason) == (
        ExecutionStatus.FAILED,
        FailureReason.MESSAGE_NOT_UTF8,
    )


def test_missing_image_is_a_clear_error_and_never_pulled(
    cli: CliRun, engine: DockerEngine, capture_root: Path
) -> None:
    since = int(time.time()) - 1
    image = "watchkeeper-test/never-built:1.0"
    result = cli(*run_args(image, capture_root, "ok"))
    assert result.returncode == 2
    assert f"image '{image}' is not present on the engine" in result.stderr
    assert "watchkeeper images build" in result.stderr
    events = engine._api.events(since=since, until=int(time.time()) + 1, decode=True)
    assert [event for event in events if event.get("Action") == "pull"] == []
    assert engine.image(image) is None
