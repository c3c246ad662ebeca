"""Runtime settings, read from the environment when a Settings object is created."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where watchkeeper keeps its state and finds its sources.

    Attributes:
        home: the one folder holding the job store, workspaces, caches and logs
            (`WATCHKEEPER_HOME`, default `~/.watchkeeper`).
        source_root: the checkout holding `containers/` and `examples/`
            (`WATCHKEEPER_SOURCE`, default: the folder above the installed package).
        cache: build caches, i.e. the wheelhouse and bootstrap downloads
            (`WATCHKEEPER_CACHE`, default `<home>/cache`).
    """

    home: Path
    source_root: Path
    cache: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `environ` (default: `os.environ`)."""
        env = os.environ if environ is None else environ
        home = Path(env.get("WATCHKEEPER_HOME") or Path.home() / ".watchkeeper")
        source = Path(env.get("WATCHKEEPER_SOURCE") or _SOURCE_ROOT)
        home = home.expanduser().resolve()
        cache = Path(env.get("WATCHKEEPER_CACHE") or home / "cache").expanduser().resolve()
        return cls(home=home, source_root=source.resolve(), cache=cache)

    @property
    def store_path(self) -> Path:
        """The SQLite job store."""
        return self.home / "watchkeeper.db"

    @property
    def workspaces(self) -> Path:
        """Parent of every job workspace."""
        return self.home / "jobs"

    @property
    def engine_dir(self) -> Path:
        """State of an engine the runtime started itself (its log, its pid)."""
        return self.home / "engine"
