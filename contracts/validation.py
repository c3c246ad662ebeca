"""Checks files against the contract and reports each problem with its JSON path."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from contracts.capture import CaptureRecord
from contracts.clarify import ClarifyAnalysis
from contracts.constraints import DataQualityConstraints
from contracts.ground_truth import GroundTruthRecord
from contracts.metrics import CloudWatchMetric
from contracts.model_quality import (
    PROBLEM_SECTIONS,
    ModelQualityConstraints,
    ModelQualityStatistics,
)
from contracts.statistics import DataQualityStatistics
from contracts.violations import ConstraintViolations


class FileKind(StrEnum):
    """The kinds of file the contract defines."""

    STATISTICS = "statistics"
    CONSTRAINTS = "constraints"
    VIOLATIONS = "violations"
    CAPTURE = "capture"
    GROUND_TRUTH = "ground-truth"
    METRICS = "metrics"
    ANALYSIS = "analysis"
    DATASET = "dataset"


LINE_MODELS: dict[FileKind, type[BaseModel]] = {
    FileKind.CAPTURE: CaptureRecord,
    FileKind.GROUND_TRUTH: GroundTruthRecord,
    FileKind.METRICS: CloudWatchMetric,
}

_NAME_HINTS: tuple[tuple[str, FileKind], ...] = (
    ("violation", FileKind.VIOLATIONS),
    ("constraint", FileKind.CONSTRAINTS),
    ("statistic", FileKind.STATISTICS),
    ("analysis", FileKind.ANALYSIS),
    ("clarify", FileKind.ANALYSIS),
    ("ground_truth", FileKind.GROUND_TRUTH),
    ("ground-truth", FileKind.GROUND_TRUTH),
    ("groundtruth", FileKind.GROUND_TRUTH),
    ("actual", FileKind.GROUND_TRUTH),
    ("metric", FileKind.METRICS),
    ("captur", FileKind.CAPTURE),
)

_TYPE_NAMES = {"float", "int", "str", "bool", "list", "dict", "none", "is-instance"}


@dataclass(frozen=True)
class Problem:
    """One reason a file is invalid: where (a JSON path, with a line for JSON Lines) and why."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class FileReport:
    """The outcome of checking one file."""

    path: str
    kind: FileKind | None
    problems: list[Problem] = field(default_factory=list)
    model: str | None = None
    records: int | None = None

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems and self.kind is not None

    def to_json_dict(self) -> dict[str, Any]:
        """A machine-readable form for `--json`."""
        return {
            "path": self.path,
            "kind": self.kind.value if self.kind else None,
            "model": self.model,
            "valid": self.valid,
            "records": self.records,
            "problems": [{"location": p.location, "message": p.message} for p in self.problems],
        }


def infer_kind(path: Path, document: Any = None) -> FileKind | None:
    """Guess a file's kind from its name, then (for JSON documents) from its keys."""
    name = path.name.lower()
    if name.endswith((".csv", ".parquet")):
        return FileKind.DATASET
    for hint, kind in _NAME_HINTS:
        if hint in name:
            return kind
    return _kind_from_content(document) if isinstance(document, dict) else None


_CONTENT_HINTS: tuple[tuple[frozenset[str], FileKind], ...] = (
    (frozenset({"violations"}), FileKind.VIOLATIONS),
    (frozenset({"captureData"}), FileKind.CAPTURE),
    (frozenset({"groundTruthData"}), FileKind.GROUND_TRUTH),
    (frozenset({"MetricName"}), FileKind.METRICS),
    (
        frozenset({"pre_training_bias_metrics", "post_training_bias_metrics", "explanations"}),
        FileKind.ANALYSIS,
    ),
    (frozenset({"monitoring_config"}), FileKind.CONSTRAINTS),
    (frozenset({"features"}), FileKind.STATISTICS),
)


def _kind_from_content(document: dict[str, Any]) -> FileKind | None:
    keys = set(document)
    for hints, kind in _CONTENT_HINTS:
        if keys & hints:
            return kind
    if any(key.endswith("_constraints") for key in keys):
        return FileKind.CONSTRAINTS
    if any(key.endswith("_metrics") for key in keys):
        return FileKind.STATISTICS
    return None


def document_model(kind: FileKind, document: Any) -> type[BaseModel]:
    """The model that validates a JSON document of `kind` (data vs model quality by content)."""
    has_problem_block = isinstance(document, dict) and any(
        f"{section}_{suffix}" in document
        for section in PROBLEM_SECTIONS
        for suffix in ("metrics", "constraints")
    )
    models: dict[FileKind, type[BaseModel]] = {
        FileKind.STATISTICS: ModelQualityStatistics if has_problem_block else DataQualityStatistics,
        FileKind.CONSTRAINTS: (
            ModelQualityConstraints if has_problem_block else DataQualityConstraints
        ),
        FileKind.VIOLATIONS: ConstraintViolations,
        FileKind.ANALYSIS: ClarifyAnalysis,
    }
    return models[kind]


def json_path(location: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as a JSON path such as `$.features[0].name`."""
    path = "$"
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in _TYPE_NAMES or "[" in part or "(" in part:
            continue
        else:
            path += f".{part}"
    return path


def validation_problems(error: ValidationError, prefix: str = "") -> list[Problem]:
    """One problem per distinct pydantic error, located by JSON path."""
    seen: set[tuple[str, str]] = set()
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        location = prefix + json_path(tuple(item["loc"]))
        message = item["msg"].removeprefix("Value error, ")
        if (location, message) not in seen:
            seen.add((location, message))
            problems.append(Problem(location, message))
    return problems


def check_file(path: Path, kind: FileKind | None = None) -> FileReport:
    """Validate one file against the contract; never raises for bad content."""
    report = FileReport(str(path), kind)
    try:
        payload = path.read_bytes()
    except OSError as error:
        report.problems.append(Problem("$", f"cannot read the file: {error.strerror or error}"))
        return report
    if report.kind is None:
        is_table = path.suffix.lower() in {".csv", ".parquet"}
        report.kind = infer_kind(path, None if is_table else _maybe_json(payload))
    if report.kind is None:
        report.problems.append(Problem("$", "cannot tell the file's kind; pass --kind"))
    elif report.kind is FileKind.DATASET:
        _check_dataset(path, payload, report)
    elif report.kind in LINE_MODELS:
        _check_lines(payload, LINE_MODELS[report.kind], report)
    else:
        _check_document(payload, report.kind, report)
    return report


def _maybe_json(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        first = payload.split(b"\n", 1)[0]
        try:
            return json.loads(first)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None


def _parse_json(payload: bytes, location: str) -> tuple[Any, Problem | None]:
    try:
        return json.loads(payload.decode("utf-8")), None
    except UnicodeDecodeError as error:
        return None, Problem(location, f"not UTF-8 text ({error.reason} at byte {error.start})")
    except json.JSONDecodeError as error:
        detail = f"{error.msg} (line {error.lineno}, column {error.colno})"
        return None, Problem(location, f"invalid JSON: {detail}")


def _check_document(payload: bytes, kind: FileKind, report: FileReport) -> None:
    document, problem = _parse_json(payload, "$")
    if problem is not None:
        report.problems.append(problem)
        return
    model = document_model(kind, document)
    report.model = model.__name__
    try:
        model.model_validate(document, context={"decode_payloads": True})
    except ValidationError as error:
        report.problems.extend(validation_problems(error))


def _lines(payload: bytes) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(payload.split(b"\n"), start=1):
        if line.strip():
            yield number, line


def _check_lines(payload: bytes, model: type[BaseModel], report: FileReport) -> None:
    report.model = model.__name__
    report.records = 0
    for number, line in _lines(payload):
        prefix = f"line {number}: "
        document, problem = _parse_json(line, prefix + "$")
        if problem is None:
            try:
                model.model_validate(document, context={"decode_payloads": True})
                report.records += 1
                continue
            except ValidationError as error:
                report.problems.extend(validation_problems(error, prefix))
                continue
        report.problems.append(problem)


def _check_dataset(path: Path, payload: bytes, report: FileReport) -> None:
    name = path.name.lower()
    if name.endswith(".parquet"):
        report.model = "parquet"
        if not (payload.startswith(b"PAR1") and payload.endswith(b"PAR1")):
            report.problems.append(Problem("$", "not a Parquet file (missing PAR1 magic)"))
        return
    report.model = "csv"
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        report.problems.append(Problem("$", f"not UTF-8 text ({error.reason})"))
        return
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    report.records = len(rows)
    width = len(rows[0]) if rows else 0
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            report.problems.append(
                Problem(f"row {number}", f"has {len(row)} fields, the first row has {width}")
            )
