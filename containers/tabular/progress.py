"""Progress of a long profiling run, read from `/proc`: bytes read by the process tree.

Workers read byte ranges of the input in separate processes, so no single counter sees all
of it; the kernel's per-process `rchar` does. A thread logs the share of the input read so
far, the elapsed time and the resident memory every `interval` seconds.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from types import TracebackType

from tabular.memory import tree_pids, tree_rss

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


class Progress:
    """Context manager that logs how much of `total_bytes` the process tree has read."""

    def __init__(self, total_bytes: int, log: logging.Logger, interval: float = 10.0) -> None:
        self.total_bytes = total_bytes
        self.log = log
        self.interval = interval
        self._start = 0.0
        self._baseline = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._report, name="progress", daemon=True)

    def _report(self) -> None:
        while not self._stop.wait(self.interval):
            done = max(0, tree_bytes_read() - self._baseline)
            share = min(1.0, done / self.total_bytes) if self.total_bytes else 1.0
            self.log.info(
                "progress: %.0f%% of %.0f MiB read, %.0f s, %.0f MiB resident",
                share * 100,
                self.total_bytes / 2**20,
                time.monotonic() - self._start,
                tree_rss() / 2**20,
            )

    def __enter__(self) -> Progress:
        self._start = time.monotonic()
        self._baseline = tree_bytes_read(os.getpid())
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
