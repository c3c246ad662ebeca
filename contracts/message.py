"""The exit message: `/opt/ml/output/message`, UTF-8, only the first 1 KiB is kept."""

from __future__ import annotations

from pathlib import Path

from contracts.files import write_bytes_atomic
from contracts.paths import MESSAGE_MAX_BYTES

COMPLETED_MESSAGE = "Completed: Job completed successfully with no violations."


def violations_message(count: int) -> str:
    """`Completed...` for no violations, else the analyzer's `CompletedWithViolations` text."""
    if count <= 0:
        return COMPLETED_MESSAGE
    noun = "violation" if count == 1 else "violations"
    return f"CompletedWithViolations: Job completed successfully with {count} {noun}."


def truncate_message(text: str, limit: int = MESSAGE_MAX_BYTES) -> bytes:
    """Encode `text` as UTF-8, cut to at most `limit` bytes on a character boundary."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return encoded
    return encoded[:limit].decode("utf-8", errors="ignore").encode("utf-8")


def write_message(path: Path, text: str) -> Path:
    """Write the exit message atomically, UTF-8, at most 1 KiB."""
    return write_bytes_atomic(path, truncate_message(text))
