"""The entry-point wrapper: run a monitor function under the contract's exit conventions."""

from __future__ import annotations

import functools
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

from contracts.context import MonitorContext
from contracts.message import violations_message, write_message
from contracts.paths import ContainerPaths
from contracts.violations import ConstraintViolations, Violation

FAILURE_EXIT_CODE = 255
"""What the built-in analyzer exits with on error."""
STOPPED_EXIT_CODE = 143

MonitorResult = ConstraintViolations | Sequence[Violation] | None
MonitorFunction = Callable[[MonitorContext], MonitorResult]


class MonitorStoppedError(Exception):
    """The monitor received SIGTERM (its deadline passed or it was stopped)."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise MonitorStoppedError("the monitor received SIGTERM before it finished")


def run_monitor(
    function: MonitorFunction,
    *,
    environ: Mapping[str, str] | None = None,
    root: Path | None = None,
) -> int:
    """Run `function(context)` and return the process exit code.

    A returned list of violations is written to `constraint_violations.json` (an empty list
    too); the exit message is written unless the function wrote its own; metrics are flushed.
    An uncaught exception becomes the exit message (unless one was already written, as the
    analyzer does) and exit code 255; SIGTERM becomes a `Stopped` message and exit code 143.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)
    context: MonitorContext | None = None
    try:
        context = MonitorContext.from_env(environ, root)
        _finish(context, function(context))
    except MonitorStoppedError as error:
        _fail(context, f"Stopped: {error}.")
        return STOPPED_EXIT_CODE
    except Exception as error:  # the contract turns any failure into a message and an exit code
        traceback.print_exc(file=sys.stderr)
        _fail(context, f"{type(error).__name__}: {error}")
        return FAILURE_EXIT_CODE
    return 0


def _finish(context: MonitorContext, result: MonitorResult) -> None:
    count = 0
    if result is not None:
        violations = (
            result
            if isinstance(result, ConstraintViolations)
            else ConstraintViolations(violations=list(result))
        )
        context.write_violations(violations)
        count = len(violations.violations)
    context.metrics.close()
    if not context.message_written:
        context.write_message(violations_message(count))


def _fail(context: MonitorContext | None, text: str) -> None:
    if context is None:
        write_message(ContainerPaths.from_env().message_file, text)
        return
    if not context.message_written:
        context.write_message(text)


def monitor(function: MonitorFunction) -> Callable[[], NoReturn]:
    """Decorate a monitor function so that calling it runs the monitor and exits the process.

    Example:
        >>> @monitor
        ... def main(context: MonitorContext) -> list[Violation]:
        ...     return []
    """

    @functools.wraps(function)
    def entry_point() -> NoReturn:
        sys.exit(run_monitor(function))

    return entry_point
