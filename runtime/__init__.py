"""watchkeeper's host runtime: run monitor containers under the contract, safely, and record them.

The Docker backend lives in `runtime.docker_backend` (the one module that imports `docker`)
and is loaded only when a session needs an engine.
"""

from __future__ import annotations

import typing

from contracts._lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
    from runtime.backend import (
        ContainerSpec,
        ContainerState,
        JobBackend,
        Mount,
    )
    from runtime.errors import (
        ConfigurationError,
        EngineError,
        EngineUnavailableError,
        ExecutionNotFoundError,
        ImageBuildError,
        ImageError,
        ImageNotFoundError,
        StoreError,
        WatchkeeperError,
    )
    from runtime.execution import (
        ExecutionRecord,
        ExecutionStatus,
        FailureReason,
        OutputFile,
    )
    from runtime.fake_backend import (
        FakeBackend,
        FakeContainer,
    )
    from runtime.job import (
        Hardening,
        JobKind,
        MonitoringJob,
        NetworkPolicy,
        Resources,
    )
    from runtime.reconciler import (
        Reconciler,
        ReconcileReport,
    )
    from runtime.runner import (
        Runner,
    )
    from runtime.session import (
        Session,
        open_session,
    )
    from runtime.settings import (
        Settings,
    )
    from runtime.store import (
        JobStore,
    )

# Public name -> defining module. Modules load on first use (PEP 562).
_EXPORTS: dict[str, str] = {
    "ConfigurationError": "runtime.errors",
    "ContainerSpec": "runtime.backend",
    "ContainerState": "runtime.backend",
    "EngineError": "runtime.errors",
    "EngineUnavailableError": "runtime.errors",
    "ExecutionNotFoundError": "runtime.errors",
    "ExecutionRecord": "runtime.execution",
    "ExecutionStatus": "runtime.execution",
    "FailureReason": "runtime.execution",
    "FakeBackend": "runtime.fake_backend",
    "FakeContainer": "runtime.fake_backend",
    "Hardening": "runtime.job",
    "ImageBuildError": "runtime.errors",
    "ImageError": "runtime.errors",
    "ImageNotFoundError": "runtime.errors",
    "JobBackend": "runtime.backend",
    "JobKind": "runtime.job",
    "JobStore": "runtime.store",
    "MonitoringJob": "runtime.job",
    "Mount": "runtime.backend",
    "NetworkPolicy": "runtime.job",
    "OutputFile": "runtime.execution",
    "ReconcileReport": "runtime.reconciler",
    "Reconciler": "runtime.reconciler",
    "Resources": "runtime.job",
    "Runner": "runtime.runner",
    "Session": "runtime.session",
    "Settings": "runtime.settings",
    "StoreError": "runtime.errors",
    "WatchkeeperError": "runtime.errors",
    "open_session": "runtime.session",
}

__all__ = [
    "ConfigurationError",
    "ContainerSpec",
    "ContainerState",
    "EngineError",
    "EngineUnavailableError",
    "ExecutionNotFoundError",
    "ExecutionRecord",
    "ExecutionStatus",
    "FailureReason",
    "FakeBackend",
    "FakeContainer",
    "Hardening",
    "ImageBuildError",
    "ImageError",
    "ImageNotFoundError",
    "JobBackend",
    "JobKind",
    "JobStore",
    "MonitoringJob",
    "Mount",
    "NetworkPolicy",
    "OutputFile",
    "ReconcileReport",
    "Reconciler",
    "Resources",
    "Runner",
    "Session",
    "Settings",
    "StoreError",
    "WatchkeeperError",
    "open_session",
]


__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)
