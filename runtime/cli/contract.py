"""`watchkeeper contract ...`: check files against the contract and print its JSON Schemas."""

from __future__ import annotations

import json
from pathlib import Path

import click

from contracts import FileKind, FileReport, check_file
from contracts.schemas import SCHEMA_DIRECTORY, SCHEMA_MODELS, export_schemas, render_schema


@click.group()
def contract() -> None:
    """Validate files against the monitoring contract; print its JSON Schemas."""


@contract.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--kind",
    type=click.Choice([kind.value for kind in FileKind]),
    help="Kind of every FILE (default: inferred from each file's name, then its content).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable result.")
@click.pass_context
def check(ctx: click.Context, files: tuple[Path, ...], kind: str | None, as_json: bool) -> None:
    """Check FILES against the contract; exit 0 when all are valid, 1 otherwise."""
    reports = [check_file(path, FileKind(kind) if kind else None) for path in files]
    if as_json:
        result = {
            "valid": all(report.valid for report in reports),
            "files": [report.to_json_dict() for report in reports],
        }
        click.echo(json.dumps(result, indent=2))
    else:
        for report in reports:
            _render(report)
    ctx.exit(0 if all(report.valid for report in reports) else 1)


def _render(report: FileReport) -> None:
    kind = report.kind.value if report.kind else "unknown kind"
    if report.valid:
        count = report.records
        records = "" if count is None else f", {count} record{'' if count == 1 else 's'}"
        click.echo(f"ok       {report.path} ({kind}{records})")
        return
    click.echo(f"invalid  {report.path} ({kind}): {len(report.problems)} problem(s)")
    for problem in report.problems:
        click.echo(f"  {problem.location}: {problem.message}")


@contract.command()
@click.argument("kind", type=click.Choice(sorted(SCHEMA_MODELS)))
def schema(kind: str) -> None:
    """Print the JSON Schema of one contract file (JSON Lines kinds: of one line)."""
    click.echo(render_schema(kind), nl=False)


@contract.command("export-schemas")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def export_schemas_command(directory: Path | None) -> None:
    """Write every JSON Schema into DIRECTORY (default: the package's schemas folder)."""
    for path in export_schemas(directory or SCHEMA_DIRECTORY):
        click.echo(f"wrote {path}")
