"""Making sure a Docker engine answers: use the running one, else install and start one."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from runtime.docker_backend import DockerEngine, EngineStatus
from runtime.errors import EngineUnavailableError, WatchkeeperError
from runtime.settings import Settings

__all__ = ["EngineStatus", "engine_status", "ensure_engine", "install_debian_packages"]

Progress = Callable[[str], None]

_LOCAL_SOCKETS = ("unix:///var/run/docker.sock", "unix:///run/docker.sock")
_SOCKET = Path("/var/run/docker.sock")
_INSTALL_HINT = (
    "install Docker (Debian/Ubuntu: `sudo apt-get install docker.io`; elsewhere "
    "https://docs.docker.com/engine/install/) and start it, or run "
    "`sudo watchkeeper engine ensure` to let watchkeeper do both"
)
_POLL_SECONDS = 0.5
_REPORT_SECONDS = 5.0


def engine_status(environ: Mapping[str, str] | None = None) -> EngineStatus:
    """Describe the engine that answers now.

    Raises:
        EngineUnavailableError: no engine answers.
    """
    status = _answering(environ)
    if status is None:
        raise EngineUnavailableError(
            "no Docker engine answers; run `watchkeeper engine ensure` (as root) to start one"
        )
    return status


def ensure_engine(
    settings: Settings | None = None,
    *,
    install: bool = True,
    timeout: float = 60.0,
    progress: Progress | None = None,
    environ: Mapping[str, str] | None = None,
) -> EngineStatus:
    """Make sure a Docker engine answers, installing and starting one when needed.

    Uses the engine that answers if there is one. Otherwise, as root: installs the
    `docker.io` package on Debian/Ubuntu when `dockerd` is missing (and `install` is
    true), starts `dockerd` detached (log and pid file in `settings.engine_dir`; no
    systemd needed) and waits up to `timeout` seconds for it to answer.

    Args:
        settings: where to keep the engine log and pid (default: from the environment).
        install: allow installing Docker with apt-get.
        timeout: seconds to wait for a started daemon to answer.
        progress: called with one human-readable line per step.
        environ: environment for `DOCKER_HOST` (default: `os.environ`).

    Returns:
        The status of the engine that answers.

    Raises:
        EngineUnavailableError: no engine answers and none could be started; the message
            says what to do.
    """
    settings = settings or Settings.from_env()
    say = progress or _silent
    env = os.environ if environ is None else environ
    status = _answering(env)
    if status is None:
        _check_can_start(env)
        if _dockerd_path() is None:
            _install_docker(settings, install=install, say=say)
            status = _answering(env)  # the package's scripts may have started it
    if status is None:
        status = _start_and_wait(settings.engine_dir, env, timeout, say)
    say(f"[engine] {_describe(status)}")
    return status


def install_debian_packages(
    packages: Sequence[str],
    *,
    log_path: Path,
    progress: Progress | None = None,
    error: type[WatchkeeperError] = EngineUnavailableError,
) -> None:
    """Install Debian packages with apt-get, non-interactively (root, Debian/Ubuntu only).

    Runs `apt-get update` first when the package lists are empty, and once more if
    the install fails. Output goes to `log_path`.

    Raises:
        WatchkeeperError: of class `error`, when this host cannot or did not install them.
    """
    names = " ".join(packages)
    if not _is_debian_like() or shutil.which("apt-get") is None:
        raise error(f"cannot install {names}: this host has no apt-get (not Debian/Ubuntu)")
    if not _is_root():
        raise error(f"installing {names} needs root; run the command again with sudo")
    say = progress or _silent
    say(f"[apt] installing {names} (log: {log_path})…")
    updated = _apt_lists_empty()
    if updated:
        _apt(["update"], log_path, error)
    install = ["install", "-y", *packages]
    if _apt(install, log_path, error, check=updated) != 0:
        _apt(["update"], log_path, error)
        _apt(install, log_path, error)


def _silent(_: str) -> None:
    pass


def _answering(environ: Mapping[str, str] | None) -> EngineStatus | None:
    engine = DockerEngine.probe(environ)
    if engine is None:
        return None
    try:
        return engine.status()
    finally:
        engine.close()


def _describe(status: EngineStatus) -> str:
    return (
        f"Docker {status.server_version} answers (API {status.api_version}, "
        f"cgroup v{status.cgroup_version}, {status.storage_driver})"
    )


def _check_can_start(env: Mapping[str, str]) -> None:
    host = env.get("DOCKER_HOST", "")
    if host and host not in _LOCAL_SOCKETS:
        raise EngineUnavailableError(
            f"the Docker engine at DOCKER_HOST={host} does not answer; start it there, "
            "or unset DOCKER_HOST to use a local engine"
        )
    if _socket_denied():
        raise EngineUnavailableError(
            f"permission denied on {_SOCKET}; run as root, or add your user to the docker "
            "group (`sudo usermod -aG docker $USER`, then log in again)"
        )
    if not _is_root():
        if _dockerd_path() is None:
            raise EngineUnavailableError(f"Docker is not installed; {_INSTALL_HINT}")
        raise EngineUnavailableError(
            "Docker is installed but its daemon is not running; start it "
            "(`sudo systemctl start docker`, or `sudo watchkeeper engine ensure`)"
        )


def _install_docker(settings: Settings, *, install: bool, say: Progress) -> None:
    if not install:
        raise EngineUnavailableError(f"Docker is not installed; {_INSTALL_HINT}")
    if not _is_debian_like():
        raise EngineUnavailableError(
            "Docker is not installed and this host is not Debian/Ubuntu, so watchkeeper "
            "cannot install it; install Docker Engine "
            "(https://docs.docker.com/engine/install/) and start it"
        )
    settings.engine_dir.mkdir(parents=True, exist_ok=True)
    install_debian_packages(["docker.io"], log_path=settings.engine_dir / "apt.log", progress=say)
    if _dockerd_path() is None:
        raise EngineUnavailableError(
            f"installed docker.io but no dockerd is on PATH; {_INSTALL_HINT}",
            log=settings.engine_dir / "apt.log",
        )


def _start_and_wait(
    engine_dir: Path, env: Mapping[str, str], timeout: float, say: Progress
) -> EngineStatus:
    log = engine_dir / "dockerd.log"
    pid = _running_dockerd()
    process: subprocess.Popen[bytes] | None = None
    if pid is None:
        process = _spawn_dockerd(engine_dir, log)
        pid = process.pid
        say(f"[engine] started dockerd (pid {pid}, log {log})")
    else:
        say(f"[engine] dockerd (pid {pid}) is running; waiting for it to answer")
    started = time.monotonic()
    next_report = started + _REPORT_SECONDS
    while True:
        status = _answering(env)
        if status is not None:
            return status
        now = time.monotonic()
        if process is not None and process.poll() is not None:
            raise EngineUnavailableError(
                f"dockerd exited with code {process.returncode} before answering; see {log}",
                log_tail=_tail(log),
            )
        if now - started >= timeout:
            raise EngineUnavailableError(
                f"dockerd (pid {pid}) did not answer within {timeout:.0f} s; see {log}, "
                "or start Docker yourself and run this command again",
                log_tail=_tail(log),
            )
        if now >= next_report:
            say(f"[engine] waiting for dockerd… {now - started:.0f} s")
            next_report += _REPORT_SECONDS
        time.sleep(_POLL_SECONDS)


def _spawn_dockerd(engine_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    engine_dir.mkdir(parents=True, exist_ok=True)
    dockerd = _dockerd_path() or "dockerd"
    with log.open("ab") as out:
        # A new session detaches the daemon from our terminal: it outlives this command.
        process = subprocess.Popen(
            [dockerd],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    (engine_dir / "dockerd.pid").write_text(f"{process.pid}\n", encoding="utf-8")
    return process


def _is_root() -> bool:
    return os.geteuid() == 0


def _dockerd_path() -> str | None:
    return shutil.which("dockerd") or shutil.which("dockerd", path="/usr/sbin:/usr/bin:/sbin:/bin")


def _socket_denied() -> bool:
    return _SOCKET.exists() and not os.access(_SOCKET, os.R_OK | os.W_OK)


def _running_dockerd() -> int | None:
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text(encoding="utf-8").strip() == "dockerd":
                return int(comm.parent.name)
        except OSError:
            continue
    return None


def _is_debian_like() -> bool:
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return False
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    family = f"{fields.get('ID', '')} {fields.get('ID_LIKE', '')}".replace('"', "")
    return any(name in family.split() for name in ("debian", "ubuntu"))


def _apt_lists_empty() -> bool:
    return not any(Path("/var/lib/apt/lists").glob("*_Packages*"))


def _apt(
    arguments: list[str], log_path: Path, error: type[WatchkeeperError], *, check: bool = True
) -> int:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as out:
        code = subprocess.run(
            ["apt-get", "-q", *arguments],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
        ).returncode
    if code != 0 and check:
        raise error(
            f"`apt-get {' '.join(arguments)}` failed with code {code}; see {log_path}",
            log_tail=_tail(log_path),
        )
    return code


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
