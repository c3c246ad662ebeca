"""Shared fixtures: the SageMaker sample files, filled templates, a temporary /opt/ml."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = REPO_ROOT / "tests" / "data" / "sagemaker"
"""Copies of `shared/samples/sagemaker` (public SageMaker files; provenance in its README)."""

TEMPLATE_TIME = datetime(2024, 5, 1, 10, 15, 30, 123456, tzinfo=UTC)


def fill_template(text: str, moment: datetime = TEMPLATE_TIME) -> str:
    """Replace the `{%s}` time placeholder as the SageMaker SDK's tests do (no zone)."""
    return text.replace("{%s}", moment.strftime("%Y-%m-%dT%H:%M:%S.%f"))


def sample_files() -> list[Path]:
    """Every sample data file (README excluded)."""
    return sorted(path for path in SAMPLES.rglob("*") if path.is_file() and path.suffix != ".md")


@pytest.fixture
def samples_dir(tmp_path: Path) -> Path:
    """A copy of the samples with the templates' time placeholders filled in."""
    target = tmp_path / "samples"
    for path in sample_files():
        destination = target / path.relative_to(SAMPLES)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if ".template." in path.name:
            destination.write_text(fill_template(path.read_text()))
        else:
            destination.write_bytes(path.read_bytes())
    return target


WINDOW_START = datetime(2024, 5, 1, 10, tzinfo=UTC)
WINDOW_END = datetime(2024, 5, 1, 11, tzinfo=UTC)


@pytest.fixture
def capture_root(tmp_path: Path) -> Path:
    """Capture data for endpoint `ep`: the 44 SDK records in hours 09, 10 and 11 of 2024-05-01."""
    root = tmp_path / "capture"
    template = (SAMPLES / "sdk" / "monitor__capture.template.jsonl").read_text()
    for hour in (9, 10, 11):
        moment = datetime(2024, 5, 1, hour, 15, tzinfo=UTC)
        folder = root / "ep" / "AllTraffic" / f"2024/05/01/{hour:02d}"
        folder.mkdir(parents=True)
        (folder / "capture.jsonl").write_text(fill_template(template, moment))
    return root


@pytest.fixture(scope="session", autouse=True)
def no_leaked_temporary_files() -> Iterator[None]:
    """The suite leaves nothing in the temporary folder besides pytest's own."""
    root = Path(tempfile.gettempdir())
    before = set(os.listdir(root))
    yield
    leaked = sorted(
        name for name in set(os.listdir(root)) - before if not name.startswith("pytest-of-")
    )
    assert leaked == [], f"tests left {leaked} in {root}"
