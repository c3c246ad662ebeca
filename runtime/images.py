"""Building the project's images, and test images, on a local engine without a registry.

What to build comes from each image folder's manifest (`runtime.image_manifest`).

Every image built here is labelled `io.watchkeeper.managed=true`,
`io.watchkeeper.name=<name>`, `io.watchkeeper.content-hash=<sha256>` (and
`io.watchkeeper.monitor` when the manifest names one). The content hash covers the
context files (paths, bytes, executable bits), the requirement set, the `contracts` SDK
wheel and the base image id; when it matches the tagged image, the build is skipped.

The build context is assembled in a temporary folder: the folder's files, the includes,
and `_wheels/` holding the wheels of the requirements and the SDK (see
`runtime.wheelhouse`) plus `_wheels/requirements.txt` naming what to install. A
Dockerfile that never mentions `_wheels` gets none: no download, and SDK changes do not
rebuild it. Dockerfiles consume it like this, with no network access during the build (a
separate stage keeps the wheels out of the final image; the classic builder supports it)::

    ARG BASE_IMAGE=python:3.11-slim
    FROM ${BASE_IMAGE} AS venv
    COPY _wheels /tmp/wheels
    RUN python3 -m venv /opt/venv \\
     && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /tmp/wheels \\
            -r /tmp/wheels/requirements.txt

    FROM ${BASE_IMAGE}
    COPY --from=venv /opt/venv /opt/venv

`BASE_IMAGE` is `python:3.11-slim` when the engine has it or can pull it; otherwise an
equivalent base, `watchkeeper/base:py3.11`, is bootstrapped once from Debian packages
(`runtime.base_image`).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from runtime.base_image import BOOTSTRAP_TAG, DEBIAN_MIRROR, BaseImages, ImageEngine
from runtime.docker_backend import (
    LABEL_HASH,
    LABEL_MANAGED,
    LABEL_MONITOR,
    LABEL_NAME,
    DockerEngine,
    ImageInfo,
)
from runtime.engine import Progress
from runtime.errors import ConfigurationError, ImageBuildError
from runtime.image_manifest import (
    MANIFEST_FILE,
    ImageManifest,
    discover_manifests,
    load_manifest,
    normalized_tag,
    read_requirements,
)
from runtime.settings import Settings
from runtime.wheelhouse import SDK_DISTRIBUTION, SdkWheel, Wheelhouse, sdk_wheel

__all__ = [
    "LABEL_HASH",
    "LABEL_MANAGED",
    "LABEL_MONITOR",
    "LABEL_NAME",
    "WHEELS_DIR",
    "BuildResult",
    "ImageBuilder",
    "ImageState",
    "assemble_context",
    "build_image",
    "build_images",
    "content_hash",
    "context_files",
    "list_images",
]

WHEELS_DIR = "_wheels"

_IGNORED_DIRS = frozenset(
    {"__pycache__", ".git", ".venv", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)
_IGNORED_SUFFIXES = (".pyc", ".pyo")
_STEP = re.compile(r"Step (\d+/\d+) : (.*)")


@dataclass(frozen=True)
class BuildResult:
    """The outcome of building one image.

    Attributes:
        name: the manifest's short name.
        tag: the image tag.
        image_id: the id the tag points to now.
        content_hash: the inputs' hash stored in the image's labels.
        built: False when the image was already up to date and nothing was built.
        seconds: wall time spent.
    """

    name: str
    tag: str
    image_id: str
    content_hash: str
    built: bool
    seconds: float


@dataclass(frozen=True)
class ImageState:
    """One row of `watchkeeper images list`.

    Attributes:
        name: the image's short name.
        tag: its tag.
        id: short image id ("" when not built).
        created: creation time ("" when not built).
        size: size in bytes.
        content_hash: the hash in its labels ("" when not built).
        state: `up to date`, `stale` (its inputs changed), `not built`, or `unknown`
            (no source folder or no base image to compare with).
    """

    name: str
    tag: str
    id: str
    created: str
    size: int
    content_hash: str
    state: Literal["up to date", "stale", "not built", "unknown"]


def context_files(manifest: ImageManifest) -> dict[str, Path]:
    """The build context's source files: context path (POSIX) to file, sorted by path.

    Raises:
        ConfigurationError: an include collides with a folder entry or uses `_wheels`.
    """
    files = _tree(manifest.folder, "")
    for include in manifest.include:
        if any(path.split("/", 1)[0] == include.name for path in files):
            raise ConfigurationError(
                f"{manifest.name}: include {include.name} collides with an entry"
            )
        files.update(_tree(include, include.name))
    files = {
        path: source for path, source in files.items() if not _excluded(path, manifest.exclude)
    }
    if any(path.split("/", 1)[0] == WHEELS_DIR for path in files):
        raise ConfigurationError(f"{manifest.name}: {WHEELS_DIR}/ is reserved for the wheelhouse")
    if "Dockerfile" not in files:
        raise ConfigurationError(f"{manifest.folder} has no Dockerfile", image=manifest.image)
    return dict(sorted(files.items()))


def content_hash(
    files: Mapping[str, Path], *, requirements: Sequence[str], sdk_digest: str, base_id: str
) -> str:
    """sha256 over the context files (path, executable bit, bytes), requirements, SDK and base.

    The requirement set is hashed sorted and without duplicates: its order does not matter.
    """
    digest = hashlib.sha256()
    for path in sorted(files):
        source = files[path]
        executable = "x" if source.stat().st_mode & 0o111 else "-"
        digest.update(f"file\0{path}\0{executable}\0{source.stat().st_size}\0".encode())
        digest.update(source.read_bytes())
    for requirement in sorted(set(requirements)):
        digest.update(f"requirement\0{requirement}\0".encode())
    digest.update(f"sdk\0{sdk_digest}\0base\0{base_id}\0".encode())
    return digest.hexdigest()


def assemble_context(
    files: Mapping[str, Path],
    dest: Path,
    *,
    wheels: Iterable[Path] = (),
    sdk: SdkWheel | None = None,
    requirements: Sequence[str] = (),
) -> None:
    """Copy `files` into `dest`; with wheels or an SDK, fill `dest/_wheels` too.

    `_wheels/` then holds the wheels, the SDK wheel and `requirements.txt`: the
    requirements followed by the SDK's distribution name, what Dockerfiles install.
    """
    for path, source in files.items():
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    if sdk is None and not wheels and not requirements:
        return
    wheel_dir = dest / WHEELS_DIR
    wheel_dir.mkdir(parents=True, exist_ok=True)
    for wheel in wheels:
        _link_or_copy(wheel, wheel_dir / wheel.name)
    install = list(requirements)
    if sdk is not None:
        (wheel_dir / sdk.filename).write_bytes(sdk.data)
        install.append(SDK_DISTRIBUTION)
    (wheel_dir / "requirements.txt").write_text("".join(f"{line}\n" for line in install), "utf-8")


class ImageBuilder:
    """Builds image folders on one engine, skipping images whose inputs did not change.

    Args:
        engine: the engine to build on (a DockerEngine, or a fake in tests).
        settings: where the wheelhouse and bootstrap caches live.
        progress: called with one human-readable line per step.
        verbose: also pass on every line of the build output.
        base_image: use this base instead of choosing one (must exist or be pullable).
        mirror: the Debian mirror for bootstrapping the base.
    """

    def __init__(
        self,
        engine: ImageEngine,
        settings: Settings,
        *,
        progress: Progress | None = None,
        verbose: bool = False,
        base_image: str | None = None,
        mirror: str = DEBIAN_MIRROR,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._say: Progress = progress or (lambda _: None)
        self._verbose = verbose
        self._bases = BaseImages(
            engine,
            settings,
            progress=self._say,
            verbose=verbose,
            explicit=base_image,
            mirror=mirror,
        )
        self._sdk: SdkWheel | None = None

    @property
    def bases(self) -> BaseImages:
        """The base-image chooser (and bootstrapper) this builder uses."""
        return self._bases

    def sdk(self) -> SdkWheel:
        """The `contracts` SDK wheel, written once per builder."""
        if self._sdk is None:
            self._sdk = sdk_wheel()
        return self._sdk

    def expected_hash(self, manifest: ImageManifest, base_id: str) -> str:
        """The content hash a fresh build of `manifest` on `base_id` would carry."""
        files = context_files(manifest)
        wheels = _uses_wheels(files)
        return content_hash(
            files,
            requirements=read_requirements(manifest) if wheels else [],
            sdk_digest=self.sdk().digest if wheels else "",
            base_id=base_id,
        )

    def build(self, manifest: ImageManifest, *, force: bool = False) -> BuildResult:
        """Build `manifest` unless the tagged image is up to date (or `force` is set).

        Raises:
            ImageBuildError: the base, the wheels or a build step failed.
        """
        started = time.monotonic()
        base_ref, base = self._bases.resolve()
        digest = self.expected_hash(manifest, base.id)
        current = self._engine.image(manifest.image)
        if not force and current is not None and current.labels.get(LABEL_HASH) == digest:
            self._say(f"[{manifest.name}] up to date ({manifest.image}, {current.short_id})")
            return BuildResult(
                manifest.name, manifest.image, current.id, digest, False, time.monotonic() - started
            )
        image_id = self._build(manifest, base_ref, digest, nocache=force)
        if current is not None and current.id != image_id:
            self._engine.remove_image(current.id)  # the superseded build, if nothing uses it
        seconds = time.monotonic() - started
        self._say(f"[{manifest.name}] built {manifest.image} ({image_id[7:19]}) in {seconds:.1f} s")
        return BuildResult(manifest.name, manifest.image, image_id, digest, True, seconds)

    def _build(self, manifest: ImageManifest, base_ref: str, digest: str, *, nocache: bool) -> str:
        files = context_files(manifest)
        labels = {LABEL_MANAGED: "true", LABEL_NAME: manifest.name, LABEL_HASH: digest}
        if manifest.monitor:
            labels[LABEL_MONITOR] = manifest.monitor
        self._settings.cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="context-", dir=self._settings.cache) as tmp:
            context = Path(tmp)
            assemble_context(files, context)
            if _uses_wheels(files):
                self._add_wheels(manifest, context)
            self._say(f"[{manifest.name}] building {manifest.image} from {base_ref}…")
            stream = self._engine.build(
                context,
                manifest.image,
                buildargs={"BASE_IMAGE": base_ref},
                labels=labels,
                nocache=nocache,
            )
            return self._follow(manifest, stream)

    def _add_wheels(self, manifest: ImageManifest, context: Path) -> None:
        requirements = read_requirements(manifest)
        sdk = self.sdk()
        architecture = self._engine.status().architecture
        house = Wheelhouse(self._settings.cache / "wheelhouse", architecture, self._say)
        wheels = sorted(house.ensure([*requirements, *sdk.requirements]).glob("*.whl"))
        assemble_context({}, context, wheels=wheels, sdk=sdk, requirements=requirements)

    def _follow(self, manifest: ImageManifest, stream: Iterable[Mapping[str, Any]]) -> str:
        tail: deque[str] = deque(maxlen=40)
        image_id = ""
        for message in stream:
            if message.get("error"):
                tail.append(str(message["error"]).rstrip())
                raise ImageBuildError(
                    f"building {manifest.image} failed: {str(message['error']).strip()}",
                    image=manifest.image,
                    log_tail="\n".join(tail),
                )
            for line in str(message.get("stream") or "").splitlines():
                tail.append(line)
                self._show(manifest.name, line)
            image_id = str((message.get("aux") or {}).get("ID") or image_id)
        built = self._engine.image(manifest.image)
        if built is None or (image_id and built.id != image_id):
            raise ImageBuildError(
                f"the engine reported no image for {manifest.image}",
                image=manifest.image,
                log_tail="\n".join(tail),
            )
        return built.id

    def _show(self, name: str, line: str) -> None:
        step = _STEP.match(line)
        if step:
            instruction = " ".join(step.group(2).split())
            instruction = instruction if len(instruction) <= 90 else instruction[:89] + "…"
            self._say(f"[{name}] step {step.group(1)} {instruction}")
        elif self._verbose and line.strip():
            self._say(f"[{name}]   {line}")


def build_image(
    context_dir: Path,
    tag: str,
    *,
    name: str | None = None,
    force: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
    verbose: bool = False,
) -> BuildResult:
    """Build one image folder (with or without a `container.toml`) as `tag`.

    Made for test fixtures: `build_image(Path("tests/integration/images/oom"),
    "watchkeeper-test/oom:latest")`. A manifest in the folder supplies requirements,
    includes and excludes; `tag` (and `name`, default: the tag's last path part)
    override its own. The folder's Dockerfile gets `BASE_IMAGE` and `_wheels/` like
    every project image.

    Raises:
        ConfigurationError: the folder has no Dockerfile or a bad manifest.
        EngineUnavailableError: no engine answers.
        ImageBuildError: the build failed.
    """
    folder = context_dir.resolve()
    default_name = tag.rsplit(":", 1)[0].rsplit("/", 1)[-1]
    if (folder / MANIFEST_FILE).is_file():
        manifest = dataclasses.replace(load_manifest(folder), image=normalized_tag(tag, folder))
    else:
        manifest = ImageManifest(
            name=default_name, image=normalized_tag(tag, folder), folder=folder
        )
    if name is not None or not (folder / MANIFEST_FILE).is_file():
        manifest = dataclasses.replace(manifest, name=name or default_name)
    engine = DockerEngine.connect()
    try:
        builder = ImageBuilder(
            engine, settings or Settings.from_env(), progress=progress, verbose=verbose
        )
        return builder.build(manifest, force=force)
    finally:
        engine.close()


def build_images(
    names: Sequence[str] = (),
    *,
    force: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
    verbose: bool = False,
    base_image: str | None = None,
    mirror: str = DEBIAN_MIRROR,
) -> list[BuildResult]:
    """Build the project's images (all of them, or those named by name or folder path).

    Raises:
        ConfigurationError: a name matches no manifest, or a manifest is invalid.
        EngineUnavailableError: no engine answers.
        ImageBuildError: a build failed (images before it stay built).
    """
    settings = settings or Settings.from_env()
    manifests = _select(discover_manifests(settings.source_root), names)
    engine = DockerEngine.connect()
    try:
        builder = ImageBuilder(
            engine,
            settings,
            progress=progress,
            verbose=verbose,
            base_image=base_image,
            mirror=mirror,
        )
        return [builder.build(manifest, force=force) for manifest in manifests]
    finally:
        engine.close()


def list_images(settings: Settings | None = None) -> list[ImageState]:
    """The project's images with their build state; never pulls or builds anything."""
    settings = settings or Settings.from_env()
    manifests = {manifest.image: manifest for manifest in discover_manifests(settings.source_root)}
    engine = DockerEngine.connect()
    try:
        builder = ImageBuilder(engine, settings)
        base = builder.bases.find()
        rows = []
        for info in engine.images_with_label(f"{LABEL_MANAGED}=true"):
            for tag in info.tags:
                manifest = manifests.pop(tag, None)
                expected = builder.bases.recipe_hash() if tag == BOOTSTRAP_TAG else None
                if manifest is not None and base is not None:
                    expected = builder.expected_hash(manifest, base[1].id)
                rows.append(_state(tag, info, expected))
        rows += [
            ImageState(m.name, m.image, "", "", 0, "", "not built") for m in manifests.values()
        ]
        return sorted(rows, key=lambda row: row.tag)
    finally:
        engine.close()


def _state(tag: str, info: ImageInfo, expected: str | None) -> ImageState:
    digest = info.labels.get(LABEL_HASH, "")
    state: Literal["up to date", "stale", "unknown"] = "unknown"
    if expected is not None:
        state = "up to date" if digest == expected else "stale"
    name = info.labels.get(LABEL_NAME, tag)
    return ImageState(name, tag, info.short_id, info.created, info.size, digest, state)


def _select(manifests: list[ImageManifest], names: Sequence[str]) -> list[ImageManifest]:
    if not names:
        return manifests
    by_name = {manifest.name: manifest for manifest in manifests}
    by_name.update({manifest.folder.name: manifest for manifest in manifests})
    chosen = []
    for name in names:
        if name in by_name:
            chosen.append(by_name[name])
        elif (Path(name) / MANIFEST_FILE).is_file():
            chosen.append(load_manifest(Path(name)))
        else:
            known = ", ".join(sorted(manifest.name for manifest in manifests)) or "none"
            raise ConfigurationError(f"no image named {name!r} (known: {known})")
    return chosen


def _tree(root: Path, prefix: str) -> dict[str, Path]:
    if root.is_file():
        return {prefix or root.name: root}
    files: dict[str, Path] = {}
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(name for name in subdirs if name not in _IGNORED_DIRS)
        base = Path(directory).relative_to(root)
        for name in names:
            source = Path(directory) / name
            if name.endswith(_IGNORED_SUFFIXES) or not source.is_file():
                continue
            files[(Path(prefix) / base / name).as_posix()] = source
    return files


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    return any(fnmatch.fnmatchcase(prefix, pattern) for pattern in patterns for prefix in prefixes)


def _uses_wheels(files: Mapping[str, Path]) -> bool:
    """Whether the Dockerfile reads `_wheels/`; one that does not gets no wheelhouse."""
    return WHEELS_DIR.encode() in files["Dockerfile"].read_bytes()


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
