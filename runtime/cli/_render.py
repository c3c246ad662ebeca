"""How the CLI shows executions: a short summary, a detail view, a table, or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from runtime.execution import ExecutionRecord, ExecutionStatus

_COLOURS = {
    ExecutionStatus.COMPLETED: "green",
    ExecutionStatus.COMPLETED_WITH_VIOLATIONS: "yellow",
    ExecutionStatus.FAILED: "red",
    ExecutionStatus.STOPPED: "red",
}


def record_json(record: ExecutionRecord) -> str:
    """The execution record as indented JSON."""
    return json.dumps(record.model_dump(mode="json"), indent=2)


def status_text(record: ExecutionRecord) -> str:
    """`Failed (OOMKilled)`-style status, coloured when the terminal allows."""
    text = record.status.value + (f" ({record.reason.value})" if record.reason else "")
    return click.style(text, fg=_COLOURS.get(record.status), bold=True)


def _duration(record: ExecutionRecord) -> str:
    seconds = record.duration_seconds
    return "-" if seconds is None else f"{seconds:.1f}s"


def summary(record: ExecutionRecord) -> str:
    """A few lines: status, message, where the reports and logs are."""
    exit_code = "-" if record.exit_code is None else str(record.exit_code)
    lines = [f"{status_text(record)}  {record.id}  (exit {exit_code}, {_duration(record)})"]
    if record.message:
        lines.append(f"  message:  {record.message.strip()}")
    if record.violations:
        lines.append(f"  violations: {record.violations}")
    reports = [o.name.split("/", 1)[1] for o in record.outputs if o.name.startswith("reports/")]
    lines.append(
        f"  reports:  {record.output_dir or record.reports_path}  [{', '.join(reports) or 'none'}]"
    )
    lines += [f"  metrics:  {o.path}" for o in record.outputs if o.kind == "metrics"]
    lines.append(f"  logs:     {record.log_path}")
    lines += [f"  note:     {problem}" for problem in record.problems]
    return "\n".join(lines)


def details(record: ExecutionRecord) -> str:
    """Everything a person asks about one execution."""
    fields = [
        ("id", record.id),
        ("kind", record.kind),
        ("status", status_text(record)),
        ("image", f"{record.image} ({(record.image_id or '?')[:19]})"),
        ("endpoint", record.endpoint + (f"/{record.variant}" if record.variant else "")),
        ("schedule", record.schedule or "-"),
        (
            "window",
            f"{record.window_start:%Y-%m-%dT%H:%M:%SZ} .. {record.window_end:%Y-%m-%dT%H:%M:%SZ}",
        ),
        ("started", f"{record.started_at:%Y-%m-%d %H:%M:%S}" if record.started_at else "-"),
        ("duration", _duration(record)),
        ("exit code", "-" if record.exit_code is None else str(record.exit_code)),
        ("oom killed", "yes" if record.oom_killed else "no"),
        ("message", (record.message or "-").strip()),
        ("limits", ", ".join(f"{key}={value}" for key, value in record.limits.items())),
        ("overrides", ", ".join(record.overrides) or "none (hardened defaults)"),
        ("workspace", record.workspace),
        ("logs", record.log_path),
        ("reports", record.output_dir or record.reports_path),
    ]
    width = max(len(name) for name, _ in fields)
    lines = [f"{name:<{width}}  {value}" for name, value in fields]
    for output in record.outputs:
        verdict = {True: "valid", False: "INVALID", None: ""}[output.valid]
        lines.append(f"  {output.name}  {output.size} bytes  {verdict}".rstrip())
    lines += [f"note: {problem}" for problem in record.problems]
    return "\n".join(lines)


def table(records: list[ExecutionRecord]) -> str:
    """One line per execution."""
    header = ("ID", "STATUS", "ENDPOINT", "IMAGE", "WINDOW START", "DURATION")
    rows = [
        (
            record.id,
            record.status.value + (f"/{record.reason.value}" if record.reason else ""),
            record.endpoint,
            record.image,
            f"{record.window_start:%Y-%m-%dT%H:%MZ}",
            _duration(record),
        )
        for record in records
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


def violation_lines(record: ExecutionRecord, limit: int = 10) -> list[str]:
    """The first `limit` violations of a run, one line each (feature, check, description)."""
    path = next((Path(o.path) for o in record.outputs if o.kind == "violations" and o.valid), None)
    if path is None:
        return []
    violations = json.loads(path.read_text(encoding="utf-8")).get("violations", [])
    lines = [
        f"  - {v.get('feature_name') or v.get('metric_name')}: {v['constraint_check_type']}: "
        f"{v['description'].strip()}"
        for v in violations[:limit]
    ]
    if len(violations) > limit:
        lines.append(f"  ... and {len(violations) - limit} more")
    return lines
