"""Wire settings, engine, store and runner together for one command (the embedded defaults)."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.backend import JobBackend
from runtime.reconciler import Reconciler, ReconcileReport
from runtime.runner import Echo, Runner
from runtime.settings import Settings
from runtime.store import JobStore


@dataclass
class Session:
    """The objects one CLI command works with."""

    settings: Settings
    store: JobStore
    runner: Runner
    reconciled: ReconcileReport | None = None


def open_session(
    *,
    reconcile: bool = True,
    backend: JobBackend | None = None,
    settings: Settings | None = None,
    echo: Echo | None = None,
) -> Session:
    """Open the store under `WATCHKEEPER_HOME`, connect to Docker, settle orphans."""
    settings = settings or Settings.from_env()
    if backend is None:
        from runtime.docker_backend import DockerBackend  # noqa: PLC0415 - docker loads lazily

        backend = DockerBackend()
    store = JobStore(settings.store_path)
    runner = Runner(backend, store, settings, echo)
    session = Session(settings, store, runner)
    if reconcile:
        session.reconciled = Reconciler(runner).reconcile()
    return session
