"""Making sure an engine answers, with the engine, the host and its processes faked."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from runtime import engine
from runtime.cli import cli
from runtime.docker_backend import DockerEngine, EngineStatus
from runtime.engine import engine_status, ensure_engine, install_debian_packages
from runtime.errors import EngineUnavailableError, ImageBuildError
from runtime.settings import Settings

STATUS = EngineStatus("20.10.24", "1.41", "1", "overlay2", "Debian GNU/Linux 12", "x86_64")


class FakeAnswer:
    """A connected engine that describes itself."""

    def status(self) -> EngineStatus:
        return STATUS

    def close(self) -> None:
        pass


class FakeHost:
    """The host as ensure_engine sees it; every field can be set per test."""

    def __init__(self) -> None:
        self.answers_after: int | None = None  # probes before the engine answers; None: never
        self.probes = 0
        self.root = True
        self.dockerd: str | None = "/usr/sbin/dockerd"
        self.denied = False
        self.debian = True
        self.running: int | None = None
        self.exit_code: int | None = None  # of a spawned dockerd; None: keeps running
        self.spawned: list[Path] = []
        self.installed: list[list[str]] = []

    def probe(self, environ: Mapping[str, str] | None = None) -> FakeAnswer | None:
        self.probes += 1
        if self.answers_after is not None and self.probes > self.answers_after:
            return FakeAnswer()
        return None


class FakeProcess:
    def __init__(self, code: int | None) -> None:
        self.pid = 4242
        self.returncode = code

    def poll(self) -> int | None:
        return self.returncode


@pytest.fixture
def host(monkeypatch: pytest.MonkeyPatch) -> FakeHost:
    fake = FakeHost()
    monkeypatch.setattr(DockerEngine, "probe", fake.probe)
    monkeypatch.setattr(engine, "_is_root", lambda: fake.root)
    monkeypatch.setattr(engine, "_dockerd_path", lambda: fake.dockerd)
    monkeypatch.setattr(engine, "_socket_denied", lambda: fake.denied)
    monkeypatch.setattr(engine, "_is_debian_like", lambda: fake.debian)
    monkeypatch.setattr(engine, "_running_dockerd", lambda: fake.running)
    monkeypatch.setattr(engine, "_POLL_SECONDS", 0.001)

    def spawn(engine_dir: Path, log: Path) -> FakeProcess:
        fake.spawned.append(log)
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("level=info msg=starting\nlevel=fatal msg=no iptables\n")
        return FakeProcess(fake.exit_code)

    def install(packages: list[str], **kwargs: object) -> None:
        fake.installed.append(list(packages))
        fake.dockerd = "/usr/sbin/dockerd"

    monkeypatch.setattr(engine, "_spawn_dockerd", spawn)
    monkeypatch.setattr(engine, "install_debian_packages", install)
    return fake


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"WATCHKEEPER_HOME": str(tmp_path / "home")})


def test_a_running_engine_is_used_as_is(host: FakeHost, settings: Settings) -> None:
    host.answers_after = 0
    lines: list[str] = []
    assert ensure_engine(settings, progress=lines.append, environ={}) == STATUS
    assert host.spawned == []
    assert host.installed == []
    assert lines == ["[engine] Docker 20.10.24 answers (API 1.41, cgroup v1, overlay2)"]


def test_installed_but_stopped_daemon_is_started(host: FakeHost, settings: Settings) -> None:
    host.answers_after = 3
    lines: list[str] = []
    assert ensure_engine(settings, progress=lines.append, environ={}) == STATUS
    assert host.spawned == [settings.engine_dir / "dockerd.log"]
    assert host.installed == []
    assert lines[0] == f"[engine] started dockerd (pid 4242, log {settings.engine_dir}/dockerd.log)"


def test_missing_docker_is_installed_then_started(host: FakeHost, settings: Settings) -> None:
    host.dockerd = None
    host.answers_after = 2
    assert ensure_engine(settings, environ={}) == STATUS
    assert host.installed == [["docker.io"]]
    assert len(host.spawned) == 1


def test_a_starting_dockerd_is_awaited_not_doubled(host: FakeHost, settings: Settings) -> None:
    host.running = 99
    host.answers_after = 2
    lines: list[str] = []
    assert ensure_engine(settings, progress=lines.append, environ={}) == STATUS
    assert host.spawned == []
    assert "dockerd (pid 99) is running" in lines[0]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param({"root": False, "dockerd": None}, "Docker is not installed", id="no-docker"),
        pytest.param({"root": False}, "its daemon is not running", id="not-root"),
        pytest.param({"denied": True}, "permission denied", id="socket-denied"),
        pytest.param({"dockerd": None, "debian": False}, "not Debian/Ubuntu", id="not-debian"),
    ],
)
def test_what_to_do_when_no_engine_can_be_started(
    host: FakeHost, settings: Settings, setup: dict[str, object], message: str
) -> None:
    for key, value in setup.items():
        setattr(host, key, value)
    with pytest.raises(EngineUnavailableError, match=message):
        ensure_engine(settings, environ={})
    assert host.spawned == []
    assert host.installed == []


def test_no_install_when_not_allowed(host: FakeHost, settings: Settings) -> None:
    host.dockerd = None
    with pytest.raises(EngineUnavailableError, match=r"sudo apt-get install docker\.io"):
        ensure_engine(settings, install=False, environ={})
    assert host.installed == []


def test_a_remote_docker_host_is_never_replaced(host: FakeHost, settings: Settings) -> None:
    with pytest.raises(EngineUnavailableError, match="DOCKER_HOST=tcp://build:2375"):
        ensure_engine(settings, environ={"DOCKER_HOST": "tcp://build:2375"})
    assert host.spawned == []


def test_dockerd_that_exits_reports_its_log(host: FakeHost, settings: Settings) -> None:
    host.exit_code = 1
    with pytest.raises(EngineUnavailableError, match="exited with code 1") as caught:
        ensure_engine(settings, environ={})
    assert "no iptables" in str(caught.value.context["log_tail"])


def test_dockerd_that_never_answers_times_out(host: FakeHost, settings: Settings) -> None:
    with pytest.raises(EngineUnavailableError, match="did not answer within 0 s"):
        ensure_engine(settings, timeout=0.02, environ={})


def test_engine_status_without_engine(host: FakeHost) -> None:
    with pytest.raises(EngineUnavailableError, match="watchkeeper engine ensure"):
        engine_status({})


def test_spawned_dockerd_is_detached_with_log_and_pid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dockerd = tmp_path / "dockerd"
    fake_dockerd.write_text('#!/bin/sh\nexec python3 -c "import os; print(os.getsid(0))"\n')
    fake_dockerd.chmod(fake_dockerd.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(engine, "_dockerd_path", lambda: str(fake_dockerd))
    engine_dir = tmp_path / "engine"
    process = engine._spawn_dockerd(engine_dir, engine_dir / "dockerd.log")
    assert process.wait(timeout=10) == 0
    assert (engine_dir / "dockerd.pid").read_text() == f"{process.pid}\n"
    # A new session: the daemon is its own session leader, detached from our terminal.
    assert (engine_dir / "dockerd.log").read_text().split() == [str(process.pid)]


# ---------------------------------------------------------------- apt-get


@pytest.fixture
def apt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake apt-get on PATH that logs its arguments; `fail-install` makes installs fail."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls"
    script = bin_dir / "apt-get"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        f'case "$*" in *install*) [ -e {tmp_path}/fail-install ] && exit 100;; esac\n'
        "exit 0\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(engine, "_is_debian_like", lambda: True)
    monkeypatch.setattr(engine, "_is_root", lambda: True)
    return calls


def test_apt_updates_first_when_lists_are_empty(
    apt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_apt_lists_empty", lambda: True)
    install_debian_packages(["docker.io"], log_path=tmp_path / "apt.log")
    assert apt.read_text().splitlines() == ["-q update", "-q install -y docker.io"]


def test_apt_retries_a_failed_install_after_update(
    apt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_apt_lists_empty", lambda: False)
    (tmp_path / "fail-install").touch()
    with pytest.raises(ImageBuildError, match="failed with code 100") as caught:
        install_debian_packages(
            ["debootstrap"], log_path=tmp_path / "apt.log", error=ImageBuildError
        )
    assert apt.read_text().splitlines() == [
        "-q install -y debootstrap",
        "-q update",
        "-q install -y debootstrap",
    ]
    assert "log_tail" in caught.value.context


def test_apt_needs_root(apt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_is_root", lambda: False)
    with pytest.raises(EngineUnavailableError, match="needs root"):
        install_debian_packages(["docker.io"], log_path=tmp_path / "apt.log")
    assert not apt.exists()


# ---------------------------------------------------------------- the CLI


def test_cli_engine_status_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("runtime.cli.engine.engine_status", lambda: STATUS)
    result = CliRunner().invoke(cli, ["engine", "status", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["cgroup_version"] == "1"
    text = CliRunner().invoke(cli, ["engine", "status"])
    assert "storage driver    overlay2" in text.output


def test_cli_engine_ensure_failure_is_one_clear_line(host: FakeHost, tmp_path: Path) -> None:
    host.root = False
    host.dockerd = None
    env = {"DOCKER_HOST": "", "WATCHKEEPER_HOME": str(tmp_path)}
    result = CliRunner().invoke(cli, ["engine", "ensure"], env=env)
    assert result.exit_code == 2
    assert result.output.splitlines()[0].startswith("error: Docker is not installed; install")
