"""CloudWatch metric records: one JSON object per line under `/opt/ml/output/metrics/cloudwatch`."""

from __future__ import annotations

import math

from pydantic import Field, field_validator, model_validator

from contracts._base import ContractModel, Timestamp

DEFAULT_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
"""The namespace AWS's own notebooks read; the file itself carries none (quirk 3)."""


def _finite(value: float, name: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, CloudWatch rejects {value}")
    return value


class Dimension(ContractModel):
    """A metric dimension, e.g. `Endpoint` or `MonitoringSchedule`."""

    name: str = Field(alias="Name", min_length=1)
    value: str = Field(alias="Value")


class StatisticValues(ContractModel):
    """A pre-aggregated datum."""

    sample_count: float = Field(alias="SampleCount", ge=0)
    sum: float = Field(alias="Sum")
    minimum: float = Field(alias="Minimum")
    maximum: float = Field(alias="Maximum")

    @field_validator("sample_count", "sum", "minimum", "maximum")
    @classmethod
    def _is_finite(cls, value: float) -> float:
        return _finite(value, "a statistic value")


class CloudWatchMetric(ContractModel):
    """One metric datum, closely based on CloudWatch `PutMetricData`.

    Exactly one of `Value` and `StatisticValues` is set.
    """

    metric_name: str = Field(alias="MetricName", min_length=1)
    timestamp: Timestamp = Field(alias="Timestamp")
    dimensions: list[Dimension] = Field(default_factory=list, alias="Dimensions")
    value: float | None = Field(default=None, alias="Value")
    statistic_values: StatisticValues | None = Field(default=None, alias="StatisticValues")
    unit: str | None = Field(default=None, alias="Unit")

    @field_validator("value")
    @classmethod
    def _value_is_finite(cls, value: float | None) -> float | None:
        return None if value is None else _finite(value, "Value")

    @model_validator(mode="after")
    def _one_datum(self) -> CloudWatchMetric:
        if (self.value is None) == (self.statistic_values is None):
            raise ValueError("exactly one of Value and StatisticValues must be set")
        return self
