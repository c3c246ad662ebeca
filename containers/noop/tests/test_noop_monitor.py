"""The no-op monitor writes the Completed exit message and succeeds."""

from __future__ import annotations

from pathlib import Path

from noop import noop_monitor


def test_writes_the_completed_message(tmp_path: Path) -> None:
    assert noop_monitor.main(tmp_path / "output") == 0
    message = (tmp_path / "output" / "message").read_text(encoding="utf-8")
    assert message == "Completed: Job completed successfully with no violations."
