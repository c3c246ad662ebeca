"""`watchkeeper baseline`: suggest a baseline from a dataset, as a recorded execution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from contracts import DatasetFormat
from runtime.cli.run import build_job, execute, limits, parse_env, resolve_image, resource_options
from runtime.job import JobKind, previous_full_hour

FORMAT_NAMES = ("csv", "jsonl", "parquet")
_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet"}


def dataset_format(dataset: Path, name: str | None, header: bool, position: str) -> DatasetFormat:
    """The `dataset_format` of a dataset: `--format`, else from the file suffix (CSV)."""
    if name is None:
        sample = dataset if dataset.is_file() else next(iter(sorted(dataset.rglob("*.*"))), dataset)
        name = _SUFFIXES.get(sample.suffix.lower(), "csv")
    if name == "parquet":
        return DatasetFormat.parse({"parquet": {}})
    if name == "jsonl":
        return DatasetFormat.parse({"json": {"lines": True}})
    return DatasetFormat.parse({"csv": {"header": header, "output_columns_position": position}})


@click.command()
@click.option(
    "--dataset",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Training data: a file, or a folder of files.",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(FORMAT_NAMES),
    help="Dataset format (default: from the file suffix).",
)
@click.option(
    "--header/--no-header",
    default=True,
    show_default=True,
    help="Whether CSV files start with a header row.",
)
@click.option(
    "--output-columns-position",
    type=click.Choice(["START", "END"]),
    default="START",
    show_default=True,
    help="Where the model-output columns are in CSV rows.",
)
@click.option(
    "--output",
    "output_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put statistics.json and constraints.json.",
)
@click.option("--monitor", default="data-quality", show_default=True, help="Built-in monitor.")
@click.option("--image", help="A monitor image instead of the built-in one.")
@click.option(
    "--endpoint",
    default="baseline",
    show_default=True,
    help="Endpoint name recorded with the execution.",
)
@click.option("--env", "env_pairs", multiple=True, metavar="K=V", help="Extra variable.")
@click.option("--json", "as_json", is_flag=True, help="Print the execution record as JSON.")
@resource_options
@click.pass_context
def baseline(ctx: click.Context, /, **options: Any) -> None:
    """Suggest a baseline (statistics and constraints) from a dataset.

    Exit code: 0 Completed, 1 Failed or Stopped, 2 usage or setup error.
    """
    start, end = previous_full_hour()
    monitor = None if options["image"] else options["monitor"]
    dataset = options["dataset"]
    fmt = dataset_format(
        dataset, options["format_name"], options["header"], options["output_columns_position"]
    )
    job = build_job(
        image=resolve_image(options["image"], monitor),
        endpoint=options["endpoint"],
        kind=JobKind.BASELINE,
        dataset=dataset,
        dataset_format=fmt,
        start_time=start,
        end_time=end,
        environment=parse_env(options["env_pairs"]),
        output_dir=options["output_dir"],
        **limits(options),
    )
    record = execute(job, options["as_json"])
    ctx.exit(record.status.exit_code)
