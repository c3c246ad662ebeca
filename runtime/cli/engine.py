"""`watchkeeper engine ...`: make sure a Docker engine answers; show its versions."""

from __future__ import annotations

import dataclasses
import json

import click

from runtime.engine import engine_status, ensure_engine


@click.group()
def engine() -> None:
    """Make sure a Docker engine runs here; show its versions."""


@engine.command()
@click.option("--no-install", is_flag=True, help="Never install Docker with apt-get.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds to wait for a daemon this command started.",
)
def ensure(no_install: bool, timeout: float) -> None:
    """Use the running engine, or install (Debian/Ubuntu, as root) and start one."""
    ensure_engine(install=not no_install, timeout=timeout, progress=click.echo)


@engine.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status(as_json: bool) -> None:
    """Show the engine's server and API versions, cgroup version and storage driver."""
    facts = dataclasses.asdict(engine_status())
    if as_json:
        click.echo(json.dumps(facts, indent=2))
        return
    width = max(len(key) for key in facts)
    for key, value in facts.items():
        click.echo(f"{key.replace('_', ' '):<{width}}  {value}")
