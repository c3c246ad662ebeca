"""Every image folder is complete: Dockerfile, README, a manifest the runtime reads, tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.image_manifest import MANIFEST_FILE, discover_manifests, load_manifest
from tests.conftest import REPO_ROOT

FOLDERS = sorted(
    path
    for group in ("containers", "examples")
    for path in (REPO_ROOT / group).iterdir()
    if path.is_dir() and not path.name.startswith((".", "_"))
)
IMAGE_FOLDERS = [path for path in FOLDERS if (path / "Dockerfile").is_file()]


@pytest.mark.parametrize("folder", IMAGE_FOLDERS, ids=[p.name for p in IMAGE_FOLDERS])
def test_image_folder_is_complete(folder: Path) -> None:
    assert (folder / "README.md").is_file(), f"{folder.name} has no README.md"
    manifest = load_manifest(folder / MANIFEST_FILE)
    assert manifest.folder == folder
    tests = list((folder / "tests").glob("test_*.py"))
    assert tests, f"{folder.name} has no tests/test_*.py"
    dockerfile = (folder / "Dockerfile").read_text()
    assert "ARG BASE_IMAGE=python:3.11-slim" in dockerfile
    assert "USER 10001" in dockerfile or "USER " not in dockerfile


def test_shared_code_folders_are_included_by_an_image() -> None:
    included = {
        include.resolve()
        for manifest in discover_manifests(REPO_ROOT)
        for include in manifest.include
    }
    shared = [folder for folder in FOLDERS if folder not in IMAGE_FOLDERS]
    assert shared, "containers/ holds the shared analysis package"
    for folder in shared:
        assert folder.resolve() in included, f"{folder} is neither an image nor included by one"


def test_the_data_quality_image_serves_its_monitor() -> None:
    by_monitor = {m.monitor: m for m in discover_manifests(REPO_ROOT) if m.monitor}
    assert by_monitor["data-quality"].image == "watchkeeper/data-quality:latest"
