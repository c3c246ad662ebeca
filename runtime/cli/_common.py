"""Shared CLI plumbing: runtime errors become one-line messages and their exit codes."""

from __future__ import annotations

import importlib
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
    """A click group that imports a subcommand's module only when that command runs.

    Its subcommands' WatchkeeperErrors become one-line messages and exit codes.

    Args:
        lazy_commands: command name -> `module:attribute` of the click command.
    """

    def __init__(self, *args: Any, lazy_commands: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, loaded or not."""
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing its module on first use."""
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module, _, attribute = self.lazy_commands[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """Invoke the subcommand; a runtime error is printed and sets the exit code."""
        try:
            return super().invoke(ctx)
        except WatchkeeperError as error:
            render_error(error)
            ctx.exit(error.exit_code)
