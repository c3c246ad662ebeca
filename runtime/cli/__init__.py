"""The `watchkeeper` command line: a thin click layer that parses, calls the library and renders."""

from __future__ import annotations

import click

from runtime.cli._common import WatchkeeperGroup


@click.group(cls=WatchkeeperGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="watchkeeper")
def cli() -> None:
    """watchkeeper: run SageMaker-compatible model monitor containers on your own machines."""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="watchkeeper")


def _register() -> None:
    # Imported once `cli` exists: the command modules import this package's helpers.
    from runtime.cli import contract, engine, images, jobs, run  # noqa: PLC0415

    for command in (
        contract.contract,
        engine.engine,
        images.images,
        jobs.jobs,
        jobs.cleanup,
        run.run,
    ):
        cli.add_command(command)


_register()

__all__ = ["cli", "main"]
