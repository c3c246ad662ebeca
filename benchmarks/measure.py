"""Wall time and peak resident memory of a command and every process it starts (Linux, stdlib).

The peak is the largest *sum* over the process tree of each process's proportional set size
(PSS: resident memory, with pages shared after a fork split among the sharers), polled from
`/proc` every `POLL_SECONDS`; so worker pools and subprocesses are counted, and pages they share
are counted once. The kernel's own ``ru_maxrss`` is not used: a child started by
``fork``/``vfork`` + ``exec`` inherits its parent's resident size at that moment as a floor, so
every child of a big driver would look at least as big as the driver.

Memory inside a Docker container is not in this tree (the engine's shim starts it), so the
memory cgroups of containers that appear while the command runs are polled as well, and their
largest resident memory is kept per container id.
"""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

POLL_SECONDS = 0.1
_PAGE = os.sysconf("SC_PAGE_SIZE")
_CONTAINER_CGROUPS = (
    ("/sys/fs/cgroup/memory/docker/*", ("total_rss", "total_mapped_file")),
    ("/sys/fs/cgroup/system.slice/docker-*.scope", ("anon", "file_mapped")),
    ("/sys/fs/cgroup/docker/*", ("anon", "file_mapped")),
)
"""Where Docker puts a container's memory cgroup (v1, v2 with systemd, v2 with cgroupfs), and
the ``memory.stat`` fields that together match a process's resident set (anonymous memory plus
mapped files; page cache that is merely charged to the container is left out, as it is for
host processes)."""


@dataclass(frozen=True)
class Measurement:
    """What one measured command did.

    Attributes:
        returncode: Exit code (negative: killed by that signal).
        wall_seconds: From start to exit.
        peak_rss_mb: Peak resident memory of the process tree (see above), MiB.
        stdout: Everything the command printed on standard output.
        stderr: The last 4000 characters of its standard error.
        killed: Why the measurer stopped it ("" when it exited by itself).
        container_peaks_mb: Peak resident memory (MiB) of each container started meanwhile, by
            full id.
    """

    returncode: int
    wall_seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    killed: str = ""
    container_peaks_mb: dict[str, float] = field(default_factory=dict)


def _container_memory() -> dict[str, int]:
    """Container id -> resident bytes now, for every container whose memory cgroup exists."""
    usage = {}
    for pattern, fields in _CONTAINER_CGROUPS:
        for folder in glob.glob(pattern):
            identifier = Path(folder).name.removeprefix("docker-").removesuffix(".scope")
            try:
                stat = Path(folder, "memory.stat").read_text().split()
            except OSError:
                continue
            values = dict(zip(stat[::2], stat[1::2], strict=False))
            usage[identifier] = sum(int(values.get(name, 0)) for name in fields)
    return usage


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process visible in /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses; the fields after the last ")" don't.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _memory_bytes(pid: int) -> int:
    """Proportional set size: resident memory, pages shared between processes split among them.

    Forked workers share most of their pages with their parent; summing plain RSS over the tree
    would count those pages once per process. Falls back to RSS where smaps_rollup is missing.
    """
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_memory_bytes(root: int) -> int:
    """Current memory (PSS) of ``root`` and all its descendants."""
    tree, total, stack = _children(), 0, [root]
    while stack:
        pid = stack.pop()
        total += _memory_bytes(pid)
        stack.extend(tree.get(pid, ()))
    return total


def run_measured(
    command: Sequence[str],
    *,
    timeout: float,
    rss_limit_mb: float,
    env: dict[str, str] | None = None,
) -> Measurement:
    """Run ``command``, polling its process tree's memory until it exits.

    Args:
        command: Program and arguments.
        timeout: Seconds before the whole tree is killed.
        rss_limit_mb: Tree memory above which the whole tree is killed (protects the host).
        env: Environment (None inherits).

    Returns:
        The measurement; a killed command has ``killed`` set and a negative return code.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    output: dict[str, str] = {}
    readers = [
        threading.Thread(target=lambda: output.setdefault("out", process.stdout.read())),
        threading.Thread(target=lambda: output.setdefault("err", process.stderr.read())),
    ]
    for reader in readers:
        reader.start()
    peak, killed, before, containers = 0, "", set(_container_memory()), {}
    while True:
        pid, raw = os.waitpid(process.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_memory_bytes(process.pid))
        for identifier, used in _container_memory().items():
            if identifier not in before:
                containers[identifier] = max(used, containers.get(identifier, 0))
        if not killed:
            killed = _kill_reason(peak, time.perf_counter() - started, rss_limit_mb, timeout)
            if killed:
                os.killpg(process.pid, signal.SIGKILL)
        time.sleep(POLL_SECONDS)
    process.returncode = os.waitstatus_to_exitcode(raw)
    wall = time.perf_counter() - started
    for reader in readers:
        reader.join()
    return Measurement(
        returncode=process.returncode,
        wall_seconds=wall,
        peak_rss_mb=peak / 2**20,
        stdout=output.get("out", ""),
        stderr=output.get("err", "")[-4000:],
        killed=killed,
        container_peaks_mb={k: v / 2**20 for k, v in containers.items()},
    )


def _kill_reason(peak: int, elapsed: float, rss_limit_mb: float, timeout: float) -> str:
    if peak > rss_limit_mb * 2**20:
        return f"peak RSS above {rss_limit_mb:.0f} MB"
    if elapsed > timeout:
        return f"timeout after {timeout:.0f}s"
    return ""
