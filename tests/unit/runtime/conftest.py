"""Fixtures for runtime unit tests: a home folder, a capture tree and a fake engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from runtime.fake_backend import Behaviour, FakeBackend, FakeContainer
from runtime.job import MonitoringJob
from runtime.runner import Runner
from runtime.settings import Settings
from runtime.store import JobStore
from tests.conftest import WINDOW_END, WINDOW_START

MESSAGE = "/opt/ml/output/message"
REPORTS = "/opt/ml/processing/output"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A private WATCHKEEPER_HOME."""
    return Settings.from_env({"WATCHKEEPER_HOME": str(tmp_path / "home")})


def make_job(capture_root: Path, image: str = "monitor", **changes: object) -> MonitoringJob:
    """A monitoring job over the 10:00 hour."""
    fields: dict[str, object] = {
        "image": image,
        "endpoint": "ep",
        "start_time": WINDOW_START,
        "end_time": WINDOW_END,
        "capture_root": capture_root,
    }
    return MonitoringJob.model_validate(fields | changes)


RunnerFactory = Callable[[dict[str, Behaviour]], Runner]


@pytest.fixture
def make_runner(settings: Settings) -> RunnerFactory:
    """Build a runner whose images are scripted behaviours."""

    def factory(behaviours: dict[str, Behaviour]) -> Runner:
        return Runner(FakeBackend(behaviours), JobStore(settings.store_path), settings)

    return factory


def completes(container: FakeContainer) -> int:
    """A well-behaved monitor."""
    container.write(MESSAGE, "Completed: Job completed successfully with no violations.")
    container.write(f"{REPORTS}/constraint_violations.json", '{"violations": []}')
    container.log("analysed 44 records")
    return 0
