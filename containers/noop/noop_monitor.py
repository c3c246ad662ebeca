"""A monitor that does nothing: it writes the Completed exit message and exits 0."""

from __future__ import annotations

import sys
from pathlib import Path

OUTPUT_DIR = Path("/opt/ml/output")
MESSAGE = "Completed: Job completed successfully with no violations."


def main(output_dir: Path = OUTPUT_DIR) -> int:
    """Write the exit message into `output_dir` and report success."""
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "message").write_text(MESSAGE, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
