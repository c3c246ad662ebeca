"""Which host process owns an execution, and whether that process is still alive."""

from __future__ import annotations

import os
from pathlib import Path

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def _boot_id() -> str:
    try:
        return _BOOT_ID.read_text().strip()
    except OSError:
        return "unknown-boot"


def _start_ticks(pid: int) -> str | None:
    """The process start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def owner_token(pid: int | None = None) -> str:
    """`boot:pid:start` for `pid` (default: this process); survives pid reuse checks."""
    pid = os.getpid() if pid is None else pid
    return f"{_boot_id()}:{pid}:{_start_ticks(pid) or 'unknown'}"


def owner_alive(token: str | None) -> bool:
    """True when the process named by `token` still runs (same boot, pid and start time)."""
    if not token:
        return False
    try:
        boot, pid, start = token.rsplit(":", 2)
    except ValueError:
        return False
    if boot != _boot_id() or not pid.isdigit():
        return False
    return _start_ticks(int(pid)) == start
