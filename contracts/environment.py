"""The job's environment variables (reference table 1.2.1), with the config-file fallback."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, overload

from pydantic import BeforeValidator, Field

from contracts._base import ContractModel, Timestamp, Toggle, ToggleField
from contracts.dataset_format import DatasetFormat
from contracts.paths import DEFAULT_DATASET_SOURCE, DEFAULT_OUTPUT_PATH, METRICS_DIR


class AnalysisType(StrEnum):
    """`analysis_type`: absent means data quality."""

    DATA_QUALITY = "DATA_QUALITY"
    MODEL_QUALITY = "MODEL_QUALITY"

    @classmethod
    def _missing_(cls, value: object) -> AnalysisType | None:
        text = str(value).strip().upper().replace("-", "_")
        return next((member for member in cls if member.value == text), None)


class ProblemType(StrEnum):
    """`problem_type` of a model-quality job."""

    REGRESSION = "Regression"
    BINARY_CLASSIFICATION = "BinaryClassification"
    MULTICLASS_CLASSIFICATION = "MulticlassClassification"

    @classmethod
    def _missing_(cls, value: object) -> ProblemType | None:
        text = str(value).strip().lower().replace("_", "")
        return next((member for member in cls if member.value.lower() == text), None)


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _dataset_format(value: object) -> object:
    value = _blank_to_none(value)
    if isinstance(value, str | dict):
        return DatasetFormat.parse(value)
    return value


OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none)]

KNOWN_VARIABLES: tuple[str, ...] = (
    "dataset_format",
    "dataset_source",
    "output_path",
    "publish_cloudwatch_metrics",
    "sagemaker_endpoint_name",
    "sagemaker_monitoring_schedule_name",
    "sagemaker_endpoint_datacapture_prefix",
    "start_time",
    "end_time",
    "metric_time",
    "baseline_constraints",
    "baseline_statistics",
    "analysis_type",
    "problem_type",
    "inference_attribute",
    "probability_attribute",
    "probability_threshold_attribute",
    "ground_truth_attribute",
    "record_preprocessor_script",
    "post_analytics_processor_script",
    "categorical_drift_method",
    "ground_truth_source",
    "CLOUDWATCH_METRICS_DIRECTORY",
    "positive_label",
    "exclude_features_attribute",
    "monitoring_input_type",
    "report_enabled",
    "automl_problem_name",
    "detect_outliers",
    "detect_drift",
    "image_data",
)
"""Every variable of the reference's table 1.2.1, spelled as the platform sets it."""


class MonitoringEnvironment(ContractModel):
    """The monitor's configuration as the platform passes it.

    Values come from `os.environ` first and fall back to `Environment` in
    `/opt/ml/config/processingjobconfig.json`. Keys that are not part of the contract are
    user keys: they are kept (see `user_keys`) and passed through untouched.
    """

    dataset_format: Annotated[DatasetFormat | None, BeforeValidator(_dataset_format)] = None
    dataset_source: str = str(DEFAULT_DATASET_SOURCE)
    output_path: str = str(DEFAULT_OUTPUT_PATH)
    publish_cloudwatch_metrics: ToggleField = Toggle.DISABLED
    sagemaker_endpoint_name: OptionalText = None
    sagemaker_monitoring_schedule_name: OptionalText = None
    sagemaker_endpoint_datacapture_prefix: OptionalText = None
    start_time: Annotated[Timestamp | None, BeforeValidator(_blank_to_none)] = None
    end_time: Annotated[Timestamp | None, BeforeValidator(_blank_to_none)] = None
    metric_time: Annotated[Timestamp | None, BeforeValidator(_blank_to_none)] = None
    baseline_constraints: OptionalText = None
    baseline_statistics: OptionalText = None
    analysis_type: Annotated[AnalysisType | None, BeforeValidator(_blank_to_none)] = None
    problem_type: Annotated[ProblemType | None, BeforeValidator(_blank_to_none)] = None
    inference_attribute: OptionalText = None
    probability_attribute: OptionalText = None
    probability_threshold_attribute: Annotated[float | None, BeforeValidator(_blank_to_none)] = None
    ground_truth_attribute: OptionalText = None
    record_preprocessor_script: OptionalText = None
    post_analytics_processor_script: OptionalText = None
    categorical_drift_method: OptionalText = None
    ground_truth_source: OptionalText = None
    cloudwatch_metrics_directory: str = Field(
        default=str(METRICS_DIR), alias="CLOUDWATCH_METRICS_DIRECTORY"
    )
    positive_label: OptionalText = None
    exclude_features_attribute: OptionalText = None
    monitoring_input_type: OptionalText = None
    report_enabled: OptionalText = None
    automl_problem_name: OptionalText = None
    detect_outliers: OptionalText = None
    detect_drift: OptionalText = None
    image_data: OptionalText = None

    @classmethod
    def from_environ(
        cls,
        environ: Mapping[str, str] | None = None,
        config_file: Path | None = None,
    ) -> MonitoringEnvironment:
        """Read the environment, falling back to the config file's `Environment` map.

        Args:
            environ: the variables (default `os.environ`).
            config_file: `processingjobconfig.json`; a missing file means no fallback.
        """
        env = os.environ if environ is None else environ
        from_file = _config_file_environment(config_file)
        merged: dict[str, str] = dict(from_file)
        for key in KNOWN_VARIABLES:
            if key in env:
                merged[key] = env[key]
        for key in from_file:
            if key in env:
                merged[key] = env[key]
        return cls.model_validate(merged)

    @property
    def user_keys(self) -> dict[str, str]:
        """Keys the contract does not define, passed through from the job's environment."""
        extra = self.model_extra or {}
        return {key: str(value) for key, value in extra.items()}

    @overload
    def user(self, key: str) -> str | None: ...

    @overload
    def user(self, key: str, default: str) -> str: ...

    def user(self, key: str, default: str | None = None) -> str | None:
        """One user key, looked up in the job environment and then in `os.environ`."""
        return self.user_keys.get(key, os.environ.get(key, default))

    @property
    def is_baselining(self) -> bool:
        """True when no baseline is given: the job suggests one instead of checking against it."""
        return self.baseline_statistics is None and self.baseline_constraints is None

    @property
    def effective_analysis_type(self) -> AnalysisType:
        """`analysis_type`, defaulting to data quality as the analyzer does."""
        return self.analysis_type or AnalysisType.DATA_QUALITY

    def to_env(self) -> dict[str, str]:
        """The variables as a runtime sets them: strings only, absent values left out."""
        values = self.to_json_dict()
        env: dict[str, str] = {}
        for key, value in values.items():
            if key == "dataset_format" and self.dataset_format is not None:
                env[key] = self.dataset_format.to_env_value()
            elif isinstance(value, str):
                env[key] = value
            elif isinstance(value, dict | list):
                env[key] = json.dumps(value)
            else:
                env[key] = str(value)
        return env


def _config_file_environment(config_file: Path | None) -> dict[str, str]:
    if config_file is None or not config_file.is_file():
        return {}
    try:
        document = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read {config_file}: {error}") from None
    environment = document.get("Environment") if isinstance(document, dict) else None
    if not isinstance(environment, dict):
        return {}
    return {str(key): str(value) for key, value in environment.items()}
