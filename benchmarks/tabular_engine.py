"""Throughput and peak memory of the tabular profiling engine (run by hand, not in tests).

Generates seeded synthetic data once (SageMaker capture JSONL with CSV payloads, output column
first, and the same rows as a plain CSV file), then profiles it end to end in a fresh
subprocess per measurement and reports, for the `profile_files` call: wall time, CPU time
(user + system of the subprocess and of every worker process it started), rows/s, and the peak
resident memory of the whole process tree (the largest sum over all its processes of ``VmRSS``,
sampled from ``/proc`` every 25 ms; forked workers' shared pages are counted once per process,
so this overstates real use; ``PSS``, which splits shared pages, is sampled every 250 ms). The
sampler is kept light because it shares the machine with what it measures.

Usage:
    .venv/bin/python benchmarks/tabular_engine.py --rows 1000000 3000000 --workers 0 1 2
    # the same measurement of another copy of the package (e.g. a checkout of an older commit):
    .venv/bin/python benchmarks/tabular_engine.py --rows 1000000 --package /path/to/containers

Data: 25 analysed columns per record: 1 output (a probability) + 20 numeric inputs of mixed
distributions (normal, exponential, integers 0..999, uniform) + 4 categorical inputs of
cardinality 5, 20, 50, 200 (Zipf-distributed), about 2 % missing values in every input column.
"""

from __future__ import annotations

import argparse
import itertools
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


def measure(
    kind: str, path: Path, threads: int, workers: int | None, package: Path
) -> dict[str, float]:
    """Profile one file in a fresh interpreter; return its timings and the tree's peak memory.

    ``workers`` None leaves the argument out (the default, and older versions of the package).
    """
    extra = "" if workers is None else f", workers={workers}"
    code = (
        "import json, resource, sys, time\n"
        f"sys.path.insert(0, {str(package)!r})\n"
        "from tabular import InputFormat, profile_files\n"
        "def cpu():\n"
        "    own = resource.getrusage(resource.RUSAGE_SELF)\n"
        "    kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime\n"
        "t, c = time.perf_counter(), cpu()\n"
        f"p = profile_files(InputFormat.{kind}, [{str(path)!r}], threads={threads}{extra})\n"
        "stats = p.statistics()\n"
        "elapsed, used = time.perf_counter() - t, cpu() - c\n"
        "print(json.dumps({'seconds': elapsed, 'cpu_seconds': used, 'rows': p.item_count,\n"
        "  'columns': len(stats), 'failed': sum(s.failed_rows for s in stats)}))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = _poll_tree_memory(process)
    out, err = process.communicate()
    if process.returncode:
        raise RuntimeError(f"measurement failed: {err[-2000:]}")
    measured: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    measured.update(peak)
    return measured


def _poll_tree_memory(process: subprocess.Popen[str]) -> dict[str, float]:
    """Largest sums of VmRSS (every 25 ms) and of PSS (every 250 ms) over the tree, MiB.

    Light on purpose: the poller shares the machine with what it measures.
    """
    rss = pss = 0
    ticks = 0
    while process.poll() is None:
        pids = _tree(process.pid)
        rss = max(rss, sum(_field(f"/proc/{pid}/status", "VmRSS:") for pid in pids))
        if ticks % 10 == 0:
            pss = max(pss, sum(_field(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in pids))
        ticks += 1
        time.sleep(0.025)
    return {"peak_rss_mb": rss / 1024, "peak_pss_mb": pss / 1024}


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (from each task's ``children`` list)."""
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
            except OSError:
                pass
    return found


def _field(path: str, name: str) -> int:
    """A ``kB`` field of a /proc file (0 when the process is gone)."""
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(name):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    """Generate, measure and print one line per (rows, threads, workers, mode, repeat)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 3_000_000])
    parser.add_argument("--threads", type=int, nargs="+", default=[1])
    parser.add_argument("--workers", type=int, nargs="+", default=[0], help="0: the default")
    parser.add_argument("--modes", nargs="+", default=["capture", "csv"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--data", type=Path, default=Path("/tmp/watchkeeper-bench"))
    parser.add_argument("--package", type=Path, default=ROOT / "containers")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"cpus={os.cpu_count()} python={sys.version.split()[0]} load={os.getloadavg()[0]:.2f}")
    for rows in args.rows:
        started = time.perf_counter()
        files = dict(zip(("capture", "csv"), generate(args.data, rows), strict=True))
        print(
            f"data for {rows} rows ready in {time.perf_counter() - started:.1f}s "
            f"(capture {files['capture'].stat().st_size / 1e6:.0f} MB, "
            f"csv {files['csv'].stat().st_size / 1e6:.0f} MB)"
        )
        runs = itertools.product(args.threads, args.workers, args.modes, range(args.repeat))
        for threads, workers, mode, _ in runs:
            kind = "CAPTURE" if mode == "capture" else "CSV"
            measured = measure(kind, files[mode], threads, workers or None, args.package)
            _report(mode, measured, threads, workers)


def _report(mode: str, m: dict[str, float], threads: int, workers: int) -> None:
    print(
        f"{mode:8s} rows={m['rows']:>9,} threads={threads} workers={workers or 'default'} "
        f"wall_s={m['seconds']:6.2f} cpu_s={m['cpu_seconds']:6.2f} "
        f"rows/s={m['rows'] / m['seconds']:>10,.0f} "
        f"tree_rss_mb={m['peak_rss_mb']:5.0f} tree_pss_mb={m['peak_pss_mb']:5.0f} "
        f"failed_rows={m['failed']} load={os.getloadavg()[0]:.2f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
