"""`watchkeeper jobs ...` and `watchkeeper cleanup`: recorded executions and leftovers."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from runtime.cli._render import details, record_json, table
from runtime.execution import ExecutionStatus
from runtime.session import open_session


@click.group()
def jobs() -> None:
    """List and inspect recorded executions."""


@jobs.command("list")
@click.option("--limit", default=50, show_default=True, help="Newest N executions.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([status.value for status in ExecutionStatus]),
    help="Only these statuses (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
def list_jobs(limit: int, statuses: tuple[str, ...], as_json: bool) -> None:
    """List executions, newest first."""
    session = open_session()
    records = session.store.list(
        statuses=tuple(ExecutionStatus(status) for status in statuses), limit=limit
    )
    if as_json:
        click.echo(json.dumps([record.model_dump(mode="json") for record in records], indent=2))
    elif records:
        click.echo(table(records))
    else:
        click.echo("no executions recorded yet")


@jobs.command("show")
@click.argument("execution_id")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
def show(execution_id: str, as_json: bool) -> None:
    """Show one execution (an id prefix is enough)."""
    record = open_session().store.get(execution_id)
    click.echo(record_json(record) if as_json else details(record))


@jobs.command("logs")
@click.argument("execution_id")
@click.option("--follow", "-f", is_flag=True, help="Keep printing until the execution ends.")
def logs(execution_id: str, follow: bool) -> None:
    """Print an execution's container log (bounded, readable while it runs)."""
    session = open_session()
    record = session.store.get(execution_id)
    path = Path(record.log_path)
    position = 0
    while True:
        if path.is_file():
            with path.open("rb") as stream:
                stream.seek(position)
                chunk = stream.read()
            position += len(chunk)
            click.echo(chunk.decode("utf-8", errors="replace"), nl=False)
        if not follow or session.store.get(record.id).status.terminal:
            break
        time.sleep(0.5)


@click.command()
@click.option(
    "--images",
    "prune_images",
    is_flag=True,
    help="Also remove the untagged build-stage images that image builds keep as cache.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
def cleanup(prune_images: bool, as_json: bool) -> None:
    """Settle executions whose host process died and remove containers left behind."""
    report = open_session().reconciled
    assert report is not None
    pruned = (0, 0)
    if prune_images:
        from runtime.docker_backend import DockerEngine  # noqa: PLC0415 - docker loads lazily

        pruned = DockerEngine.connect().prune_build_cache()
    if as_json:
        click.echo(json.dumps(report.__dict__ | {"pruned_images": pruned[0]}, indent=2))
        return
    click.echo(f"finished {len(report.finished)} orphaned execution(s)")
    click.echo(f"re-attached to {len(report.adopted)} running execution(s)")
    click.echo(f"marked {len(report.interrupted)} execution(s) HostInterrupted")
    click.echo(f"removed {len(report.removed_containers)} leftover container(s)")
    if prune_images:
        click.echo(f"removed {pruned[0]} build-stage image(s), {pruned[1] / 2**20:.0f} MiB")
