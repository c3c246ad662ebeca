"""Progress of a long profiling run, read from `/proc`: bytes read by the process tree.

Workers read byte ranges of the input in separate processes, so no single counter sees all
of it; the kernel's per-process `rchar` does. A thread logs the share of the input read so
far, the elapsed time and the resident memory every `interval` seconds.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from tabular.memory import Sampler, tree_pids, tree_rss

__all__ = ["Progress", "tree_bytes_read"]


def _read_chars(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


def tree_bytes_read(pid: int | None = None) -> int:
    """Bytes read through system calls by `pid` (default: this process) and its descendants."""
    return sum(_read_chars(member) for member in tree_pids(pid))


class Progress(Sampler):
    """Logs how much of `total_bytes` the process tree has read, every `interval` seconds."""

    def __init__(self, total_bytes: int, log: logging.Logger, interval: float = 10.0) -> None:
        super().__init__(interval, "progress")
        self.total_bytes = total_bytes
        self.log = log
        self._start = time.monotonic()
        self._baseline = tree_bytes_read(os.getpid())

    def sample(self) -> None:
        """Log the share read so far, the elapsed time and the resident memory."""
        done = max(0, tree_bytes_read() - self._baseline)
        share = min(1.0, done / self.total_bytes) if self.total_bytes else 1.0
        self.log.info(
            "progress: %.0f%% of %.0f MiB read, %.0f s, %.0f MiB resident",
            share * 100,
            self.total_bytes / 2**20,
            time.monotonic() - self._start,
            tree_rss() / 2**20,
        )
