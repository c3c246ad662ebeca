"""Integration fixtures: the real engine, purpose-built test images, private homes.

Every test here needs a running Docker engine (`make test` starts one) and builds its
images offline from the bootstrapped base. The session checks that nothing it created is
left behind: containers, networks, workspaces.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime.backend import OWNER_LABEL
from runtime.docker_backend import DockerBackend, DockerEngine
from runtime.engine import ensure_engine
from runtime.execution import ExecutionRecord
from runtime.images import build_image
from runtime.runner import Runner, home_label
from runtime.settings import Settings
from runtime.store import JobStore
from tests.conftest import REPO_ROOT

IMAGES = Path(__file__).parent / "images"
HOSTILE_IMAGE = "watchkeeper-test/hostile:latest"
WATCHKEEPER = [sys.executable, "-m", "runtime"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration needs the engine."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def engine() -> Iterator[DockerEngine]:
    """A connected engine; the session fails (never skips) when none can be had."""
    ensure_engine()
    connected = DockerEngine.connect()
    before_containers = {c["Id"] for c in connected._api.containers(all=True)}
    before_networks = {n["Id"] for n in connected._api.networks()}
    yield connected
    leftovers = [c for c in connected._api.containers(all=True) if c["Id"] not in before_containers]
    networks = [n["Name"] for n in connected._api.networks() if n["Id"] not in before_networks]
    connected.close()
    assert leftovers == [], f"containers left behind: {[c['Names'] for c in leftovers]}"
    assert networks == [], f"networks left behind: {networks}"


@pytest.fixture(scope="session")
def hostile_image(engine: DockerEngine) -> str:
    """The misbehaving test monitor, built offline from the bootstrapped base."""
    build_image(IMAGES / "hostile", HOSTILE_IMAGE)
    return HOSTILE_IMAGE


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Settings]:
    """A private WATCHKEEPER_HOME; its containers must all be gone afterwards."""
    settings = Settings.from_env({"WATCHKEEPER_HOME": str(tmp_path / "home")})
    yield settings
    backend = DockerBackend()
    left = backend.find({OWNER_LABEL: home_label(settings)})
    for state in left:
        backend.remove(state.id)
    assert left == [], "the runtime left containers behind"


@pytest.fixture
def runner(home: Settings, engine: DockerEngine) -> Runner:
    """A runner on the real engine, recording into the private home."""
    return Runner(DockerBackend(), JobStore(home.store_path), home)


CliRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(home: Settings) -> CliRun:
    """Run `watchkeeper ...` as a separate process against the private home."""

    def run(*arguments: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        env = os.environ | {"WATCHKEEPER_HOME": str(home.home), "PYTHONPATH": str(REPO_ROOT)}
        return subprocess.run(
            [*WATCHKEEPER, *arguments],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


def record_of(result: subprocess.CompletedProcess[str]) -> ExecutionRecord:
    """The execution record a `--json` command printed."""
    return ExecutionRecord.model_validate(json.loads(result.stdout))


def wait_for(condition: Callable[[], Any], timeout: float = 60, step: float = 0.1) -> Any:
    """Poll until `condition()` is truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout}s")
