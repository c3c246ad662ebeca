"""`watchkeeper run`: one monitoring execution of any monitor image."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from runtime.cli._render import record_json, summary
from runtime.errors import ConfigurationError
from runtime.execution import ExecutionRecord
from runtime.job import (
    Hardening,
    MonitoringJob,
    NetworkPolicy,
    Resources,
    default_user,
    previous_full_hour,
)
from runtime.monitors import monitor_image
from runtime.session import open_session
from runtime.settings import Settings

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def parse_env(pairs: tuple[str, ...]) -> dict[str, str]:
    """`K=V` pairs as a mapping; a pair without `=` is a usage error."""
    environment = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint="--env")
        environment[key] = value
    return environment


def window(start: str | None, end: str | None) -> dict[str, Any]:
    """The analysis window; the previous full UTC hour when neither edge is given."""
    if start is None and end is None:
        first, last = previous_full_hour()
        return {"start_time": first, "end_time": last}
    if start is None or end is None:
        raise click.UsageError("give both --start and --end, or neither")
    return {"start_time": start, "end_time": end}


def build_job(**fields: Any) -> MonitoringJob:
    """Validate a job spec, turning pydantic's errors into one usage error."""
    try:
        return MonitoringJob.model_validate(fields)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or 'job'}: {item['msg']}"
            for item in error.errors(include_url=False)
        )
        raise ConfigurationError(f"invalid job: {problems}") from None


def resource_options(function: Any) -> Any:
    """Options for limits and hardening, shared by every command that launches a container."""
    options = [
        click.option("--memory", default="2g", show_default=True, help="Memory limit (= swap)."),
        click.option("--cpus", default=1.0, show_default=True, type=float, help="CPU limit."),
        click.option("--pids", default=256, show_default=True, type=int, help="Process limit."),
        click.option(
            "--timeout",
            default=3600.0,
            show_default=True,
            type=float,
            help="Deadline in seconds; then SIGTERM, grace, SIGKILL.",
        ),
        click.option(
            "--grace",
            default=10.0,
            show_default=True,
            type=float,
            help="Seconds between SIGTERM and SIGKILL at the deadline.",
        ),
        click.option(
            "--max-output-size",
            default="512m",
            show_default=True,
            help="Cap on the bytes a container may write.",
        ),
        click.option(
            "--network",
            type=click.Choice([p.value for p in NetworkPolicy]),
            default="none",
            show_default=True,
            help="Network access (relaxing is recorded).",
        ),
        click.option(
            "--user",
            default=default_user,
            show_default="10001:10001 as root, else your own uid:gid",
            help="User the container runs as (changing it is recorded).",
        ),
        click.option(
            "--writable-root",
            is_flag=True,
            help="Do not make the root filesystem read-only (recorded).",
        ),
        click.option(
            "--allow-new-privileges", is_flag=True, help="Do not set no-new-privileges (recorded)."
        ),
        click.option("--cap-add", multiple=True, help="Give back a Linux capability (recorded)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def limits(options: dict[str, Any]) -> dict[str, Any]:
    """`resources` and `hardening` of a job from the shared options."""
    return {
        "resources": Resources(
            memory=options["memory"],
            cpus=options["cpus"],
            pids=options["pids"],
            timeout_seconds=options["timeout"],
            grace_seconds=options["grace"],
            max_output_bytes=options["max_output_size"],
        ),
        "hardening": Hardening(
            network=NetworkPolicy(options["network"]),
            user=options["user"],
            read_only_root=not options["writable_root"],
            no_new_privileges=not options["allow_new_privileges"],
            cap_add=tuple(options["cap_add"]),
        ),
    }


def execute(job: MonitoringJob, as_json: bool) -> ExecutionRecord:
    """Run the job in a session, print its outcome, and return it."""
    session = open_session(echo=None if as_json else lambda text: click.echo(text, err=True))
    record = session.runner.run(job)
    click.echo(record_json(record) if as_json else summary(record))
    return record


def resolve_image(image: str | None, monitor: str | None) -> str:
    """`--image`, or the image of a built-in `--monitor`; exactly one must be given."""
    if (image is None) == (monitor is None):
        raise click.UsageError("give exactly one of --image and --monitor")
    return image or monitor_image(str(monitor), Settings.from_env())


@click.command()
@click.option("--image", help="Monitor image (never pulled).")
@click.option("--monitor", help="A built-in monitor instead of --image, e.g. data-quality.")
@click.option("--endpoint", required=True, help="Endpoint whose captured traffic is analysed.")
@click.option("--variant", help="Only this production variant (default: all).")
@click.option(
    "--capture",
    "capture_root",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder holding <endpoint>/<variant>/YYYY/MM/DD/HH/*.jsonl.",
)
@click.option("--start", help="Window start, ISO-8601 UTC (default: previous full hour).")
@click.option("--end", help="Window end (exclusive), ISO-8601 UTC.")
@click.option("--schedule", help="Monitoring schedule name passed to the container.")
@click.option("--baseline-statistics", type=EXISTING_FILE, help="Baseline statistics.json.")
@click.option("--baseline-constraints", type=EXISTING_FILE, help="Baseline constraints.json.")
@click.option(
    "--env", "env_pairs", multiple=True, metavar="K=V", help="Extra variable (repeatable)."
)
@click.option("--publish-metrics", is_flag=True, help="Set publish_cloudwatch_metrics=Enabled.")
@click.option(
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also copy the reports here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the execution record as JSON.")
@resource_options
@click.pass_context
def run(ctx: click.Context, /, **options: Any) -> None:
    """Run one monitoring execution and record it.

    Exit code: 0 Completed, 3 CompletedWithViolations, 1 Failed or Stopped, 2 usage or
    setup error.
    """
    job = build_job(
        image=resolve_image(options["image"], options["monitor"]),
        endpoint=options["endpoint"],
        variant=options["variant"],
        schedule=options["schedule"],
        capture_root=options["capture_root"],
        baseline_statistics=options["baseline_statistics"],
        baseline_constraints=options["baseline_constraints"],
        environment=parse_env(options["env_pairs"]),
        publish_metrics=options["publish_metrics"],
        output_dir=options["output_dir"],
        **window(options["start"], options["end"]),
        **limits(options),
    )
    record = execute(job, options["as_json"])
    ctx.exit(record.status.exit_code)
