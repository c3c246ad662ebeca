"""Building `containers/noop` on the real engine: labels, the up-to-date skip, and a run."""

from __future__ import annotations

import io
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from runtime.docker_backend import LABEL_HASH, LABEL_MANAGED, LABEL_NAME
from runtime.engine import ensure_engine
from runtime.images import build_image
from runtime.settings import Settings
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.integration

NOOP = REPO_ROOT / "containers" / "noop"
TEST_LABEL = "io.watchkeeper.test"


@pytest.fixture(scope="module")
def client() -> Iterator[docker.DockerClient]:
    ensure_engine()
    client = docker.from_env(version="auto")
    yield client
    client.close()


@pytest.fixture
def tag(client: docker.DockerClient) -> Iterator[str]:
    """A throw-away tag for the build, removed afterwards (the image too, unless shared)."""
    name = f"watchkeeper-test/noop:{uuid.uuid4().hex[:12]}"
    yield name
    client.images.remove(name)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"WATCHKEEPER_HOME": str(tmp_path / "home")})


def _run(client: docker.DockerClient, tag: str, entrypoint: list[str] | None = None) -> str:
    """Run the image once; return the exit message file, or the output with `entrypoint`."""
    container = client.containers.create(
        tag, entrypoint=entrypoint, network_mode="none", labels={TEST_LABEL: "true"}
    )
    try:
        container.start()
        assert container.wait(timeout=120)["StatusCode"] == 0, container.logs().decode()
        if entrypoint is not None:
            return str(container.logs().decode())
        stream, _ = container.get_archive("/opt/ml/output/message")
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
            member = archive.extractfile("message")
            assert member is not None
            return str(member.read().decode())
    finally:
        container.remove(force=True)


def test_noop_builds_labelled_then_is_up_to_date_and_runs(
    client: docker.DockerClient, tag: str, settings: Settings
) -> None:
    lines: list[str] = []
    first = build_image(NOOP, tag, settings=settings, progress=lines.append)
    assert first.built
    labels = client.images.get(tag).labels
    assert labels[LABEL_MANAGED] == "true"
    assert labels[LABEL_NAME] == "noop"
    assert labels[LABEL_HASH] == first.content_hash

    second = build_image(NOOP, tag, settings=settings, progress=lines.append)
    assert not second.built
    assert (second.image_id, second.content_hash) == (first.image_id, first.content_hash)
    assert lines[-1].startswith("[noop] up to date")

    assert _run(client, tag) == "Completed: Job completed successfully with no violations."
    check = "import os, sys, contracts; print(os.getuid(), os.getgid(), *sys.version_info[:2])"
    output = _run(client, tag, ["/opt/venv/bin/python", "-c", check])
    assert output.split() == ["10001", "10001", "3", "11"]
    assert not client.containers.list(all=True, filters={"label": TEST_LABEL})
    leftovers = [
        p.name for p in settings.cache.iterdir() if p.name.startswith(("context-", "rootfs-"))
    ]
    assert leftovers == []
