"""Progress and peak memory are read from /proc for the whole process tree."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tabular.memory import tree_pids
from tabular.progress import Progress, tree_bytes_read
from tests.conftest import REPO_ROOT


def test_progress_logs_the_share_read(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "data.bin"
    data.write_bytes(b"x" * (4 << 20))
    log = logging.getLogger("test.progress")
    with caplog.at_level(logging.INFO, logger="test.progress"), Progress(8 << 20, log, 0.05):
        before = tree_bytes_read()
        data.read_bytes()
        assert tree_bytes_read() - before >= 4 << 20
        time.sleep(0.3)
    messages = [record.getMessage() for record in caplog.records]
    assert any(message.startswith("progress: 5") for message in messages), messages


PEAK_SCRIPT = """
import time
from tabular.memory import PeakMemory, tree_rss
before = tree_rss()
with PeakMemory(interval=0.01) as memory:
    block = bytearray(64 << 20)
    block[::4096] = b"y" * len(block[::4096])
    time.sleep(0.1)
    del block
print(before, memory.peak_bytes)
"""


def test_peak_memory_sees_an_allocation() -> None:
    # A fresh interpreter: this one's allocator may reuse memory earlier tests freed.
    result = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT],
        env=os.environ | {"PYTHONPATH": str(REPO_ROOT / "containers")},
        capture_output=True,
        text=True,
        check=True,
    )
    before, peak = map(int, result.stdout.split())
    assert peak >= before + (60 << 20)
    assert tree_pids()[0] > 0
