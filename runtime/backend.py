"""The backend interface: how the runtime launches and watches one container."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

LABEL_PREFIX = "io.watchkeeper"
MANAGED_LABEL = f"{LABEL_PREFIX}.managed"
EXECUTION_LABEL = f"{LABEL_PREFIX}.execution"
OWNER_LABEL = f"{LABEL_PREFIX}.owner"


@dataclass(frozen=True)
class Mount:
    """A host path bound into the container."""

    source: Path
    target: str
    read_only: bool = True


@dataclass(frozen=True)
class ContainerSpec:
    """Everything needed to create one hardened container, engine-neutral and frozen."""

    name: str
    image: str
    environment: dict[str, str]
    mounts: tuple[Mount, ...]
    labels: dict[str, str]
    user: str
    memory_bytes: int
    nano_cpus: int
    pids_limit: int
    network: str
    read_only_root: bool
    tmpfs: dict[str, str]
    no_new_privileges: bool
    cap_add: tuple[str, ...] = ()
    command: tuple[str, ...] | None = None
    log_max_bytes: int = 10 * 1024**2


@dataclass(frozen=True)
class ContainerState:
    """What the engine reports about a container."""

    id: str
    running: bool
    exit_code: int | None
    oom_killed: bool
    labels: dict[str, str] = field(default_factory=dict)
    started_at: str | None = None
    finished_at: str | None = None


class LogSink(Protocol):
    """Where a backend copies a container's output."""

    def write(self, data: bytes, /) -> int:
        """Take the next chunk of output."""
        ...

    def flush(self) -> None:
        """Make what was written so far readable."""
        ...


class JobBackend(Protocol):
    """A container engine the runtime can run monitors on (Docker today, Kubernetes later)."""

    def image_id(self, image: str) -> str:
        """The local id of `image`; raises ImageNotFoundError without pulling."""
        ...

    def launch(self, spec: ContainerSpec) -> str:
        """Create and start the container; return its id."""
        ...

    def wait(self, container_id: str, timeout: float) -> int | None:
        """Block up to `timeout` seconds; the exit code, or None if still running."""
        ...

    def stop(self, container_id: str, grace_seconds: float) -> None:
        """SIGTERM, wait `grace_seconds`, then SIGKILL."""
        ...

    def state(self, container_id: str) -> ContainerState | None:
        """The container's state, or None when it no longer exists."""
        ...

    def copy_logs(self, container_id: str, sink: LogSink, limit: int) -> None:
        """Stream the container's stdout/stderr into `sink` until it exits, up to `limit` bytes."""
        ...

    def remove(self, container_id: str) -> None:
        """Remove the container (and its anonymous volumes); a missing one is fine."""
        ...

    def find(self, labels: dict[str, str]) -> list[ContainerState]:
        """Containers (running or not) carrying all of `labels`."""
        ...
