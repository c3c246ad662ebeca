"""Every SageMaker sample file is accepted and survives a read → write → read round trip."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from contracts import DataQualityStatistics, FileKind, check_file
from contracts.files import dump_json
from contracts.validation import LINE_MODELS, document_model
from runtime.cli import cli
from tests.conftest import SAMPLES, sample_files

JSON_SAMPLES = [path for path in sample_files() if path.suffix in {".json", ".jsonl"}]


def _ids(paths: list[Path]) -> list[str]:
    return [path.name for path in paths]


@pytest.mark.parametrize("sample", sample_files(), ids=_ids(sample_files()))
def test_sample_is_valid(samples_dir: Path, sample: Path) -> None:
    report = check_file(samples_dir / sample.relative_to(SAMPLES))
    assert report.valid, [str(problem) for problem in report.problems]


def test_cli_accepts_every_sample(samples_dir: Path) -> None:
    files = [str(path) for path in sorted(samples_dir.rglob("*")) if path.suffix != ".md"]
    files = [path for path in files if Path(path).is_file()]
    result = CliRunner().invoke(cli, ["contract", "check", "--json", *files])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["valid"] is True
    assert len(payload["files"]) == len(sample_files())


def _same(original: Any, written: Any, path: str = "$") -> list[str]:
    """Differences that lose information (numbers compare by value, keys must all survive)."""
    if isinstance(original, dict):
        if not isinstance(written, dict):
            return [f"{path}: object became {type(written).__name__}"]
        lost = [f"{path}.{key}: lost" for key in original if key not in written]
        shared = [key for key in original if key in written]
        return lost + [
            d for key in shared for d in _same(original[key], written[key], f"{path}.{key}")
        ]
    if isinstance(original, list):
        if not isinstance(written, list) or len(written) != len(original):
            return [f"{path}: list changed length"]
        return [
            d
            for i, (a, b) in enumerate(zip(original, written, strict=True))
            for d in _same(a, b, f"{path}[{i}]")
        ]
    if isinstance(original, int | float) and isinstance(written, int | float):
        return (
            []
            if math.isclose(original, written, rel_tol=0, abs_tol=0)
            else [f"{path}: {original} != {written}"]
        )
    if original != written and not (original == "NaN" and written == "NaN"):
        return [f"{path}: {original!r} became {written!r}"]
    return []


def _round_trip(document: Any, kind: FileKind) -> Any:
    model = LINE_MODELS.get(kind) or document_model(kind, document)
    first = model.model_validate(document)
    written = json.loads(dump_json(first.model_dump(mode="json", by_alias=True, exclude_none=True)))
    second = model.model_validate(written)
    assert second == first
    return written


@pytest.mark.parametrize("sample", JSON_SAMPLES, ids=_ids(JSON_SAMPLES))
def test_round_trip_loses_no_field(samples_dir: Path, sample: Path) -> None:
    path = samples_dir / sample.relative_to(SAMPLES)
    report = check_file(path)
    assert report.kind is not None
    if report.kind in LINE_MODELS:
        documents = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    else:
        documents = [json.loads(path.read_text())]
    for document in documents:
        written = _round_trip(document, report.kind)
        differences = _same(document, written)
        # Times are normalised to `...Z`; everything else must come back unchanged.
        differences = [d for d in differences if "inferenceTime" not in d]
        assert differences == []


def test_round_trip_normalises_only_the_time_format(samples_dir: Path) -> None:
    path = samples_dir / "sdk" / "monitor__capture.template.jsonl"
    document = json.loads(path.read_text().splitlines()[0])
    written = _round_trip(document, FileKind.CAPTURE)
    assert document["eventMetadata"]["inferenceTime"] == "2024-05-01T10:15:30.123456"
    assert written["eventMetadata"]["inferenceTime"] == "2024-05-01T10:15:30.123456Z"


def test_kll_sketch_reproduces_its_own_buckets() -> None:
    document = json.loads((SAMPLES / "sdk" / "data_quality__statistics.json").read_text())
    statistics = DataQualityStatistics.model_validate(document)
    assert len(statistics.features) == 6
    for feature in statistics.features:
        numbers = feature.numerical_statistics
        assert numbers is not None and numbers.distribution and numbers.distribution.kll
        kll = numbers.distribution.kll
        rebuilt = kll.sketch.materialize_buckets(numbers.min, numbers.max)
        assert [bucket.count for bucket in rebuilt] == [bucket.count for bucket in kll.buckets]
        assert [bucket.lower_bound for bucket in rebuilt] == pytest.approx(
            [bucket.lower_bound for bucket in kll.buckets]
        )
        items = [item for level in kll.sketch.data for item in level]
        assert sum(bucket.count for bucket in rebuilt) == numbers.common.num_present == len(items)
        mean = sum(items) / len(items)
        assert mean == pytest.approx(numbers.mean)
        assert sum(items) == pytest.approx(numbers.sum)
        variance = sum((item - mean) ** 2 for item in items) / len(items)
        assert math.sqrt(variance) == pytest.approx(numbers.std_dev)
