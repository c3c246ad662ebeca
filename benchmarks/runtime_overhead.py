"""Runtime overhead: a complete `watchkeeper run` of a no-op monitor vs a bare `docker run --rm`.

Run from the repository root after `make images`:

    .venv/bin/python benchmarks/runtime_overhead.py [--repeat 10] [--image watchkeeper/noop:latest]

Both are measured in the same run, alternating, on the same image; the table reports the
median and quartiles of the wall time of each command (CLI start, staging, launch, log copy,
collection and recording included for watchkeeper) and their ratio. Target (issue 3):
watchkeeper's median <= 1.0 s on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WATCHKEEPER = [str(Path(sys.executable).parent / "watchkeeper")]


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall time of one command; it must succeed."""
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def quartiles(samples: list[float]) -> tuple[float, float, float]:
    """Lower quartile, median and upper quartile."""
    low, median, high = statistics.quantiles(samples, n=4, method="inclusive")
    return low, median, high


def main() -> None:
    """Measure and print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--image", default="watchkeeper/noop:latest")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wk-overhead-") as scratch:
        home, capture = Path(scratch) / "home", Path(scratch) / "capture"
        (capture / "bench").mkdir(parents=True)
        env = os.environ | {"WATCHKEEPER_HOME": str(home)}
        run = [
            *WATCHKEEPER, "run", "--image", options.image, "--endpoint", "bench",
            "--capture", str(capture), "--json",
        ]  # fmt: skip
        bare = ["docker", "run", "--rm", options.image]
        timed(run, env)  # warm the page cache and the store
        timed(bare, env)
        ours, theirs = [], []
        for _ in range(options.repeat):
            ours.append(timed(run, env))
            theirs.append(timed(bare, env))
    rows = {"watchkeeper run": quartiles(ours), "docker run --rm": quartiles(theirs)}
    print(f"{options.repeat} runs each of {options.image}, alternating\n")
    print("| command | p25 s | median s | p75 s |")
    print("| --- | ---: | ---: | ---: |")
    for name, (low, median, high) in rows.items():
        print(f"| `{name}` | {low:.3f} | {median:.3f} | {high:.3f} |")
    ratio = rows["watchkeeper run"][1] / rows["docker run --rm"][1]
    print(f"\nratio of medians: {ratio:.2f}x; target: watchkeeper median <= 1.0 s")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "runtime_overhead.json").write_text(
        json.dumps({"watchkeeper": ours, "docker": theirs, "ratio": ratio}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
