"""The Docker engine behind the runtime: the only module that imports the `docker` SDK."""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import docker
import docker.errors
import docker.types
import requests

from runtime.backend import ContainerSpec, ContainerState, LogSink
from runtime.errors import EngineError, EngineUnavailableError, ImageBuildError, ImageNotFoundError

LABEL_MANAGED = "io.watchkeeper.managed"
"""Label on everything the runtime creates (`true`); clean-up finds things by it."""
LABEL_NAME = "io.watchkeeper.name"
"""Short name of a project image (its manifest's `name`)."""
LABEL_HASH = "io.watchkeeper.content-hash"
"""sha256 of everything that went into an image; equal hashes mean an up-to-date image."""
LABEL_MONITOR = "io.watchkeeper.monitor"
"""The monitor type an image serves, from its manifest."""

_PROBE_TIMEOUT = 5
_CALL_TIMEOUT = 120


@dataclass(frozen=True)
class EngineStatus:
    """What the engine says about itself.

    Attributes:
        server_version: the daemon's version, e.g. `20.10.24+dfsg1`.
        api_version: the API version the daemon speaks (and the client negotiated).
        cgroup_version: `1` or `2`.
        storage_driver: e.g. `overlay2`.
        operating_system: the daemon host's OS as the daemon reports it.
        architecture: the daemon host's CPU architecture, e.g. `x86_64`.
    """

    server_version: str
    api_version: str
    cgroup_version: str
    storage_driver: str
    operating_system: str
    architecture: str


@dataclass(frozen=True)
class ImageInfo:
    """One image as the engine reports it.

    Attributes:
        id: the full image id (`sha256:...`).
        tags: its repository tags.
        labels: its labels (empty when it has none).
        created: creation time as the engine reports it (RFC 3339).
        size: size in bytes.
    """

    id: str
    tags: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    created: str = ""
    size: int = 0

    @property
    def short_id(self) -> str:
        """The first 12 hex digits of the id, as `docker images` shows it."""
        return self.id.removeprefix("sha256:")[:12]


class DockerEngine:
    """Image and engine operations on one Docker daemon, errors translated to ours.

    Args:
        api: a connected low-level docker-py client.
    """

    def __init__(self, api: docker.APIClient) -> None:
        self._api = api

    @classmethod
    def connect(
        cls, environ: Mapping[str, str] | None = None, *, timeout: int = _CALL_TIMEOUT
    ) -> DockerEngine:
        """Connect to the engine named by `DOCKER_HOST` (default: the local socket).

        Raises:
            EngineUnavailableError: nothing answers there.
        """
        env = dict(os.environ if environ is None else environ)
        try:
            client = docker.DockerClient.from_env(version="auto", timeout=timeout, environment=env)
        except docker.errors.DockerException as error:
            raise EngineUnavailableError(
                "no Docker engine answers; run `watchkeeper engine ensure` (as root) to start one",
                docker_host=env.get("DOCKER_HOST"),
                cause=str(error),
            ) from error
        return cls(client.api)

    @classmethod
    def probe(cls, environ: Mapping[str, str] | None = None) -> DockerEngine | None:
        """Return a connected engine if one answers within a few seconds, else None."""
        try:
            engine = cls.connect(environ, timeout=_PROBE_TIMEOUT)
        except EngineUnavailableError:
            return None
        if not engine.ping():
            return None
        engine._api.timeout = _CALL_TIMEOUT
        return engine

    def close(self) -> None:
        """Release the client's connections."""
        self._api.close()

    def ping(self) -> bool:
        """True when the daemon answers `/_ping`."""
        try:
            return bool(self._api.ping())
        except (docker.errors.DockerException, requests.RequestException):
            return False

    def status(self) -> EngineStatus:
        """Versions and configuration of the daemon."""
        with _translated("reading the engine's version"):
            version: dict[str, Any] = self._api.version()
            info: dict[str, Any] = self._api.info()
        return EngineStatus(
            server_version=str(version.get("Version", "unknown")),
            api_version=str(version.get("ApiVersion", "unknown")),
            cgroup_version=str(info.get("CgroupVersion") or "1"),
            storage_driver=str(info.get("Driver", "unknown")),
            operating_system=str(info.get("OperatingSystem", "unknown")),
            architecture=str(info.get("Architecture", "unknown")),
        )

    def image(self, reference: str) -> ImageInfo | None:
        """The image named `reference` (tag or id), or None when the engine has none."""
        try:
            raw: dict[str, Any] = self._api.inspect_image(reference)  # type: ignore[no-untyped-call]
        except docker.errors.ImageNotFound:
            return None
        except (docker.errors.DockerException, requests.RequestException) as error:
            raise EngineError(
                f"cannot inspect image {reference}", image=reference, cause=str(error)
            ) from error
        return _image_info(raw)

    def images_with_label(self, label: str) -> list[ImageInfo]:
        """Every tagged image carrying `label` (`key` or `key=value`)."""
        with _translated("listing images"):
            rows: list[dict[str, Any]] = self._api.images(filters={"label": label})
        found = (self.image(str(row["Id"])) for row in rows)
        return [info for info in found if info is not None and info.tags]

    def try_pull(self, reference: str, *, timeout: float) -> bool:
        """Pull `reference`; True on success, False if it cannot be had within `timeout`."""
        try:
            with self._timeout(timeout):
                for line in self._api.pull(reference, stream=True, decode=True):
                    if isinstance(line, dict) and line.get("error"):
                        return False
        except (docker.errors.DockerException, requests.RequestException):
            return False
        return self.image(reference) is not None

    def import_rootfs(self, tar_stream: IO[bytes], tag: str, changes: Sequence[str]) -> str:
        """Import a root filesystem tar stream as image `tag`; return the new image id.

        Args:
            tar_stream: an uncompressed tar of the root filesystem, read to its end.
            tag: `repository:tag` for the new image.
            changes: Dockerfile instructions (`ENV ...`, `CMD ...`, `LABEL ...`) to apply.
        """
        repository, _, version = tag.rpartition(":")
        with self._timeout(None), _translated(f"importing {tag}", error=ImageBuildError):
            self._api.import_image(
                src=tar_stream,
                repository=repository,
                tag=version,
                changes=list(changes),
                stream_src=True,
            )
        info = self.image(tag)
        if info is None:
            raise ImageBuildError(f"importing {tag} produced no image", image=tag)
        return info.id

    def build(
        self,
        context_dir: Path,
        tag: str,
        *,
        buildargs: Mapping[str, str],
        labels: Mapping[str, str],
        nocache: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Build `context_dir` with the classic builder, yielding the decoded stream.

        Each yielded item is one message of the engine's build stream (`stream`,
        `status`, `aux` or `error` keys). A failed request becomes ImageBuildError.
        """
        with _translated(f"building {tag}", error=ImageBuildError):
            yield from self._api.build(
                path=str(context_dir),
                tag=tag,
                buildargs=dict(buildargs),
                labels=dict(labels),
                nocache=nocache,
                rm=True,
                forcerm=True,
                pull=False,
                decode=True,
                timeout=None,
                use_config_proxy=False,
            )

    def remove_image(self, reference: str) -> bool:
        """Remove an image if nothing uses it; True when it was removed."""
        try:
            self._api.remove_image(reference)
        except (docker.errors.DockerException, requests.RequestException):
            return False
        return True

    def prune_build_cache(self) -> tuple[int, int]:
        """Remove untagged images the project's builds left (their build stages).

        Returns:
            How many images were removed and how many bytes that freed.
        """
        with _translated("pruning build-stage images"):
            result: dict[str, Any] = self._api.prune_images(  # type: ignore[no-untyped-call]
                filters={"dangling": True, "label": f"{LABEL_MANAGED}=true"}
            )
        removed = [item for item in result.get("ImagesDeleted") or [] if item.get("Deleted")]
        return len(removed), int(result.get("SpaceReclaimed") or 0)

    @contextlib.contextmanager
    def _timeout(self, seconds: float | None) -> Iterator[None]:
        # docker-py reads the per-request timeout from the client; swap it for one call.
        saved = self._api.timeout
        self._api.timeout = seconds  # type: ignore[assignment]
        try:
            yield
        finally:
            self._api.timeout = saved


def _image_info(raw: Mapping[str, Any]) -> ImageInfo:
    config = raw.get("Config") or {}
    return ImageInfo(
        id=str(raw["Id"]),
        tags=tuple(raw.get("RepoTags") or ()),
        labels=dict(config.get("Labels") or {}),
        created=str(raw.get("Created", "")),
        size=int(raw.get("Size", 0)),
    )


@contextlib.contextmanager
def _translated(
    action: str, *, error: type[EngineError | ImageBuildError] = EngineError
) -> Iterator[None]:
    try:
        yield
    except (docker.errors.DockerException, requests.RequestException) as exc:
        raise error(
            f"the engine failed {action}: {_reason(exc)}", cause=type(exc).__name__
        ) from exc


def _reason(error: Exception) -> str:
    if isinstance(error, docker.errors.APIError) and error.explanation:
        return str(error.explanation)
    return str(error)


class DockerBackend:
    """The `JobBackend` on a Docker engine: create + start, never `run` (which pulls).

    Args:
        engine: a connected engine (default: the one `DOCKER_HOST` names).
    """

    def __init__(self, engine: DockerEngine | None = None) -> None:
        self.engine = engine or DockerEngine.connect()
        self._api = self.engine._api

    def image_id(self, image: str) -> str:
        """The local id of `image`; never pulls."""
        info = self.engine.image(image)
        if info is None:
            raise ImageNotFoundError(
                f"image {image!r} is not present on the engine (watchkeeper never pulls); "
                "build it with `watchkeeper images build` or load it with `docker load`",
                image=image,
            )
        return info.id

    def launch(self, spec: ContainerSpec) -> str:
        """Create the hardened container and start it; remove it again if start fails."""
        with _translated(f"creating a container of {spec.image}"):
            created = self._api.create_container(**create_kwargs(self._api, spec))
        container_id = str(created["Id"])
        try:
            with _translated(f"starting container {spec.name}"):
                self._api.start(container_id)
        except EngineError:
            self.remove(container_id)
            raise
        return container_id

    def wait(self, container_id: str, timeout: float) -> int | None:
        """The exit code once the container stops, or None after `timeout` seconds."""
        try:
            result = self._api.wait(container_id, timeout=max(1, math.ceil(timeout)))
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError):
            return None
        except docker.errors.NotFound as error:
            raise EngineError(f"container {container_id[:12]} disappeared") from error
        except docker.errors.DockerException as error:
            raise EngineError(
                f"waiting for {container_id[:12]} failed: {_reason(error)}"
            ) from error
        return int(result.get("StatusCode", -1))

    def stop(self, container_id: str, grace_seconds: float) -> None:
        """SIGTERM, then SIGKILL after `grace_seconds`."""
        with contextlib.suppress(docker.errors.NotFound), _translated("stopping a container"):
            self._api.stop(container_id, timeout=math.ceil(grace_seconds))

    def state(self, container_id: str) -> ContainerState | None:
        """The container's state, or None when it is gone."""
        try:
            raw: dict[str, Any] = self._api.inspect_container(container_id)
        except docker.errors.NotFound:
            return None
        except (docker.errors.DockerException, requests.RequestException) as error:
            raise EngineError(
                f"cannot inspect container {container_id[:12]}: {_reason(error)}"
            ) from error
        state = raw.get("State") or {}
        return ContainerState(
            id=str(raw["Id"]),
            running=bool(state.get("Running")),
            exit_code=None if state.get("Running") else int(state.get("ExitCode", -1)),
            oom_killed=bool(state.get("OOMKilled")),
            labels=dict((raw.get("Config") or {}).get("Labels") or {}),
            started_at=state.get("StartedAt"),
            finished_at=state.get("FinishedAt"),
        )

    def inspect(self, container_id: str) -> dict[str, Any]:
        """The engine's raw description of a container (for diagnostics and tests)."""
        with _translated("inspecting a container"):
            raw: dict[str, Any] = self._api.inspect_container(container_id)
        return raw

    def copy_logs(self, container_id: str, sink: LogSink, limit: int) -> None:
        """Copy stdout and stderr into `sink` as they come, keeping at most `limit` bytes."""
        written = 0
        with _translated("reading container logs"):
            for chunk in self._api.logs(
                container_id, stdout=True, stderr=True, stream=True, follow=True
            ):
                if written < limit:
                    piece = chunk[: limit - written]
                    sink.write(piece)
                    sink.flush()
                    written += len(piece)
                    if written >= limit:
                        sink.write(f"\n[watchkeeper: log cut at {limit} bytes]\n".encode())
                        sink.flush()

    def remove(self, container_id: str) -> None:
        """Force-remove the container and its anonymous volumes."""
        with contextlib.suppress(docker.errors.NotFound), _translated("removing a container"):
            self._api.remove_container(container_id, v=True, force=True)

    def find(self, labels: dict[str, str]) -> list[ContainerState]:
        """All containers carrying every one of `labels`."""
        filters = {"label": [f"{key}={value}" for key, value in labels.items()]}
        with _translated("listing containers"):
            rows: list[dict[str, Any]] = self._api.containers(all=True, filters=filters)
        states = (self.state(str(row["Id"])) for row in rows)
        return [state for state in states if state is not None]


def create_kwargs(api: docker.APIClient, spec: ContainerSpec) -> dict[str, Any]:
    """The one translation of a frozen `ContainerSpec` into `create_container` arguments."""
    host_config = api.create_host_config(
        mounts=[
            docker.types.Mount(
                target=mount.target,
                source=str(mount.source),
                type="bind",
                read_only=mount.read_only,
            )
            for mount in spec.mounts
        ],
        mem_limit=spec.memory_bytes,
        memswap_limit=spec.memory_bytes,
        nano_cpus=spec.nano_cpus,
        pids_limit=spec.pids_limit,
        network_mode=spec.network,
        read_only=spec.read_only_root,
        tmpfs=dict(spec.tmpfs),
        cap_drop=["ALL"],
        cap_add=list(spec.cap_add) or None,
        security_opt=["no-new-privileges:true"] if spec.no_new_privileges else None,
        privileged=False,
        init=True,
        log_config=docker.types.LogConfig(
            type="json-file", config={"max-size": str(spec.log_max_bytes), "max-file": "1"}
        ),
    )
    return {
        "image": spec.image,
        "command": list(spec.command) if spec.command else None,
        "name": spec.name,
        "user": spec.user,
        "environment": dict(spec.environment),
        "labels": dict(spec.labels),
        "host_config": host_config,
        "stop_signal": "SIGTERM",
    }
