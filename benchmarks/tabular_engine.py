"""Throughput and peak memory of the tabular profiling engine (run by hand, not in tests).

Generates seeded synthetic data once (SageMaker capture JSONL with CSV payloads, output column
first, and the same rows as a plain CSV file), then profiles it end to end in a fresh
subprocess per measurement and reports wall time, rows/s and peak RSS.

Usage:
    .venv/bin/python benchmarks/tabular_engine.py --rows 1000000 3000000 --threads 1 2

Data: 25 analysed columns per record: 1 output (a probability) + 20 numeric inputs of mixed
distributions (normal, exponential, integers 0..999, uniform) + 4 categorical inputs of
cardinality 5, 20, 50, 200 (Zipf-distributed), about 2 % missing values in every input column.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 200_000
CARDINALITIES = (5, 20, 50, 200)
NUMERIC_INPUTS = 20


def _numeric_column(rng: np.random.Generator, kind: int, n: int) -> np.ndarray:
    if kind == 0:
        return np.char.mod("%.6g", rng.normal(10.0, 3.0, n))
    if kind == 1:
        return np.char.mod("%.6g", rng.exponential(2.0, n))
    if kind == 2:
        return rng.integers(0, 1000, n).astype(str)
    return np.char.mod("%.6g", rng.uniform(-5.0, 5.0, n))


def _chunk_rows(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    columns = [_numeric_column(rng, j % 4, n) for j in range(NUMERIC_INPUTS)]
    for j, card in enumerate(CARDINALITIES):
        categories = np.array([f"cat{j}_{i}" for i in range(card)])
        columns.append(categories[(rng.zipf(1.5, n) - 1) % card])
    for column in columns:
        column[rng.random(n) < 0.02] = ""
    inputs = np.array([",".join(row) for row in zip(*columns, strict=True)])
    return np.char.mod("%.6f", rng.random(n)), inputs


def generate(directory: Path, rows: int) -> tuple[Path, Path]:
    """Write (once) ``rows`` capture records and the same rows as CSV; return both paths."""
    capture, plain = directory / f"capture_{rows}.jsonl", directory / f"plain_{rows}.csv"
    if capture.exists() and plain.exists():
        return capture, plain
    rng = np.random.default_rng(20240501)
    head = '{"captureData":{"endpointInput":{"observedContentType":"text/csv",'
    head += '"mode":"INPUT","data":"'
    mid = '","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv; charset=utf-8",'
    mid += '"mode":"OUTPUT","data":"'
    tail = '","encoding":"CSV"}},"eventMetadata":{"eventId":"%s","inferenceTime":"%s"},'
    tail += '"eventVersion":"0"}\n'
    with open(capture, "w") as cap, open(plain, "w") as csv:
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            outputs, inputs = _chunk_rows(rng, n)
            for i, (out, row) in enumerate(zip(outputs, inputs, strict=True)):
                event = f"00000000-0000-4000-8000-{start + i:012d}"
                hour, minute = (start + i) // 3600 % 24, (start + i) // 60 % 60
                moment = f"2024-05-01T{hour:02d}:{minute:02d}:00Z"
                cap.write(head + row + mid + out + tail % (event, moment))
                csv.write(out + "," + row + "\n")
    return capture, plain


def measure(kind: str, path: Path, threads: int) -> dict[str, float]:
    """Profile one file in a fresh interpreter; return its timing and peak RSS."""
    code = (
        "import json, resource, sys, time\n"
        f"sys.path.insert(0, {str(ROOT / 'containers')!r})\n"
        "from tabular import InputFormat, profile_files\n"
        "t = time.perf_counter()\n"
        f"p = profile_files(InputFormat.{kind}, [{str(path)!r}], threads={threads})\n"
        "stats = p.statistics()\n"
        "elapsed = time.perf_counter() - t\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "rss = int(status.split()[0]) / 1024\n"
        "print(json.dumps({'seconds': elapsed, 'rows': p.item_count, 'peak_rss_mb': rss,\n"
        "  'columns': len(stats), 'failed': sum(s.failed_rows for s in stats)}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    measured: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def main() -> None:
    """Generate, measure and print one line per (rows, mode, threads)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 3_000_000])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--data", type=Path, default=Path("/tmp/watchkeeper-bench"))
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"cpus={os.cpu_count()} python={sys.version.split()[0]}")
    for rows in args.rows:
        started = time.perf_counter()
        capture, plain = generate(args.data, rows)
        print(
            f"data for {rows} rows ready in {time.perf_counter() - started:.1f}s "
            f"(capture {capture.stat().st_size / 1e6:.0f} MB, "
            f"csv {plain.stat().st_size / 1e6:.0f} MB)"
        )
        for threads in args.threads:
            for mode, kind, path in (
                ("capture", "CAPTURE", capture),
                ("baseline csv", "CSV", plain),
            ):
                m = measure(kind, path, threads)
                print(
                    f"{mode:13s} rows={m['rows']:>9,} threads={threads} "
                    f"seconds={m['seconds']:6.2f} rows/s={m['rows'] / m['seconds']:>10,.0f} "
                    f"peak_rss_mb={m['peak_rss_mb']:6.0f} "
                    f"failed_rows={m['failed']}"
                )


if __name__ == "__main__":
    main()
