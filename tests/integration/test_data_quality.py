"""The data-quality image through the runtime: `watchkeeper baseline` and `watchkeeper run`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from contracts import CaptureRecord, check_file
from runtime.docker_backend import DockerEngine
from runtime.execution import ExecutionRecord, ExecutionStatus
from runtime.images import build_images
from tests.conftest import SAMPLES
from tests.integration.conftest import CliRun, record_of

WINDOW = ["--start", "2024-05-01T10:00:00Z", "--end", "2024-05-01T11:00:00Z"]


@pytest.fixture(scope="module")
def data_quality_image(engine: DockerEngine) -> str:
    (result,) = build_images(["data-quality"])
    return result.tag


def write_capture(root: Path, payloads: list[tuple[str, str]], endpoint: str = "churn") -> Path:
    folder = root / endpoint / "AllTraffic/2024/05/01/10"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "capture.jsonl").open("w") as stream:
        for index, (output, inputs) in enumerate(payloads):
            moment = datetime(2024, 5, 1, 10, index % 60, tzinfo=UTC)
            stream.write(CaptureRecord.from_csv(inputs, output, inference_time=moment).to_line())
            stream.write("\n")
    return root


def test_baseline_then_monitor_through_the_cli(
    cli: CliRun, data_quality_image: str, tmp_path: Path
) -> None:
    dataset = SAMPLES / "examples" / "data_quality__training-dataset-with-header.head51.csv"
    baseline = tmp_path / "baseline"
    result = cli("baseline", "--dataset", str(dataset), "--output", str(baseline), "--json")
    assert result.returncode == 0, result.stderr
    record = record_of(result)
    assert record.kind == "baseline"
    assert record.status is ExecutionStatus.COMPLETED
    assert sorted(path.name for path in baseline.iterdir()) == [
        "constraints.json",
        "statistics.json",
    ]
    checked = cli("contract", "check", *(str(path) for path in baseline.iterdir()))
    assert checked.returncode == 0, checked.stdout
    rows = (SAMPLES / "examples" / "data_quality__test_sample.head20.csv").read_text().splitlines()
    capture = write_capture(tmp_path / "capture", [("0", row) for row in rows])
    result = cli(
        "run", "--monitor", "data-quality", "--endpoint", "churn", "--capture", str(capture),
        *WINDOW, "--baseline-statistics", str(baseline / "statistics.json"),
        "--baseline-constraints", str(baseline / "constraints.json"), "--publish-metrics",
        "--json",
    )  # fmt: skip
    record = record_of(result)
    assert result.returncode == 3, result.stderr
    assert record.status is ExecutionStatus.COMPLETED_WITH_VIOLATIONS
    assert record.image == data_quality_image
    assert all(output.valid is not False for output in record.outputs)
    names = {output.name for output in record.outputs}
    assert "reports/statistics.json" in names
    assert "ml-output/metrics/cloudwatch/cloudwatch_metrics.jsonl" in names


@pytest.mark.parametrize(
    ("constraints", "exit_code"),
    [
        ("data_quality__bad_cases__constraints.json", 3),
        ("data_quality__good_cases__constraints.json", 0),
    ],
    ids=["bad-cases", "good-cases"],
)
def test_sample_baseline_verdicts_through_the_runtime(
    cli: CliRun, data_quality_image: str, tmp_path: Path, constraints: str, exit_code: int
) -> None:
    statistics = json.loads((SAMPLES / "sdk" / "data_quality__statistics.json").read_text())
    rng = np.random.default_rng(3)
    columns = [
        rng.choice(
            [
                v
                for level in f["numerical_statistics"]["distribution"]["kll"]["sketch"]["data"]
                for v in level
            ],
            300,
        )
        for f in statistics["features"]
    ]
    payloads = [
        (repr(float(columns[0][i])), ",".join(repr(float(c[i])) for c in columns[1:]))
        for i in range(300)
    ]
    capture = write_capture(tmp_path / "capture", payloads, endpoint="ep")
    result = cli(
        "run", "--monitor", "data-quality", "--endpoint", "ep", "--capture", str(capture), *WINDOW,
        "--baseline-statistics", str(SAMPLES / "sdk" / "data_quality__statistics.json"),
        "--baseline-constraints", str(SAMPLES / "sdk" / constraints), "--json",
    )  # fmt: skip
    assert result.returncode == exit_code, result.stderr
    record = record_of(result)
    report = json.loads((Path(record.reports_path) / "constraint_violations.json").read_text())
    expected = [("_c5", "data_type_check")] if exit_code == 3 else []
    assert [
        (v["feature_name"], v["constraint_check_type"]) for v in report["violations"]
    ] == expected


def _peak_mib(record: ExecutionRecord) -> float:
    log = Path(record.log_path).read_text()
    match = re.search(r"peak memory: ([0-9.]+) MiB", log)
    assert match, log
    return float(match.group(1))


def _wide_capture(root: Path, rows: int) -> Path:
    rng = np.random.default_rng(rows)
    numbers = rng.normal(size=(rows, 20)).round(4).astype(str)
    categories = rng.choice(["a", "b", "c", "d", "e"], size=(rows, 4))
    scores = rng.random(rows).round(4).astype(str)
    table = np.concatenate([numbers, categories], axis=1)
    lines = [",".join(row) for row in table.tolist()]
    return write_capture(root, list(zip(scores.tolist(), lines, strict=True)), endpoint="wide")


def test_memory_does_not_grow_with_the_row_count(
    cli: CliRun, data_quality_image: str, tmp_path: Path
) -> None:
    peaks = {}
    for rows in (20_000, 200_000):
        capture = _wide_capture(tmp_path / f"capture-{rows}", rows)
        folder = capture / "wide/AllTraffic/2024/05/01/10"
        baseline = tmp_path / f"baseline-{rows}"
        dataset = tmp_path / f"train-{rows}.csv"
        with dataset.open("w") as stream:
            stream.write(",".join(f"f{i}" for i in range(25)) + "\n")
            for line in (folder / "capture.jsonl").read_text().splitlines()[:5000]:
                record = json.loads(line)["captureData"]
                stream.write(
                    record["endpointOutput"]["data"] + "," + record["endpointInput"]["data"] + "\n"
                )
        assert cli("baseline", "--dataset", str(dataset), "--output", str(baseline)).returncode == 0
        result = cli(
            "run", "--monitor", "data-quality", "--endpoint", "wide", "--capture", str(capture),
            *WINDOW, "--baseline-statistics", str(baseline / "statistics.json"),
            "--baseline-constraints", str(baseline / "constraints.json"), "--json",
        )  # fmt: skip
        record = record_of(result)
        assert record.status is ExecutionStatus.COMPLETED, record.message
        statistics = json.loads((Path(record.reports_path) / "statistics.json").read_text())
        assert statistics["dataset"]["item_count"] == rows
        assert check_file(Path(record.reports_path) / "statistics.json").valid
        peaks[rows] = _peak_mib(record)
    assert peaks[200_000] < 300
    assert peaks[200_000] < peaks[20_000] * 1.25 + 16, peaks
