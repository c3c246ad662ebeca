"""`watchkeeper demo`: the main job end to end on generated data (what `make demo` runs)."""

from __future__ import annotations

from pathlib import Path

import click

from runtime.cli._render import summary, violation_lines
from runtime.demo import generate, run_demo
from runtime.execution import ExecutionStatus
from runtime.job import previous_full_hour
from runtime.monitors import monitor_image
from runtime.session import open_session

EXPECTED = (
    ExecutionStatus.COMPLETED,
    ExecutionStatus.COMPLETED,
    ExecutionStatus.COMPLETED_WITH_VIOLATIONS,
)


@click.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put the data and reports (default: $WATCHKEEPER_HOME/demo).",
)
@click.option("--rows", default=5000, show_default=True, help="Training rows (each hour: half).")
@click.pass_context
def demo(ctx: click.Context, folder: Path | None, rows: int) -> None:
    """Generate a churn model's traffic, suggest a baseline, monitor a calm and a shifted hour."""
    session = open_session(echo=lambda text: click.echo(f"  {text}", err=True))
    folder = folder or session.settings.home / "demo"
    _, end = previous_full_hour()
    data = generate(folder / "data", end, rows=rows)
    click.echo(f"generated {rows} training rows and two hours of capture under {folder / 'data'}")
    image = monitor_image("data-quality", session.settings)
    records = run_demo(session.runner, image, data, folder / "reports", click.echo)
    for title, record in zip(("baseline", "calm hour", "shifted hour"), records, strict=False):
        click.echo(f"\n[{title}]")
        click.echo(summary(record))
        for line in violation_lines(record):
            click.echo(line)
    statuses = tuple(record.status for record in records)
    if statuses != EXPECTED:
        click.echo(
            "\nthe demo did not end as expected (baseline and calm hour Completed, "
            "shifted hour CompletedWithViolations)",
            err=True,
        )
        ctx.exit(1)
    click.echo(
        f"\nall reports are under {folder / 'reports'}; `watchkeeper jobs list` shows the runs"
    )
