"""A `JobBackend` without a daemon: "containers" are Python functions run in threads.

Unit tests (and users testing their own tooling) script what a container does: write files
through its mounts, log, sleep until stopped, exit with a code, or pretend to be OOM-killed.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from runtime.backend import ContainerSpec, ContainerState, LogSink
from runtime.errors import EngineError, ImageNotFoundError

KILLED_EXIT_CODE = 137


@dataclass
class FakeContainer:
    """What a scripted container can see and do."""

    id: str
    spec: ContainerSpec
    stop_requested: threading.Event = field(default_factory=threading.Event)
    logs: bytearray = field(default_factory=bytearray)
    oom_killed: bool = False
    exit_code: int | None = None

    @property
    def environment(self) -> dict[str, str]:
        """The container's environment variables."""
        return self.spec.environment

    def host_path(self, container_path: str) -> Path:
        """The host path behind a container path (through the deepest covering mount)."""
        target = PurePosixPath(container_path)
        best = None
        for mount in self.spec.mounts:
            mount_point = PurePosixPath(mount.target)
            if (target == mount_point or mount_point in target.parents) and (
                best is None or len(mount_point.parts) > len(PurePosixPath(best.target).parts)
            ):
                best = mount
        if best is None:
            raise PermissionError(f"{container_path}: read-only file system (not mounted)")
        return best.source / target.relative_to(best.target)

    def write(self, container_path: str, data: bytes | str) -> Path:
        """Write a file as the container would; refuses read-only mounts."""
        path = self.host_path(container_path)
        mount = next(m for m in self.spec.mounts if path.is_relative_to(m.source))
        if mount.read_only:
            raise PermissionError(f"{container_path}: read-only file system")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    def log(self, text: str) -> None:
        """Print to the container's log."""
        self.logs.extend(text.encode() + b"\n")

    def sleep_until_stopped(self, seconds: float) -> bool:
        """Sleep; True when a stop was requested first."""
        return self.stop_requested.wait(seconds)


Behaviour = Callable[[FakeContainer], int]
"""A scripted container: gets its view, returns its exit code."""


class FakeBackend:
    """Runs scripted containers in threads; images are the keys of `behaviours`."""

    def __init__(self, behaviours: dict[str, Behaviour]) -> None:
        self.behaviours = behaviours
        self.containers: dict[str, FakeContainer] = {}
        self.threads: dict[str, threading.Thread] = {}
        self.launched: list[ContainerSpec] = []

    def image_id(self, image: str) -> str:
        """A stable fake id for known images; ImageNotFoundError otherwise."""
        if image not in self.behaviours:
            raise ImageNotFoundError(f"image {image!r} is not present", image=image)
        return "sha256:" + hashlib.sha256(image.encode()).hexdigest()

    def launch(self, spec: ContainerSpec) -> str:
        """Start the image's behaviour in a thread."""
        container_id = hashlib.sha256(spec.name.encode()).hexdigest()
        container = FakeContainer(container_id, spec)
        behaviour = self.behaviours[spec.image]

        def body() -> None:
            try:
                code = behaviour(container)
            except Exception as error:  # a crashing script is a crashing container
                container.log(f"{type(error).__name__}: {error}")
                code = 1
            if container.exit_code is None:
                container.exit_code = code

        thread = threading.Thread(target=body, name=spec.name, daemon=True)
        self.containers[container_id] = container
        self.threads[container_id] = thread
        self.launched.append(spec)
        thread.start()
        return container_id

    def _container(self, container_id: str) -> FakeContainer:
        try:
            return self.containers[container_id]
        except KeyError:
            raise EngineError(f"no container {container_id[:12]}") from None

    def wait(self, container_id: str, timeout: float) -> int | None:
        """Join the behaviour's thread for up to `timeout` seconds."""
        container = self._container(container_id)
        self.threads[container_id].join(timeout)
        return container.exit_code

    def stop(self, container_id: str, grace_seconds: float) -> None:
        """Ask the behaviour to stop; "kill" it if it has not returned after the grace."""
        container = self._container(container_id)
        container.stop_requested.set()
        self.threads[container_id].join(grace_seconds)
        if container.exit_code is None:
            container.exit_code = KILLED_EXIT_CODE

    def state(self, container_id: str) -> ContainerState | None:
        """The scripted container's state."""
        container = self.containers.get(container_id)
        if container is None:
            return None
        return ContainerState(
            id=container_id,
            running=container.exit_code is None,
            exit_code=container.exit_code,
            oom_killed=container.oom_killed,
            labels=dict(container.spec.labels),
        )

    def copy_logs(self, container_id: str, sink: LogSink, limit: int) -> None:
        """Write the container's log once it has exited."""
        self.threads[container_id].join()
        sink.write(bytes(self._container(container_id).logs[:limit]))

    def remove(self, container_id: str) -> None:
        """Forget the container."""
        self.containers.pop(container_id, None)

    def find(self, labels: dict[str, str]) -> list[ContainerState]:
        """Scripted containers whose labels include `labels`."""
        states = (self.state(container_id) for container_id in list(self.containers))
        return [
            state
            for state in states
            if state and all(state.labels.get(key) == value for key, value in labels.items())
        ]
