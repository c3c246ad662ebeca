"""`python -m runtime.supervisor ID`: finish an execution whose first owner died."""

from __future__ import annotations

import sys

from runtime.reconciler import supervise
from runtime.session import open_session


def main(argv: list[str]) -> int:
    """Re-attach to the execution named in `argv` and finish it."""
    if len(argv) != 1:
        print("usage: python -m runtime.supervisor EXECUTION_ID", file=sys.stderr)
        return 2
    session = open_session(reconcile=False)
    record = supervise(session.runner, argv[0])
    print(f"execution {record.id}: {record.status.value}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
