"""Statistical honesty of drift verdicts: false alarms without drift, detection of graded shifts.

For each sample size n (baseline and current both n rows) the driver draws R seeded trials of
12 independent columns and asks every method, column by column, "has this drifted?":

* no drift (false-alarm rate): ``normal`` N(0, 1), ``lognormal`` LN(0, 1), ``poisson``
  Poisson(3) (integers, many ties), ``category`` (20 categories, Zipf 1.2);
* numeric shifts: ``normal+<d>sd``, the current sample is N(d, 1), d = 0.05, 0.1, 0.2, 0.5
  (population KS distance 0.020, 0.040, 0.080, 0.197);
* categorical shifts: ``category-<s>``, the top category's share (0.35) drops by s = 0.01, 0.05,
  0.15, 0.30, spread evenly over the other 19 (L-infinity distance = s).

Methods: watchkeeper's drift check computed in-process with the ``tabular`` library (KLL
sketches of both samples, ``numeric_distance`` Robust or Simple, ``categorical_distance``
LInfinity with or without the same robust term, threshold 0.1); exact p-value tests (scipy
``ks_2samp`` / ``chi2_contingency`` at alpha = 0.05); Evidently's and whylogs' per-column
verdicts with their defaults, computed by `honesty_worker.py` in the peers' virtualenv on the
same trials (written as Parquet files, both peers in parallel).

Usage:
    .venv/bin/python benchmarks/drift_honesty.py             # all sizes, default repeats
    .venv/bin/python benchmarks/drift_honesty.py --sizes 1000 10000 --repeats 20

Writes ``benchmarks/results/drift_honesty.json`` and the tables into ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datagen import moved_top_share, zipf_probabilities
from report import command_line, replace_section

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "containers"))

from scipy import stats  # noqa: E402

from tabular import (  # noqa: E402
    KllSketch,
    NumericMethod,
    categorical_distance,
    numeric_distance,
)

SEED = 20240502
THRESHOLD = 0.1
ALPHA = 0.05
PEERS_PYTHON = HERE / ".venv-peers" / "bin" / "python"
WORKER = HERE / "honesty_worker.py"
RESULTS = HERE / "results" / "drift_honesty.json"
README = HERE / "README.md"

REPEATS = {100: 200, 1_000: 200, 10_000: 100, 100_000: 30, 1_000_000: 6}
"""Trials per sample size: fewer where a trial is expensive (whylogs profiles ~0.5 M values/s)."""

NULL_COLUMNS = ("normal", "lognormal", "poisson", "category")
MEAN_SHIFTS = (0.05, 0.1, 0.2, 0.5)
SHARE_SHIFTS = (0.01, 0.05, 0.15, 0.30)
CATEGORIES = np.array([f"k{i:02d}" for i in range(20)])
ZIPF = zipf_probabilities(len(CATEGORIES))

METHODS = (
    "watchkeeper Robust",
    "watchkeeper Simple",
    "KS / chi2, p < 0.05",
    "Evidently (defaults)",
    "whylogs (defaults)",
)


def _columns() -> dict[str, tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]]:
    """Column name -> (baseline sampler, current sampler), each ``(rng, n) -> values``."""

    def normal(shift: float) -> Callable[..., np.ndarray]:
        return lambda rng, n: rng.normal(shift, 1.0, n)

    def category(share: float) -> Callable[..., np.ndarray]:
        p = moved_top_share(ZIPF, share) if share else ZIPF
        return lambda rng, n: CATEGORIES[rng.choice(len(CATEGORIES), size=n, p=p)]

    def same(draw: Callable[..., np.ndarray]) -> tuple[Callable[..., np.ndarray], ...]:
        return draw, draw

    columns = {
        "normal": same(normal(0.0)),
        "lognormal": same(lambda rng, n: rng.lognormal(0.0, 1.0, n)),
        "poisson": same(lambda rng, n: rng.poisson(3.0, n).astype(np.float64)),
        "category": same(category(0.0)),
    }
    columns.update({f"normal+{d}sd": (normal(0.0), normal(d)) for d in MEAN_SHIFTS})
    columns.update({f"category-{s}": (category(0.0), category(s)) for s in SHARE_SHIFTS})
    return columns


COLUMNS = _columns()


def draw_trial(n: int, trial: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One trial's baseline and current samples, seeded by (n, trial)."""
    samples = []
    for side in (0, 1):
        rng = np.random.default_rng([SEED, n, trial, side])
        samples.append({name: draws[side](rng, n) for name, draws in COLUMNS.items()})
    return samples[0], samples[1]


def _sketch(values: np.ndarray) -> KllSketch:
    sketch = KllSketch()
    sketch.update(values)
    return sketch


def _counts(values: np.ndarray) -> dict[str, float]:
    keys, counts = np.unique(values, return_counts=True)
    return {str(k): float(c) for k, c in zip(keys, counts, strict=True)}


def local_verdicts(
    baseline: dict[str, np.ndarray], current: dict[str, np.ndarray]
) -> dict[str, dict[str, bool]]:
    """Verdicts of the in-process methods: method -> column -> drifted."""
    verdicts: dict[str, dict[str, bool]] = {m: {} for m in METHODS[:3]}
    for name in COLUMNS:
        a, b = baseline[name], current[name]
        if name.startswith("category"):
            ca, cb = _counts(a), _counts(b)
            robust = categorical_distance(ca, cb, robust=True)
            simple = categorical_distance(ca, cb)
            table = np.array([[ca.get(k, 0.0) for k in ca | cb], [cb.get(k, 0.0) for k in ca | cb]])
            p_value = stats.chi2_contingency(table).pvalue
        else:
            sa, sb = _sketch(a), _sketch(b)
            robust = numeric_distance(sa, sb, NumericMethod.ROBUST)
            simple = numeric_distance(sa, sb, NumericMethod.SIMPLE)
            p_value = stats.ks_2samp(a, b).pvalue
        verdicts["watchkeeper Robust"][name] = robust.exceeds(THRESHOLD)
        verdicts["watchkeeper Simple"][name] = simple.exceeds(THRESHOLD)
        verdicts["KS / chi2, p < 0.05"][name] = bool(p_value < ALPHA)
    return verdicts


def _write_parquet(path: Path, sample: dict[str, np.ndarray]) -> None:
    pq.write_table(pa.table(sample), path, compression="none")


def run_size(n: int, repeats: int, peers: bool) -> dict[str, Any]:
    """All trials of one sample size: counts of 'drifted' verdicts per method and column."""
    counts = {m: dict.fromkeys(COLUMNS, 0) for m in METHODS}
    extra: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix=f"wk-honesty-{n}-") as scratch:
        directory = Path(scratch)
        for trial in range(repeats):
            baseline, current = draw_trial(n, trial)
            if peers:
                _write_parquet(directory / f"trial_{trial}_baseline.parquet", baseline)
                _write_parquet(directory / f"trial_{trial}_current.parquet", current)
            for method, verdicts in local_verdicts(baseline, current).items():
                for name, drifted in verdicts.items():
                    counts[method][name] += drifted
        if peers:
            for tool, verdicts, info in _peer_verdicts(directory, repeats):
                method = "Evidently (defaults)" if tool == "evidently" else "whylogs (defaults)"
                extra.update(info)
                for trial_verdicts in verdicts:
                    for name, drifted in trial_verdicts.items():
                        counts[method][name] += drifted
        else:
            for method in METHODS[3:]:
                counts.pop(method)
    return {"n": n, "repeats": repeats, "counts": counts, **extra}


def _peer_verdicts(directory: Path, repeats: int) -> list[tuple[str, list, dict]]:
    """Run both peer workers in parallel on the trial files; (tool, verdicts, extra) each."""
    processes = {}
    for tool in ("evidently", "whylogs"):
        out = directory / f"{tool}.json"
        command = [str(PEERS_PYTHON), str(WORKER), tool, str(directory), str(repeats), str(out)]
        processes[tool] = (subprocess.Popen(command, stderr=subprocess.PIPE, text=True), out)
    results = []
    for tool, (process, out) in processes.items():
        _, errors = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{tool} worker failed: {errors[-2000:]}")
        data = json.loads(out.read_text())
        info = {"evidently_report_agrees": data["report_agrees"]} if "report_agrees" in data else {}
        results.append((tool, data["verdicts"], info))
    return results


def _rate(count: int, total: int) -> str:
    return f"{100.0 * count / total:.1f} %" if total else "-"


def tables(sizes: list[dict[str, Any]]) -> str:
    """The markdown tables: false alarms per method and n, then detection per shift."""
    header = "| method | " + " | ".join(f"n = {s['n']:,} (R = {s['repeats']})" for s in sizes)
    rule = "| --- |" + " ---: |" * len(sizes)
    lines = ["**(a) False alarms without drift** (4 null columns x R trials per cell)", ""]
    lines += [header + " |", rule]
    methods = [m for m in METHODS if all(m in s["counts"] for s in sizes)]
    for method in methods:
        cells = []
        for size in sizes:
            alarms = sum(size["counts"][method][c] for c in NULL_COLUMNS)
            total = len(NULL_COLUMNS) * size["repeats"]
            cells.append(f"{_rate(alarms, total)} ({alarms}/{total})")
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    lines += ["", "**(a') The same, per null column** (share of R trials flagged)", ""]
    lines += _per_column(sizes, methods, NULL_COLUMNS, "column")
    shifted = tuple(c for c in COLUMNS if c not in NULL_COLUMNS)
    lines += ["", "**(b) Detection rate under shifts** (share of R trials flagged)", ""]
    lines += _per_column(sizes, methods, shifted, "shift")
    return "\n".join(lines)


def _per_column(
    sizes: list[dict[str, Any]], methods: list[str], columns: tuple[str, ...], title: str
) -> list[str]:
    header = " | ".join(f"n = {s['n']:,}" for s in sizes)
    lines = [f"| {title} | method | {header} |", "| --- | --- |" + " ---: |" * len(sizes)]
    for column in columns:
        for method in methods:
            cells = [_rate(s["counts"][method][column], s["repeats"]) for s in sizes]
            lines.append(f"| {column} | {method} | " + " | ".join(cells) + " |")
    return lines


def readme_text(result: dict[str, Any]) -> str:
    """The README section of a stored result: when, how, how long, and the tables."""
    return (
        f"Measured {result['measured_at']} with `{result['command']}` "
        f"({result['seconds'] / 60:.1f} min).\n\n{result['table']}"
    )


def main() -> None:
    """Run every size, print and store the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(REPEATS))
    parser.add_argument("--repeats", type=int, help="Trials per size (default: REPEATS).")
    parser.add_argument("--no-peers", action="store_true", help="Only the in-process methods.")
    parser.add_argument("--no-readme", action="store_true", help="Do not update README.md.")
    args = parser.parse_args()
    peers = not args.no_peers
    if peers and not PEERS_PYTHON.exists():
        parser.error(f"{PEERS_PYTHON} not found: run benchmarks/setup_peers.sh or --no-peers")
    started, sizes = time.perf_counter(), []
    for n in args.sizes:
        repeats = args.repeats or REPEATS.get(n, 10)
        began = time.perf_counter()
        sizes.append(run_size(n, repeats, peers))
        print(f"n={n:,} R={repeats}: {time.perf_counter() - began:.0f}s", flush=True)
    text = tables(sizes)
    print(text)
    total = time.perf_counter() - started
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": "drift_honesty",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command_line(),
        "seconds": total,
        "threshold": THRESHOLD,
        "alpha": ALPHA,
        "sizes": sizes,
        "table": text,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    if not args.no_readme:
        replace_section(README, "drift_honesty", readme_text(result))
    print(f"\n{total / 60:.1f} min; wrote {RESULTS}")


if __name__ == "__main__":
    main()
