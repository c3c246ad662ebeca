"""The one error tree of the host runtime; every error carries context and a CLI exit code.

Tree::

    WatchkeeperError                 exit 2 unless stated
    ├── ConfigurationError           bad settings, job specs or command-line input
    ├── EngineError                  the container engine is missing, unreachable or failed
    │   └── EngineUnavailableError   no engine answers and none could be started
    ├── ImageError                   an image is missing or could not be built
    │   ├── ImageNotFoundError       the image is not present locally (never pulled)
    │   └── ImageBuildError          a build step failed (carries the log tail)
    └── StoreError                   the job store cannot be read or written
        ├── ExecutionNotFoundError   no execution with that id
        └── TransitionConflictError  another process changed the execution first
"""

from __future__ import annotations


class WatchkeeperError(Exception):
    """Base class of every error the runtime raises on purpose.

    Attributes:
        exit_code: the process exit code the CLI uses for this error.
        context: extra facts (image, exit code, log tail, ...) shown with the message.
    """

    exit_code: int = 2

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = {key: value for key, value in context.items() if value is not None}

    def __str__(self) -> str:
        return self.message


class ConfigurationError(WatchkeeperError):
    """Settings, a job spec or command-line input is invalid."""


class EngineError(WatchkeeperError):
    """The container engine failed or refused a request."""


class EngineUnavailableError(EngineError):
    """No container engine answers and none could be started here."""


class ImageError(WatchkeeperError):
    """An image is missing or could not be built."""


class ImageNotFoundError(ImageError):
    """The image is not present on the engine; the runtime never pulls implicitly."""


class ImageBuildError(ImageError):
    """Building an image (or its base) failed."""


class StoreError(WatchkeeperError):
    """The job store cannot be read or written."""


class ExecutionNotFoundError(StoreError):
    """No execution has the requested id."""


class TransitionConflictError(StoreError):
    """Another process changed the execution first (compare-and-set lost)."""
