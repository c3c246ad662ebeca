"""The host-side wheelhouse that feeds image builds, and the wheel of the `contracts` SDK.

Image builds never reach the network: every Python dependency is downloaded on the
host into a cache folder keyed by the requirement set and the target platform
(CPython 3.11, manylinux, the engine's CPU architecture), then copied into the build
context. The `contracts` SDK enters images as a small wheel, `watchkeeper-contracts`,
written here from the installed `contracts` package: pure Python, byte-for-byte
reproducible, depending only on pydantic (with the project's own version range).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from runtime.errors import ConfigurationError, ImageBuildError

__all__ = ["SDK_DISTRIBUTION", "SdkWheel", "Wheelhouse", "sdk_wheel"]

SDK_DISTRIBUTION = "watchkeeper-contracts"
"""Distribution name of the `contracts` wheel that images install."""

_PROJECT = "watchkeeper"
_SDK_DEPENDENCIES = frozenset({"pydantic"})  # contracts imports the stdlib and pydantic only
_PYTHON = ("3", "11")
_GLIBC_MINORS = range(36, 16, -1)  # Debian bookworm ships glibc 2.36
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_IGNORED_PARTS = frozenset({"__pycache__"})


@dataclass(frozen=True)
class SdkWheel:
    """The `watchkeeper-contracts` wheel, in memory.

    Attributes:
        filename: the wheel's file name (`watchkeeper_contracts-<version>-py3-none-any.whl`).
        data: its bytes (identical for identical sources).
        requirements: its dependencies as requirement strings (e.g. `pydantic<3,>=2.7`).
    """

    filename: str
    data: bytes
    requirements: tuple[str, ...]

    @property
    def digest(self) -> str:
        """sha256 of the wheel's bytes."""
        return hashlib.sha256(self.data).hexdigest()


def sdk_wheel() -> SdkWheel:
    """Write the `contracts` package of this installation as a reproducible wheel.

    Raises:
        ConfigurationError: `contracts` or the `watchkeeper` distribution is not installed.
    """
    try:
        version = metadata.version(_PROJECT)
        requires = metadata.requires(_PROJECT) or []
    except metadata.PackageNotFoundError as error:
        raise ConfigurationError("the watchkeeper distribution is not installed") from error
    dependencies = tuple(
        req.replace(" ", "") for req in requires if _requirement_name(req) in _SDK_DEPENDENCIES
    )
    dist_info = f"watchkeeper_contracts-{version}.dist-info"
    entries = [(f"contracts/{rel}", data) for rel, data in _package_files(_contracts_dir())]
    entries += [
        (f"{dist_info}/METADATA", _metadata(version, dependencies).encode()),
        (f"{dist_info}/WHEEL", _WHEEL_FILE.encode()),
    ]
    entries.append((f"{dist_info}/RECORD", _record(entries, f"{dist_info}/RECORD").encode()))
    return SdkWheel(
        filename=f"watchkeeper_contracts-{version}-py3-none-any.whl",
        data=_zip(entries),
        requirements=dependencies,
    )


class Wheelhouse:
    """Cached wheel folders for CPython 3.11 on Linux, one per requirement set.

    Args:
        root: the cache folder (e.g. `Settings.cache / "wheelhouse"`).
        architecture: the engine's CPU architecture (`x86_64`, `aarch64`).
        progress: called with one line per download.
    """

    def __init__(
        self, root: Path, architecture: str, progress: Callable[[str], None] | None = None
    ) -> None:
        self._root = root
        self._arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(architecture, architecture)
        self._say = progress or (lambda _: None)

    def key(self, requirements: Sequence[str]) -> str:
        """The cache key of a requirement set (order and duplicates do not matter)."""
        spec = {"requirements": sorted(set(requirements)), "python": _PYTHON, "arch": self._arch}
        return hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]

    def ensure(self, requirements: Sequence[str]) -> Path:
        """The folder of wheels satisfying `requirements`, downloading it once.

        Raises:
            ImageBuildError: pip could not download (or build) the wheels.
        """
        target = self._root / self.key(requirements)
        if target.is_dir():
            return target
        self._root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".download-", dir=self._root))
        try:
            self._say(
                f"[wheels] downloading {len(requirements)} requirement(s) for cp311 {self._arch}…"
            )
            self._download(requirements, staging)
            try:
                staging.rename(target)
            except OSError:
                if not target.is_dir():  # else a concurrent build filled it first
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def _download(self, requirements: Sequence[str], dest: Path) -> None:
        platforms = [f"manylinux_2_{minor}_{self._arch}" for minor in _GLIBC_MINORS]
        download = [
            *("download", "--only-binary=:all:", "--implementation", "cp"),
            *("--python-version", ".".join(_PYTHON), "--abi", f"cp{''.join(_PYTHON)}"),
            *(f"--platform={name}" for name in [*platforms, f"manylinux2014_{self._arch}"]),
            *("--dest", str(dest), *requirements),
        ]
        result = _pip(download)
        if result.returncode != 0 and self._host_matches_target():
            # Some requirement has no wheel for the target: build it here, where it runs too.
            self._say("[wheels] no wheel for every requirement; building the missing ones")
            result = _pip(["wheel", "--wheel-dir", str(dest), *requirements])
        if result.returncode != 0:
            tail = "\n".join(result.stdout.splitlines()[-15:])
            raise ImageBuildError(
                "pip could not fetch wheels for the image's requirements",
                requirements=" ".join(requirements),
                log_tail=tail,
            )

    def _host_matches_target(self) -> bool:
        return (
            sys.implementation.name == "cpython"
            and platform.python_version_tuple()[:2] == _PYTHON
            and sys.platform == "linux"
            and platform.machine() == self._arch
        )


def _requirement_name(requirement: str) -> str | None:
    """The normalized project name of a requirement without an environment marker."""
    match = _NAME.match(requirement)
    if match is None or ";" in requirement:
        return None
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _pip(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *arguments]
    return subprocess.run(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )


def _contracts_dir() -> Path:
    spec = importlib.util.find_spec("contracts")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError("the contracts package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _package_files(root: Path) -> list[tuple[str, bytes]]:
    files = (
        path
        for path in root.rglob("*")
        if path.is_file()
        and not _IGNORED_PARTS.intersection(path.relative_to(root).parts)
        and path.suffix not in {".pyc", ".pyo"}
    )
    return sorted((path.relative_to(root).as_posix(), path.read_bytes()) for path in files)


def _metadata(version: str, dependencies: Sequence[str]) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {SDK_DISTRIBUTION}",
        f"Version: {version}",
        "Summary: The watchkeeper contracts SDK, as installed in monitor images.",
        "Requires-Python: >=3.11",
        *(f"Requires-Dist: {dependency}" for dependency in dependencies),
    ]
    return "\n".join(lines) + "\n"


_WHEEL_FILE = (
    "Wheel-Version: 1.0\nGenerator: watchkeeper\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
)


def _record(entries: Sequence[tuple[str, bytes]], record_name: str) -> str:
    rows = []
    for name, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append(f"{name},sha256={digest},{len(data)}\n")
    return "".join(rows) + f"{record_name},,\n"


def _zip(entries: Sequence[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
