"""`constraint_violations.json`: the violations a monitoring run found."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from contracts._base import ContractModel, Number


class CheckType(StrEnum):
    """Check types SageMaker's monitors write. Bring-your-own containers may use others."""

    DATA_TYPE = "data_type_check"
    COMPLETENESS = "completeness_check"
    BASELINE_DRIFT = "baseline_drift_check"
    MISSING_COLUMN = "missing_column_check"
    EXTRA_COLUMN = "extra_column_check"
    CATEGORICAL_VALUES = "categorical_values_check"
    LESS_THAN_THRESHOLD = "LessThanThreshold"
    GREATER_THAN_THRESHOLD = "GreaterThanThreshold"
    BIAS_DRIFT = "bias_drift_check"
    FEATURE_ATTRIBUTION_DRIFT = "feature_attribution_drift_check"


class Violation(ContractModel):
    """One violation.

    Data-quality violations name a `feature_name`; model-quality and Clarify ones a
    `metric_name`. `constraint_check_type` is one of `CheckType` for SageMaker's monitors and
    any non-empty name for custom checks.
    """

    feature_name: str | None = None
    metric_name: str | None = None
    constraint_check_type: str = Field(
        min_length=1,
        json_schema_extra={"examples": [member.value for member in CheckType]},
    )
    description: str

    @model_validator(mode="after")
    def _names_its_subject(self) -> Violation:
        if self.feature_name is None and self.metric_name is None:
            raise ValueError("a violation needs a feature_name or a metric_name")
        return self

    @property
    def is_custom(self) -> bool:
        """True when the check type is not one SageMaker's monitors write."""
        return self.constraint_check_type not in {member.value for member in CheckType}


class ConstraintViolations(ContractModel):
    """The whole violations file (written as `constraint_violations.json`)."""

    version: Number | str | None = None
    violations: list[Violation] = Field(default_factory=list)
