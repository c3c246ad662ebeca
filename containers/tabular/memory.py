"""Peak memory of the monitor: the resident set of this process and all its children.

`ru_maxrss` reports one process at a time; with worker processes the honest number is the
peak of their sum, so a thread samples `/proc` (every 50 ms by default) while work runs.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["PeakMemory", "Sampler", "tree_pids", "tree_rss"]

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * _PAGE


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_pids(pid: int | None = None) -> list[int]:
    """`pid` (default: this process) and all its descendants."""
    pending, found = [os.getpid() if pid is None else pid], []
    while pending:
        current = pending.pop()
        found.append(current)
        pending += _children(current)
    return found


def tree_rss(pid: int | None = None) -> int:
    """Resident bytes of `pid` (default: this process) and all its descendants."""
    return sum(_rss(member) for member in tree_pids(pid))


class Sampler:
    """Context manager that calls `sample()` every `interval` seconds in a thread.

    Subclasses implement `sample()`; it also runs once when the block ends.
    """

    def __init__(self, interval: float, name: str) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def sample(self) -> None:
        """One observation."""
        raise NotImplementedError

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> Self:
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
        self.sample()


class PeakMemory(Sampler):
    """Records the peak of `tree_rss()` while its block runs."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(interval, "peak-memory")
        self.peak_bytes = tree_rss()

    def sample(self) -> None:
        """Keep the largest resident size seen."""
        self.peak_bytes = max(self.peak_bytes, tree_rss())

    @property
    def peak_megabytes(self) -> float:
        """The peak in MiB."""
        return self.peak_bytes / 2**20
