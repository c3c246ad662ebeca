"""JSON Schemas of the contract, generated from the models (the single source of truth)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from contracts.capture import CaptureRecord
from contracts.clarify import ClarifyAnalysis
from contracts.constraints import DataQualityConstraints
from contracts.dataset_format import DatasetFormat
from contracts.environment import MonitoringEnvironment
from contracts.ground_truth import GroundTruthRecord
from contracts.job_config import ProcessingJobConfig, ResourceConfig
from contracts.metrics import CloudWatchMetric
from contracts.model_quality import ModelQualityConstraints, ModelQualityStatistics
from contracts.statistics import DataQualityStatistics
from contracts.violations import ConstraintViolations

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "analysis": ClarifyAnalysis,
    "capture": CaptureRecord,
    "constraints": DataQualityConstraints,
    "dataset-format": DatasetFormat,
    "environment": MonitoringEnvironment,
    "ground-truth": GroundTruthRecord,
    "metrics": CloudWatchMetric,
    "model-quality-constraints": ModelQualityConstraints,
    "model-quality-statistics": ModelQualityStatistics,
    "processing-job-config": ProcessingJobConfig,
    "resource-config": ResourceConfig,
    "statistics": DataQualityStatistics,
    "violations": ConstraintViolations,
}
"""Schema name → model. JSON Lines kinds (capture, ground truth, metrics) describe one line."""

SCHEMA_DIRECTORY = Path(__file__).parent / "schemas"


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one contract file (or one line of a JSON Lines file)."""
    try:
        model = SCHEMA_MODELS[name]
    except KeyError:
        known = ", ".join(sorted(SCHEMA_MODELS))
        raise KeyError(f"unknown schema {name!r}; known: {known}") from None
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://watchkeeper.dev/schemas/{name}.schema.json"
    return schema


def render_schema(name: str) -> str:
    """The schema as the committed file holds it."""
    return json.dumps(json_schema(name), indent=2, sort_keys=True) + "\n"


def export_schemas(directory: Path = SCHEMA_DIRECTORY) -> list[Path]:
    """Write every schema to `<directory>/<name>.schema.json`; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(SCHEMA_MODELS):
        path = directory / f"{name}.schema.json"
        path.write_text(render_schema(name), encoding="utf-8")
        written.append(path)
    return written
