"""The base image monitor images build on: `python:3.11-slim`, or one bootstrapped from Debian.

Without a registry the runtime builds an equivalent base itself, once: `debootstrap
--variant=minbase` of Debian bookworm with python3, python3-venv, ca-certificates and
passwd (for `useradd`), slimmed like Debian's own slim images (no docs, man pages or
locales; dpkg told to keep it that way), then `docker import`ed as
`watchkeeper/base:py3.11` with `PATH`, `LANG=C.UTF-8` and `CMD ["python3"]`. Its
`io.watchkeeper.content-hash` label is the hash of that recipe: a changed recipe
bootstraps again, an unchanged one is reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from runtime.docker_backend import (
    LABEL_HASH,
    LABEL_MANAGED,
    LABEL_NAME,
    EngineStatus,
    ImageInfo,
)
from runtime.engine import Progress, install_debian_packages
from runtime.errors import ImageBuildError, ImageNotFoundError
from runtime.settings import Settings

__all__ = [
    "BOOTSTRAP_TAG",
    "DEBIAN_MIRROR",
    "DEFAULT_BASE",
    "BaseImages",
    "ImageEngine",
    "debootstrap_command",
]

DEFAULT_BASE = "python:3.11-slim"
BOOTSTRAP_TAG = "watchkeeper/base:py3.11"
DEBIAN_MIRROR = "http://deb.debian.org/debian"

_SUITE = "bookworm"
_PACKAGES = ("python3", "python3-venv", "ca-certificates", "passwd")
_RECIPE_VERSION = 1  # bump when the slimming or the import changes
_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
_PULL_TIMEOUT = 20.0
_SLIM_DIRS = ("usr/share/man", "usr/share/info", "usr/share/groff", "usr/share/lintian")
_DPKG_EXCLUDES = """\
# Keep the image slim, like Debian's slim images: no docs, man pages or locales.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
"""
_PYTHON_CHECK = "import ensurepip, sys, venv; assert sys.version_info[:2] == (3, 11), sys.version"


class ImageEngine(Protocol):
    """The engine operations image building needs (DockerEngine, or a fake in tests)."""

    def status(self) -> EngineStatus:
        """Versions and configuration of the engine."""

    def image(self, reference: str) -> ImageInfo | None:
        """The image named `reference`, or None."""

    def images_with_label(self, label: str) -> list[ImageInfo]:
        """Every tagged image carrying `label`."""

    def try_pull(self, reference: str, *, timeout: float) -> bool:
        """Pull `reference`; False if it cannot be had within `timeout`."""

    def import_rootfs(self, tar_stream: IO[bytes], tag: str, changes: Sequence[str]) -> str:
        """Import a root filesystem tar stream as image `tag`."""

    def build(
        self,
        context_dir: Path,
        tag: str,
        *,
        buildargs: Mapping[str, str],
        labels: Mapping[str, str],
        nocache: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Build `context_dir`, yielding the engine's decoded build stream."""

    def remove_image(self, reference: str) -> bool:
        """Remove an image if nothing uses it."""


def debootstrap_command(
    debootstrap: str, rootfs: Path, mirror: str, *, cache_dir: Path, keyring: Path | None
) -> list[str]:
    """The debootstrap command line that creates the base's root filesystem."""
    return [
        debootstrap,
        "--variant=minbase",
        f"--include={','.join(_PACKAGES)}",
        f"--cache-dir={cache_dir}",
        *([f"--keyring={keyring}"] if keyring else []),
        _SUITE,
        str(rootfs),
        mirror,
    ]


class BaseImages:
    """Chooses the base image and bootstraps one when no other can be had.

    Order: an explicit base (must exist or be pullable); `python:3.11-slim` if present;
    a bootstrapped base from the current recipe if present; `python:3.11-slim` if it
    can be pulled within a short timeout; otherwise bootstrap.

    Args:
        engine: where the images live.
        settings: `settings.cache` holds the package cache, logs and the temporary rootfs.
        progress: called with one line per step.
        verbose: pass on every line of debootstrap's output.
        explicit: a base image the user chose; nothing else is tried.
        mirror: the Debian mirror for debootstrap.
        pull_timeout: seconds to wait for a pull of `python:3.11-slim`.
    """

    def __init__(
        self,
        engine: ImageEngine,
        settings: Settings,
        *,
        progress: Progress | None = None,
        verbose: bool = False,
        explicit: str | None = None,
        mirror: str = DEBIAN_MIRROR,
        pull_timeout: float = _PULL_TIMEOUT,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._say: Progress = progress or (lambda _: None)
        self._verbose = verbose
        self._explicit = explicit
        self._mirror = mirror
        self._pull_timeout = pull_timeout
        self._resolved: tuple[str, ImageInfo] | None = None

    @staticmethod
    def recipe_hash() -> str:
        """The hash of the bootstrap recipe, stored as the bootstrapped base's label."""
        recipe = {"suite": _SUITE, "packages": _PACKAGES, "version": _RECIPE_VERSION}
        return hashlib.sha256(json.dumps(recipe).encode()).hexdigest()

    def find(self) -> tuple[str, ImageInfo] | None:
        """The base to use among the images present, without pulling or bootstrapping."""
        candidates = [self._explicit] if self._explicit else [DEFAULT_BASE, BOOTSTRAP_TAG]
        for reference in candidates:
            info = self._engine.image(reference)
            if info is None:
                continue
            if reference == BOOTSTRAP_TAG and info.labels.get(LABEL_HASH) != self.recipe_hash():
                continue  # made by an older recipe: bootstrap again rather than reuse it
            return reference, info
        return None

    def resolve(self) -> tuple[str, ImageInfo]:
        """The base to build on (reference and image), pulling or bootstrapping if needed.

        Raises:
            ImageNotFoundError: an explicit base is neither present nor pullable.
            ImageBuildError: bootstrapping failed.
        """
        if self._resolved is None:
            self._resolved = self.find() or self._obtain()
            reference, info = self._resolved
            self._say(f"[base] using {reference} ({info.short_id})")
        return self._resolved

    def _obtain(self) -> tuple[str, ImageInfo]:
        reference = self._explicit or DEFAULT_BASE
        self._say(f"[base] {reference} is not here; trying to pull it…")
        if self._engine.try_pull(reference, timeout=self._pull_timeout):
            info = self._engine.image(reference)
            if info is not None:
                return reference, info
        if self._explicit:
            raise ImageNotFoundError(
                f"base image {reference} is not on this engine and cannot be pulled; "
                "load it with `docker load`, or leave the base to watchkeeper",
                image=reference,
            )
        self._say(f"[base] cannot pull {reference}; building an equivalent base from Debian")
        return BOOTSTRAP_TAG, self._bootstrap()

    def _bootstrap(self) -> ImageInfo:
        debootstrap = self._debootstrap()
        cache = self._settings.cache
        log = cache / "debootstrap.log"
        self._say(f"[base] bootstrapping Debian {_SUITE} (debootstrap, log: {log})…")
        started = time.monotonic()
        (cache / "debs").mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="rootfs-", dir=cache))
        try:
            rootfs = work / "rootfs"
            keyring = _KEYRING if _KEYRING.is_file() else None
            command = debootstrap_command(
                debootstrap, rootfs, self._mirror, cache_dir=cache / "debs", keyring=keyring
            )
            self._run(command, log)
            _slim(rootfs)
            self._run(["chroot", str(rootfs), "/usr/bin/python3", "-c", _PYTHON_CHECK], log)
            self._say(f"[base] importing the root filesystem as {BOOTSTRAP_TAG}…")
            self._import(rootfs, log)
        finally:
            _release(work)
        info = self._engine.image(BOOTSTRAP_TAG)
        if info is None:
            raise ImageBuildError(f"importing {BOOTSTRAP_TAG} left no image", image=BOOTSTRAP_TAG)
        seconds = time.monotonic() - started
        self._say(f"[base] {BOOTSTRAP_TAG} ready in {seconds:.0f} s ({info.size / 1e6:.0f} MB)")
        return info

    def _debootstrap(self) -> str:
        if not _is_root():
            raise ImageBuildError(
                f"{DEFAULT_BASE} is not here and cannot be pulled, and bootstrapping a base "
                "with debootstrap needs root: run `sudo watchkeeper images build`, or load "
                f"{DEFAULT_BASE} with `docker load`"
            )
        found = shutil.which("debootstrap") or shutil.which("debootstrap", path="/usr/sbin:/sbin")
        if found:
            return found
        self._say("[base] debootstrap is missing; installing it with apt-get")
        try:
            install_debian_packages(
                ["debootstrap", "debian-archive-keyring"],
                log_path=self._settings.cache / "apt.log",
                progress=self._say,
                error=ImageBuildError,
            )
        except ImageBuildError as error:
            raise ImageBuildError(
                f"{error.message}; or load {DEFAULT_BASE} (`docker load`) and build again",
                **error.context,
            ) from error
        return shutil.which("debootstrap", path="/usr/sbin:/usr/bin:/sbin:/bin") or "debootstrap"

    def _run(self, command: Sequence[str], log: Path) -> None:
        tail: deque[str] = deque(maxlen=20)
        phases: set[str] = set()
        with log.open("a", encoding="utf-8") as out:
            out.write(f"$ {' '.join(command)}\n")
            with subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
            ) as process:
                for line in process.stdout or ():
                    out.write(line)
                    tail.append(line.rstrip())
                    # debootstrap logs one "I: <Verb> ..." line per package: show each verb once.
                    verb = line[3:].split(" ", 1)[0] if line.startswith("I: ") else ""
                    if self._verbose or (verb and verb not in phases):
                        phases.add(verb)
                        self._say(f"[base]   {line.rstrip()}")
        if process.returncode != 0:
            raise ImageBuildError(
                f"{Path(command[0]).name} failed with code {process.returncode}; see {log}",
                log_tail="\n".join(tail),
            )

    def _import(self, rootfs: Path, log: Path) -> None:
        changes = [
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "ENV LANG=C.UTF-8",
            'CMD ["python3"]',
            f"LABEL {LABEL_MANAGED}=true {LABEL_NAME}=base {LABEL_HASH}={self.recipe_hash()}",
        ]
        with log.open("ab") as err:
            tar = subprocess.Popen(
                ["tar", "--numeric-owner", "-C", str(rootfs), "-cf", "-", "."],
                stdout=subprocess.PIPE,
                stderr=err,
            )
            try:
                assert tar.stdout is not None
                self._engine.import_rootfs(tar.stdout, BOOTSTRAP_TAG, changes)
            finally:
                if tar.stdout is not None:
                    tar.stdout.close()
                code = tar.wait()
        if code != 0:
            self._engine.remove_image(BOOTSTRAP_TAG)  # a truncated rootfs must not be reused
            raise ImageBuildError(f"tar of the root filesystem failed with code {code}; see {log}")


def _is_root() -> bool:
    return os.geteuid() == 0


def _slim(rootfs: Path) -> None:
    """Drop docs, man pages, locales, package caches and lists, as Debian's slim images do."""
    for relative in _SLIM_DIRS:
        _empty(rootfs / relative)
    _empty(rootfs / "usr/share/locale", keep={"locale.alias"})
    for package in (rootfs / "usr/share/doc").glob("*"):
        if package.is_dir() and not package.is_symlink():
            _empty(package, keep={"copyright"})
    for deb in (rootfs / "var/cache/apt/archives").glob("*.deb"):
        deb.unlink()
    for listing in (rootfs / "var/lib/apt/lists").glob("*_*"):
        listing.unlink()
    excludes = rootfs / "etc/dpkg/dpkg.cfg.d/watchkeeper-slim"
    excludes.parent.mkdir(parents=True, exist_ok=True)
    excludes.write_text(_DPKG_EXCLUDES, encoding="utf-8")


def _empty(folder: Path, keep: frozenset[str] | set[str] = frozenset()) -> None:
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _release(work: Path) -> None:
    """Unmount what a failed debootstrap may have left mounted, then delete `work`."""
    for mount in sorted(_mounts_below(work), reverse=True):
        subprocess.run(["umount", "-l", mount], check=False, capture_output=True)
    shutil.rmtree(work, ignore_errors=True)


def _mounts_below(folder: Path) -> list[str]:
    try:
        lines = Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    escapes = {"\\040": " ", "\\011": "\t", "\\012": "\n", "\\134": "\\"}
    points = []
    for line in lines:
        point = line.split(" ")[1] if " " in line else ""
        for escaped, plain in escapes.items():
            point = point.replace(escaped, plain)
        if point and Path(point).is_relative_to(folder):
            points.append(point)
    return points
