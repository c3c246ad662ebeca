"""Measured tables in ``benchmarks/README.md``: each lives between two named HTML comments."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def command_line() -> str:
    """How this script was started, with the interpreter relative to the repository."""
    interpreter = os.path.relpath(sys.executable, ROOT)
    script = os.path.relpath(Path(sys.argv[0]).resolve(), ROOT)
    return " ".join([interpreter, script, *sys.argv[1:]])


def replace_section(readme: Path, name: str, text: str) -> None:
    """Put ``text`` between ``<!-- name:begin -->`` and ``<!-- name:end -->`` in ``readme``.

    The markers are appended at the end of the file when it does not have them yet.
    """
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    content = readme.read_text() if readme.exists() else ""
    block = f"{begin}\n{text.strip()}\n{end}"
    if begin in content and end in content:
        head, rest = content.split(begin, 1)
        tail = rest.split(end, 1)[1]
        content = head + block + tail
    else:
        content = content.rstrip("\n") + ("\n\n" if content else "") + block + "\n"
    readme.write_text(content)
