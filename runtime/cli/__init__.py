"""The `watchkeeper` command line: a thin click layer that parses, calls the library and renders."""

from __future__ import annotations

import click

from runtime.cli._common import WatchkeeperGroup

COMMANDS = {
    "baseline": "runtime.cli.baseline:baseline",
    "cleanup": "runtime.cli.jobs:cleanup",
    "contract": "runtime.cli.contract:contract",
    "demo": "runtime.cli.demo:demo",
    "engine": "runtime.cli.engine:engine",
    "images": "runtime.cli.images:images",
    "jobs": "runtime.cli.jobs:jobs",
    "run": "runtime.cli.run:run",
}
"""Command name -> where it lives; a command's module is imported only when it runs."""


@click.group(
    cls=WatchkeeperGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="watchkeeper")
def cli() -> None:
    """watchkeeper: run SageMaker-compatible model monitor containers on your own machines."""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="watchkeeper")


__all__ = ["COMMANDS", "cli", "main"]
