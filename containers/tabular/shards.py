"""Profiling the input in parallel: contiguous byte ranges, one per worker process, merged.

`plan_shards` cuts a list of line-oriented files into contiguous byte ranges of about equal size
(a `tabular.reader.FileRange` holds the lines that *start* in it, so no line is lost or read
twice, wherever the cuts fall). `profile_shards` profiles the first shard in the calling process
and every other shard in a child process; each produces a `DatasetProfile`, and the children's
are merged into the caller's in input order. Everything in a profile is mergeable, so the result
differs from a one-process run only where the statistics are approximate anyway (the KLL
sketch, within its stated error) and in the last bits of floating-point sums.

Children are forked where the platform allows it (no re-import, no pickling of the task, and
read-only pages shared with the caller); elsewhere they are spawned. A child that fails passes
its exception back, a child that dies is reported with its exit code, and the children are
stopped when the caller fails or is interrupted. A daemonic process (which may not start
children) profiles the shards one after the other itself.

`default_workers` is the number of CPUs this process may use: its affinity mask, further
limited by a cgroup CPU quota (``cpu.max`` on cgroup v2, ``cpu.cfs_quota_us`` on v1) rounded
up, capped at two (measured: beyond that the memory of more processes costs more than it buys).
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path

from tabular.allocator import profiling_allocator
from tabular.dataset import DatasetProfile
from tabular.reader import FileRange, PathLike

__all__ = [
    "MAX_DEFAULT_WORKERS",
    "ProfileRun",
    "Shard",
    "available_cpus",
    "default_workers",
    "parse_quota",
    "plan_shards",
    "profile_shards",
]

MAX_DEFAULT_WORKERS = 2
"""Upper bound of `default_workers`."""

_CGROUP_V2 = Path("/sys/fs/cgroup/cpu.max")
_CGROUP_V1 = Path("/sys/fs/cgroup/cpu")

Shard = list[FileRange]
"""The byte ranges one process reads, in order."""

ProfileRun = Callable[[Shard], DatasetProfile]
"""Profiles one shard."""


def available_cpus() -> int:
    """CPUs this process may use: the affinity mask, limited by a cgroup CPU quota if set."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        count = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        count = min(count, max(1, math.ceil(quota)))
    return max(1, count)


def default_workers() -> int:
    """Worker processes to use by default: `available_cpus`, at most `MAX_DEFAULT_WORKERS`."""
    return min(available_cpus(), MAX_DEFAULT_WORKERS)


def _cgroup_quota() -> float | None:
    """The CPU quota in CPUs (``quota / period``), or None when there is none."""
    try:
        if _CGROUP_V2.exists():
            quota, period = _CGROUP_V2.read_text().split()[:2]
        else:
            quota = (_CGROUP_V1 / "cpu.cfs_quota_us").read_text().strip()
            period = (_CGROUP_V1 / "cpu.cfs_period_us").read_text().strip()
    except (OSError, ValueError):
        return None
    return parse_quota(quota, period)


def parse_quota(quota: str, period: str) -> float | None:
    """CPUs granted by a cgroup quota (``max`` or a negative quota mean unlimited)."""
    try:
        granted, length = float(quota), float(period)
    except ValueError:
        return None
    if granted <= 0 or length <= 0:
        return None
    return granted / length


def plan_shards(paths: Sequence[PathLike], count: int) -> list[Shard]:
    """Cut files into ``count`` contiguous shards of about equal size (fewer if they are empty).

    Args:
        paths: Line-oriented files, in reading order.
        count: Number of shards wanted.

    Returns:
        Non-empty shards in input order; each is a list of file ranges.
    """
    sizes = [os.path.getsize(path) for path in paths]
    total = sum(sizes)
    if count <= 1 or total == 0:
        return [[FileRange(path) for path in paths]]
    cuts = [total * i // count for i in range(1, count)]
    shards: list[Shard] = [[] for _ in range(count)]
    offset = 0
    for path, size in zip(paths, sizes, strict=True):
        bounds = [0, *(cut - offset for cut in cuts if offset < cut < offset + size), size]
        first = sum(cut <= offset for cut in cuts)
        for index, (start, end) in enumerate(itertools.pairwise(bounds)):
            if end > start:
                shards[first + index].append(FileRange(path, start, end if end < size else None))
        offset += size
    return [shard for shard in shards if shard]


@dataclass(slots=True)
class _Child:
    """A running child process and the receiving end of its result pipe."""

    process: BaseProcess
    results: Connection

    def result(self) -> DatasetProfile:
        try:
            outcome = self.results.recv()
        except EOFError:
            self.process.join()
            raise RuntimeError(
                f"a profiling worker exited with code {self.process.exitcode}"
            ) from None
        self.process.join()
        if isinstance(outcome, BaseException):
            raise outcome
        if not isinstance(outcome, DatasetProfile):
            raise RuntimeError(f"a profiling worker returned {type(outcome).__name__}")
        return outcome

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.results.close()


def profile_shards(run: ProfileRun, shards: Sequence[Shard]) -> DatasetProfile:
    """Profile each shard with ``run``: the first here, the others in child processes.

    Args:
        run: Profiles one shard (must be picklable where processes are spawned, not forked).
        shards: From `plan_shards`.

    Returns:
        The merged profile, merged in shard order.
    """
    if multiprocessing.current_process().daemon:
        return _profile_here(run, shards)  # a daemonic process may not have children
    context = _context()
    children = [_start(context, run, shard) for shard in shards[1:]]
    try:
        with profiling_allocator():
            profile = run(shards[0])
        for child in children:
            profile.merge(child.result())
    finally:
        for child in children:
            child.stop()
    return profile


def _profile_here(run: ProfileRun, shards: Sequence[Shard]) -> DatasetProfile:
    with profiling_allocator():
        profile = run(shards[0])
        for shard in shards[1:]:
            profile.merge(run(shard))
    return profile


def _context() -> BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _start(context: BaseContext, run: ProfileRun, shard: Shard) -> _Child:
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(  # type: ignore[attr-defined]
        target=_child_main, args=(run, shard, sending), name="tabular-worker", daemon=True
    )
    process.start()
    sending.close()
    return _Child(process, receiving)


def _child_main(run: ProfileRun, shard: Shard, results: Connection) -> None:
    """Entry point of a child: profile the shard and send back the profile (or the error)."""
    try:
        with profiling_allocator(release=False):
            outcome: object = run(shard)
    except BaseException as exc:  # passed to the parent, which raises it
        outcome = exc
    try:
        results.send(outcome)
    except (pickle.PicklingError, TypeError, AttributeError):
        results.send(RuntimeError(f"profiling worker failed: {outcome!r}"))
    finally:
        results.close()
