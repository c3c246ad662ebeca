"""Data-quality drift check, watchkeeper vs peer tools: wall time, peak memory, verdict.

Generates the data once (`datagen`: a baseline and a shifted current window of N rows each, 25
columns, 7 of them drifted), then runs every tool in its own process, one after the other, and
measures the wall time and the peak resident memory of its whole process tree (`measure`).
Peer tools run in ``benchmarks/.venv-peers`` (``benchmarks/setup_peers.sh``), the watchkeeper
library task and the CLI with the project's virtualenv.

Modes: ``baseline`` profiles the baseline CSV; ``monitor`` analyses the current window against
a kept baseline (capture JSONL for watchkeeper); ``compare`` reads both datasets and compares
them in one go (how every peer works, on the plain CSV copy of the window unless noted).

Usage:
    .venv/bin/python benchmarks/data_quality.py --rows 1000000
    .venv/bin/python benchmarks/data_quality.py --rows 1000000 --tools watchkeeper watchkeeper-lib

Prints a markdown table, writes ``benchmarks/results/data_quality_<rows>.json`` and puts the
table into ``benchmarks/README.md`` (section ``data_quality_<rows>``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datagen import SHIFTS, GeneratedData, generate
from measure import Measurement, run_measured
from report import command_line, replace_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS_PYTHON = HERE / ".venv-peers" / "bin" / "python"
PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"
WATCHKEEPER = ROOT / ".venv" / "bin" / "watchkeeper"
TASKS = HERE / "data_quality_tasks.py"
RESULTS = HERE / "results"
README = HERE / "README.md"

PEER_TASKS = {
    "evidently": ("Evidently DataDriftPreset", "evidently"),
    "whylogs": ("whylogs profile + drift scores", "whylogs"),
    "alibi": ("alibi-detect TabularDrift", "alibi"),
    "pandas-scipy": ("pandas + scipy (KS, chi2)", "pandas_scipy"),
    "naive-capture": ("naive script: json + pandas + scipy, capture JSONL", "naive_capture"),
    "pyarrow": ("pyarrow CSV read only (floor)", "pyarrow_read"),
}
"""``--tools`` name -> (label, task in `data_quality_tasks`) for tools run in the peers' venv."""

TOOLS = ("watchkeeper", "watchkeeper-lib", *PEER_TASKS)
LABELS = {
    "watchkeeper": "watchkeeper (CLI, container)",
    "watchkeeper-lib": "watchkeeper library (in-process)",
    **{key: label for key, (label, _) in PEER_TASKS.items()},
}


@dataclass
class Row:
    """One measured (tool, mode) pair, as printed and as stored in the JSON results.

    ``load_before`` is the host's 1-minute load average when the run started: the machine may
    be shared, and a load near the core count means the timing is pessimistic.
    """

    key: str
    tool: str
    mode: str
    rows: int
    wall_seconds: float | None = None
    peak_rss_mb: float | None = None
    compute_seconds: float | None = None
    import_seconds: float | None = None
    flagged: list[str] | None = None
    load_before: float | None = None
    error: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def run_watchkeeper(
    mode: str, data: GeneratedData, workdir: Path, *, timeout: float, rss_limit_mb: float
) -> Measurement:
    """Run the watchkeeper CLI for one mode (``baseline`` or ``monitor``) and measure it.

    The whole invocation lives here so it can follow the CLI as it evolves. Baseline files go
    to ``<workdir>/baseline``; the monitor's reports to ``<workdir>/monitor``. The container
    gets every core and enough memory not to be the limit, like the in-process tools.
    """
    baseline = workdir / "baseline"
    if mode == "baseline":
        command = ["baseline", "--dataset", data.baseline_csv, "--output", str(baseline)]
    else:
        command = [
            "run",
            "--monitor",
            "data-quality",
            "--endpoint",
            data.endpoint,
            "--capture",
            data.capture_root,
            "--start",
            data.window_start,
            "--end",
            data.window_end,
            "--baseline-statistics",
            str(baseline / "statistics.json"),
            "--baseline-constraints",
            str(baseline / "constraints.json"),
            "--output",
            str(workdir / "monitor"),
        ]
    limits = ["--memory", "16g", "--cpus", str(os.cpu_count() or 1), "--json"]
    return run_measured(
        [str(WATCHKEEPER), *command, *limits], timeout=timeout, rss_limit_mb=rss_limit_mb
    )


def measure_watchkeeper(record: dict[str, Any], measured: Measurement) -> float | None:
    """Peak memory (MiB) of the container of one execution (None when it was not seen).

    The container's memory is not in the CLI's process tree, and the execution record
    (``--json``) carries no peak, so this takes the peak `run_measured` polled from the memory
    cgroup of the record's ``container_id``. Once the runtime records a peak itself, read it
    from ``record`` here instead.
    """
    return measured.container_peaks_mb.get(record.get("container_id") or "")


def _violations(monitor_dir: Path) -> tuple[list[str], list[str]]:
    """Features with a ``baseline_drift_check`` violation, and every other violation."""
    drifted, other = set(), []
    for name in ("constraint_violations.json", "constraint_violation.json"):
        for path in monitor_dir.rglob(name):
            for violation in json.loads(path.read_text()).get("violations", []):
                if violation.get("constraint_check_type") == "baseline_drift_check":
                    drifted.add(violation["feature_name"])
                else:
                    other.append(
                        f"{violation['feature_name']}: {violation['constraint_check_type']}"
                    )
    return sorted(drifted), other


def _container_seconds(record: dict[str, Any]) -> float | None:
    """From container start to end, as the execution record has it."""
    if not record.get("started_at") or not record.get("ended_at"):
        return None
    started, ended = (datetime.fromisoformat(record[k]) for k in ("started_at", "ended_at"))
    return (ended - started).total_seconds()


def _failure(measurement: Measurement) -> str:
    if measurement.killed:
        return f"killed: {measurement.killed}"
    tail = measurement.stderr.strip().splitlines()[-1:] or ["no output"]
    return f"exit {measurement.returncode}: {tail[0][:200]}"


def measure_cli(data: GeneratedData, workdir: Path, limits: dict[str, float]) -> list[Row]:
    """Both watchkeeper CLI modes; a failure becomes a row with its error, never a crash."""
    rows = []
    for mode in ("baseline", "monitor"):
        row = Row("watchkeeper", LABELS["watchkeeper"], mode, data.rows)
        if not WATCHKEEPER.exists():
            row.error = f"{WATCHKEEPER} not found"
            rows.append(row)
            continue
        row.load_before = os.getloadavg()[0]
        measured = run_watchkeeper(mode, data, workdir, **limits)
        row.wall_seconds = measured.wall_seconds
        row.peak_rss_mb = measured.peak_rss_mb
        # 3 = CompletedWithViolations, the expected outcome on drifted data.
        if measured.returncode not in (0, 3) or measured.killed:
            row.error = _failure(measured)
            rows.append(row)
            continue
        try:
            record = json.loads(measured.stdout)
        except json.JSONDecodeError:
            row.error = f"no JSON execution record on stdout: {measured.stdout[:200]!r}"
            rows.append(row)
            continue
        container = measure_watchkeeper(record, measured)
        row.details = {
            "status": record.get("status"),
            "cli_peak_mb": measured.peak_rss_mb,
            "container_peak_mb": container,
            "container_seconds": _container_seconds(record),
        }
        if container is not None:
            row.peak_rss_mb = measured.peak_rss_mb + container
        if mode == "monitor":
            row.flagged, row.details["other_violations"] = _violations(workdir / "monitor")
        rows.append(row)
    return rows


def measure_task(
    key: str,
    mode: str,
    task: str,
    *,
    python: Path,
    data: GeneratedData,
    workdir: Path,
    limits: dict[str, float],
) -> Row:
    """Run one `data_quality_tasks` task in a fresh interpreter and measure it."""
    row = Row(key, LABELS[key], mode, data.rows)
    if not python.exists():
        row.error = f"{python} not found (run benchmarks/setup_peers.sh)"
        return row
    manifest = Path(data.baseline_csv).parent / "manifest.json"
    row.load_before = os.getloadavg()[0]
    measured = run_measured([str(python), str(TASKS), task, str(manifest), str(workdir)], **limits)
    row.wall_seconds, row.peak_rss_mb = measured.wall_seconds, measured.peak_rss_mb
    if measured.returncode != 0 or measured.killed:
        row.error = _failure(measured)
        return row
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    row.compute_seconds = result.pop("compute_seconds")
    row.import_seconds = result.pop("import_seconds")
    row.flagged = result.pop("flagged")
    result.pop("task")
    row.details = result
    return row


def measure_all(data: GeneratedData, tools: list[str], limits: dict[str, float]) -> list[Row]:
    """Every requested tool, one process at a time, in a scratch directory."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="wk-dq-") as scratch:
        workdir = Path(scratch)
        if "watchkeeper" in tools:
            rows += measure_cli(data, workdir, limits)
        common = {"data": data, "workdir": workdir, "limits": limits}
        if "watchkeeper-lib" in tools:
            for mode in ("baseline", "monitor"):
                task = f"watchkeeper_lib_{mode}"
                rows.append(
                    measure_task("watchkeeper-lib", mode, task, python=PROJECT_PYTHON, **common)
                )
        for tool in tools:
            if tool in PEER_TASKS:
                task = PEER_TASKS[tool][1]
                rows.append(measure_task(tool, "compare", task, python=PEERS_PYTHON, **common))
        for row in rows:
            print(
                f"  {row.tool} / {row.mode}: {row.wall_seconds or 0:.1f}s {row.error}", flush=True
            )
    return rows


def reference(rows: list[Row]) -> tuple[str, float, float | None] | None:
    """The watchkeeper end-to-end cost the peers are compared with: (label, seconds, MiB).

    Baseline + monitor of the CLI when both ran (memory only when the container's peak is
    known), else of the in-process library.
    """
    for key in ("watchkeeper", "watchkeeper-lib"):
        pair = [r for r in rows if r.key == key and not r.error and r.wall_seconds]
        if len(pair) == 2:
            seconds = sum(r.wall_seconds or 0.0 for r in pair)
            known = key == "watchkeeper-lib" or all(
                r.details.get("container_peak_mb") for r in pair
            )
            memory = max(r.peak_rss_mb or 0.0 for r in pair) if known else None
            return LABELS[key], seconds, memory
    return None


def _verdict(flagged: list[str] | None, drifted: tuple[str, ...]) -> str:
    if flagged is None:
        return "-"
    hits = [c for c in drifted if c in flagged]
    missed = [c for c in drifted if c not in flagged]
    false = [c for c in flagged if c not in drifted]
    text = f"{len(hits)}/{len(drifted)} drifted"
    if missed:
        text += f" (missed {','.join(missed)})"
    text += f"; {len(false)} false" + (f" ({','.join(false)})" if false else "")
    return text


def table(rows: list[Row], data: GeneratedData) -> str:
    """The markdown table of one run."""
    ref = reference(rows)
    lines = [
        "| tool | mode | rows | wall s | import s | rows/s | peak RSS MB | time vs wk | RSS vs wk "
        "| verdict |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        if row.error:
            lines.append(
                f"| {row.tool} | {row.mode} | {row.rows:,} | - | - | - | - | - | - | "
                f"FAILED: {row.error} |"
            )
            continue
        wall, rss = row.wall_seconds or 0.0, row.peak_rss_mb or 0.0
        time_ratio = rss_ratio = "-"
        if ref is not None and row.mode == "compare":
            time_ratio = f"{wall / ref[1]:.1f}x"
            rss_ratio = f"{rss / ref[2]:.1f}x" if ref[2] else "-"
        cli_only = row.key == "watchkeeper" and not row.details.get("container_peak_mb")
        rss_text = f"{rss:,.0f}" + (" (CLI only)" if cli_only else "")
        imported = "-" if row.import_seconds is None else f"{row.import_seconds:.1f}"
        lines.append(
            f"| {row.tool} | {row.mode} | {row.rows:,} | {wall:,.1f} | {imported} | "
            f"{row.rows / wall:,.0f} | "
            f"{rss_text} | {time_ratio} | {rss_ratio} | {_verdict(row.flagged, data.drifted)} |"
        )
    if ref is not None:
        memory = f"{ref[2]:,.0f} MB" if ref[2] else "unknown memory"
        lines.append("")
        lines.append(f"Ratios vs {ref[0]}, baseline + monitor: {ref[1]:,.1f} s, {memory}.")
    return "\n".join(lines)


def merged(path: Path, data: GeneratedData, fresh: list[Row]) -> list[Row]:
    """The fresh rows plus, from an earlier result on the same data, the tools not re-run.

    So one tool (e.g. ``--tools watchkeeper`` once the CLI exists) can be measured again and
    still be compared with the peers measured before.
    """
    if not path.exists():
        return fresh
    earlier = json.loads(path.read_text())
    if earlier.get("data") != json.loads(json.dumps(asdict(data))):
        return fresh
    measured = {r.key for r in fresh}
    kept = [Row(**r) for r in earlier["rows"] if r["key"] not in measured]
    return sorted(kept + fresh, key=lambda r: TOOLS.index(r.key))


def readme_text(result: dict[str, Any]) -> str:
    """The README section of one stored result: when, how, on what, and the table."""
    machine = result["machine"]
    return (
        f"Measured {result['measured_at']} with `{result['command']}` on {machine['cpu']}, "
        f"{machine['cores']} cores, {machine['memory_gib']} GiB, Python {machine['python']}.\n\n"
        f"{result['table']}"
    )


def _machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 2**20, 1),
        "os": platform.platform(),
        "python": sys.version.split()[0],
    }


def main() -> None:
    """Generate, measure every tool, print the table, write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--data", type=Path, default=Path("/tmp/watchkeeper-bench"))
    parser.add_argument("--timeout", type=float, default=3600.0, help="Seconds per tool run.")
    parser.add_argument("--rss-limit-mb", type=float, default=20_000.0, help="Kill above this.")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-readme", action="store_true", help="Do not update README.md.")
    args = parser.parse_args()
    limits = {"timeout": args.timeout, "rss_limit_mb": args.rss_limit_mb}
    args.results.mkdir(parents=True, exist_ok=True)
    for count in args.rows:
        print(f"generating {count:,} rows under {args.data} ...", flush=True)
        data = generate(args.data, count)
        path = args.results / f"data_quality_{count}.json"
        rows = merged(path, data, measure_all(data, args.tools, limits))
        print()
        print(table(rows, data))
        print()
        result = {
            "benchmark": "data_quality",
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": command_line(),
            "machine": _machine(),
            "data": asdict(data),
            "shifts": SHIFTS,
            "rows": [asdict(r) for r in rows],
            "reference": reference(rows),
            "table": table(rows, data),
        }
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {path}")
        if not args.no_readme:
            replace_section(README, f"data_quality_{count}", readme_text(result))


if __name__ == "__main__":
    main()
