"""Shared CLI plumbing: runtime errors become one-line messages and their exit codes."""

from __future__ import annotations

from typing import Any

import click

from runtime.errors import WatchkeeperError


def render_error(error: WatchkeeperError) -> None:
    """Print `error: message` and the error's context, one fact per line, to stderr."""
    click.echo(f"error: {error.message}", err=True)
    for key, value in error.context.items():
        text = str(value).rstrip()
        if "\n" in text:
            click.echo(f"  {key}:", err=True)
            for line in text.splitlines():
                click.echo(f"    {line}", err=True)
        else:
            click.echo(f"  {key}: {text}", err=True)


class WatchkeeperGroup(click.Group):
    """A click group whose subcommands' WatchkeeperErrors become clean exits."""

    def invoke(self, ctx: click.Context) -> Any:
        """Invoke the subcommand; a runtime error is printed and sets the exit code."""
        try:
            return super().invoke(ctx)
        except WatchkeeperError as error:
            render_error(error)
            ctx.exit(error.exit_code)
