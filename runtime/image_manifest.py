"""The image manifest, `container.toml`: what to build from one image folder.

An image folder holds a `Dockerfile` and a manifest, `container.toml`::

    name = "data-quality"                    # required: short name, [a-z0-9][a-z0-9-]*
    image = "watchkeeper/data-quality:latest"  # optional: the tag (default below)
    description = "Tabular data-quality monitor"  # optional: one line for `images list`
    requirements = "requirements.txt"        # optional: pip requirement specifiers, one a
                                             #   line, no options; a path inside the folder
    include = ["../tabular"]                 # optional: extra files or folders, relative to
                                             #   the manifest, copied into the context
                                             #   under their base name (`tabular/`)
    exclude = ["tests"]                      # optional: shell patterns of context paths left
                                             #   out of the context (a folder: all below it)
    monitor = "data-quality"                 # optional: the monitor type this image serves

Unknown keys are an error. Tag policy: an image is tagged `watchkeeper/<name>:latest`
unless the manifest says otherwise; the tag names the current build, and the label
`io.watchkeeper.content-hash` (not the tag) identifies exactly what went into it. A
rebuild moves the tag and removes the superseded image when nothing else uses it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from runtime.errors import ConfigurationError

__all__ = [
    "MANIFEST_FILE",
    "ImageManifest",
    "discover_manifests",
    "load_manifest",
    "normalized_tag",
    "read_requirements",
]

MANIFEST_FILE = "container.toml"

_IMAGE_FOLDERS = ("containers", "examples")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_TAG = re.compile(  # [registry[:port]/]path[:tag], as docker accepts them
    r"(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9][a-z0-9._/-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
)
_KEYS = frozenset({"name", "image", "description", "requirements", "include", "exclude", "monitor"})


@dataclass(frozen=True)
class ImageManifest:
    """What to build from one image folder (the file format is in the module docstring).

    Attributes:
        name: short name, e.g. `data-quality`.
        image: the tag to build, e.g. `watchkeeper/data-quality:latest`.
        folder: the folder holding the Dockerfile (absolute).
        description: one line for humans.
        requirements: the pip requirements file (absolute), if any.
        include: extra files or folders copied into the context under their base name.
        exclude: shell patterns of context paths left out.
        monitor: the monitor type the image serves, if any.
    """

    name: str
    image: str
    folder: Path
    description: str = ""
    requirements: Path | None = None
    include: tuple[Path, ...] = ()
    exclude: tuple[str, ...] = ()
    monitor: str | None = None


def load_manifest(path: Path) -> ImageManifest:
    """Read and check a `container.toml` (or the one in folder `path`).

    Raises:
        ConfigurationError: the file is missing, not TOML, or breaks the format.
    """
    path = path / MANIFEST_FILE if path.is_dir() else path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"cannot read image manifest {path}: {error}") from error
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigurationError(f"{path}: unknown key(s) {', '.join(unknown)}", manifest=path)
    folder = path.parent.resolve()
    name = _text(data, "name", path, required=True)
    if not _NAME.fullmatch(name):
        raise ConfigurationError(f"{path}: name {name!r} must match [a-z0-9][a-z0-9-]*")
    requirements = _text(data, "requirements", path)
    monitor = _text(data, "monitor", path)
    return ImageManifest(
        name=name,
        image=normalized_tag(_text(data, "image", path) or f"watchkeeper/{name}:latest", path),
        folder=folder,
        description=_text(data, "description", path),
        requirements=_inside(folder, requirements, path) if requirements else None,
        include=tuple(_include(folder, entry, path) for entry in _texts(data, "include", path)),
        exclude=tuple(_texts(data, "exclude", path)),
        monitor=monitor or None,
    )


def discover_manifests(source_root: Path) -> list[ImageManifest]:
    """Every manifest in `containers/*/` and `examples/*/` under `source_root`, by name.

    Raises:
        ConfigurationError: a manifest is invalid, or two share a name or a tag.
    """
    paths = sorted(
        path
        for folder in _IMAGE_FOLDERS
        for path in (source_root / folder).glob(f"*/{MANIFEST_FILE}")
    )
    manifests = [load_manifest(path) for path in paths]
    for attribute in ("name", "image"):
        values = [getattr(manifest, attribute) for manifest in manifests]
        duplicates = sorted({value for value in values if values.count(value) > 1})
        if duplicates:
            raise ConfigurationError(f"two image manifests share the {attribute} {duplicates[0]}")
    return sorted(manifests, key=lambda manifest: manifest.name)


def read_requirements(manifest: ImageManifest) -> list[str]:
    """The requirement specifiers of the manifest's requirements file, in file order."""
    if manifest.requirements is None:
        return []
    lines = (
        line.split("#", 1)[0].strip()
        for line in manifest.requirements.read_text("utf-8").splitlines()
    )
    requirements = [line for line in lines if line]
    options = [line for line in requirements if line.startswith("-")]
    if options:
        raise ConfigurationError(
            f"{manifest.requirements}: only requirement specifiers are allowed, not {options[0]!r}"
        )
    return requirements


def _text(data: Mapping[str, object], key: str, path: Path, *, required: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value):
        raise ConfigurationError(
            f"{path}: {key} must be a {'non-empty ' if required else ''}string"
        )
    return value


def _texts(data: Mapping[str, object], key: str, path: Path) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ConfigurationError(f"{path}: {key} must be a list of non-empty strings")
    return list(value)


def normalized_tag(tag: str, where: Path) -> str:
    """`tag` with an explicit `:latest` if it names none.

    Raises:
        ConfigurationError: `tag` is not a valid image reference (`where` says whose).
    """
    if not _TAG.fullmatch(tag):
        raise ConfigurationError(f"{where}: {tag!r} is not a valid image tag")
    return tag if ":" in tag.rsplit("/", 1)[-1] else f"{tag}:latest"


def _inside(folder: Path, relative: str, path: Path) -> Path:
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder) or not target.is_file():
        raise ConfigurationError(f"{path}: {relative} is not a file inside {folder}")
    return target


def _include(folder: Path, relative: str, path: Path) -> Path:
    target = (folder / relative).resolve()
    if Path(relative).is_absolute() or not target.exists():
        raise ConfigurationError(f"{path}: include {relative} is not an existing relative path")
    if folder.is_relative_to(target):
        raise ConfigurationError(f"{path}: include {relative} contains the image folder itself")
    return target
