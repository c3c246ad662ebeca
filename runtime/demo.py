"""The end-to-end demo: a realistic churn model's traffic, a baseline, a calm and a shifted hour.

Everything is generated with a seeded stdlib `random.Random` (the runtime never loads
numpy): a training set with a header, then two hours of endpoint capture in SageMaker's
layout. The second hour drifts: longer day minutes, more customer-service calls, a
different plan mix and a state the model never saw.
"""

from __future__ import annotations

import csv
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from contracts import CaptureRecord, DatasetFormat, format_timestamp
from runtime.execution import ExecutionRecord
from runtime.job import JobKind, MonitoringJob
from runtime.runner import Runner

ENDPOINT = "churn-demo"
COLUMNS = (
    "churn_score", "account_length", "day_mins", "eve_mins", "night_mins", "intl_mins",
    "custserv_calls", "intl_plan", "state",
)  # fmt: skip
STATES = ("CA", "NY", "TX", "FL", "WA", "IL", "OH", "GA", "NC", "MI")
SHIFTED_STATES = (*STATES[:6], "PR")


@dataclass(frozen=True)
class DemoData:
    """Where the generated data is."""

    training: Path
    capture: Path
    calm_hour: datetime
    shifted_hour: datetime


def _row(rng: random.Random, shifted: bool) -> list[str]:
    day = max(0.0, rng.gauss(215 if shifted else 180, 50))
    calls = min(9, int(rng.expovariate(1 / (2.6 if shifted else 1.5))))
    plan = "yes" if rng.random() < (0.35 if shifted else 0.1) else "no"
    state = rng.choice(SHIFTED_STATES if shifted else STATES)
    score = 1 / (1 + 2.718281828 ** -(-4 + day / 90 + calls * 0.45 + (plan == "yes") * 1.2))
    return [
        f"{score:.4f}",
        str(max(1, int(rng.gauss(100, 40)))),
        f"{day:.1f}",
        f"{max(0.0, rng.gauss(200, 50)):.1f}",
        f"{max(0.0, rng.gauss(200, 50)):.1f}",
        f"{max(0.0, rng.gauss(10, 2.8)):.1f}",
        str(calls),
        plan,
        state,
    ]


def _capture_hour(folder: Path, hour: datetime, rows: list[list[str]], rng: random.Random) -> None:
    target = folder / ENDPOINT / "AllTraffic" / hour.strftime("%Y/%m/%d/%H")
    target.mkdir(parents=True, exist_ok=True)
    with (target / f"{hour:%M-%S}-000-{uuid.UUID(int=rng.getrandbits(128))}.jsonl").open(
        "w"
    ) as out:
        for index, row in enumerate(rows):
            record = CaptureRecord.from_csv(
                ",".join(row[1:]),
                row[0],
                inference_time=hour + timedelta(seconds=index * 3600 // len(rows)),
                event_id=str(uuid.UUID(int=rng.getrandbits(128))),
            )
            out.write(record.to_line() + "\n")


def generate(folder: Path, end: datetime, rows: int = 5000, seed: int = 7) -> DemoData:
    """Write the training set and two capture hours ending at `end` (a full hour)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    training = folder / "training.csv"
    with training.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        writer.writerows(_row(rng, shifted=False) for _ in range(rows))
    calm, shifted = end - timedelta(hours=2), end - timedelta(hours=1)
    capture = folder / "capture"
    _capture_hour(capture, calm, [_row(rng, False) for _ in range(rows // 2)], rng)
    _capture_hour(capture, shifted, [_row(rng, True) for _ in range(rows // 2)], rng)
    return DemoData(training, capture, calm, shifted)


def run_demo(
    runner: Runner, image: str, data: DemoData, output: Path, say: Callable[[str], None]
) -> list[ExecutionRecord]:
    """Suggest a baseline, then monitor the calm and the shifted hour; return the three runs."""
    baseline_dir = output / "baseline"
    say(f"suggesting a baseline from {data.training}")
    baseline = runner.run(
        MonitoringJob(
            image=image,
            endpoint=ENDPOINT,
            kind=JobKind.BASELINE,
            dataset=data.training,
            dataset_format=DatasetFormat.parse({"csv": {"header": True}}),
            start_time=data.calm_hour,
            end_time=data.shifted_hour,
            output_dir=baseline_dir,
        )
    )
    records = [baseline]
    if baseline.status.exit_code != 0:
        return records
    for label, hour in (("calm", data.calm_hour), ("shifted", data.shifted_hour)):
        say(f"monitoring the {label} hour {format_timestamp(hour)}")
        records.append(
            runner.run(
                MonitoringJob(
                    image=image,
                    endpoint=ENDPOINT,
                    schedule="churn-demo-hourly",
                    capture_root=data.capture,
                    start_time=hour,
                    end_time=hour + timedelta(hours=1),
                    baseline_statistics=baseline_dir / "statistics.json",
                    baseline_constraints=baseline_dir / "constraints.json",
                    publish_metrics=True,
                    output_dir=output / label,
                )
            )
        )
    return records
