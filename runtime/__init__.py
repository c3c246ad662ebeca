"""watchkeeper's host runtime: run monitor containers under the contract, safely, and record them.

The Docker backend lives in `runtime.docker_backend` (the one module that imports `docker`)
and is loaded only when a session needs an engine.
"""

from runtime.backend import ContainerSpec, ContainerState, JobBackend, Mount
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
from runtime.execution import ExecutionRecord, ExecutionStatus, FailureReason, OutputFile
from runtime.fake_backend import FakeBackend, FakeContainer
from runtime.job import Hardening, JobKind, MonitoringJob, NetworkPolicy, Resources
from runtime.reconciler import Reconciler, ReconcileReport
from runtime.runner import Runner
from runtime.session import Session, open_session
from runtime.settings import Settings
from runtime.store import JobStore

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
