"""`constraints.json` of data-quality jobs, with the analyzer's defaults and overrides."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from contracts._base import ContractModel, FlexBool, Number, Toggle, ToggleField
from contracts.statistics import InferredType


class ComparisonMethod(StrEnum):
    """Numeric drift distance: plain L∞ (`Simple`) or the small-sample corrected one (`Robust`)."""

    SIMPLE = "Simple"
    ROBUST = "Robust"

    @classmethod
    def _missing_(cls, value: object) -> ComparisonMethod | None:
        text = str(value).strip().lower().removeprefix("linf_")
        return next((member for member in cls if member.value.lower() == text), None)


class CategoricalDriftMethod(StrEnum):
    """Categorical drift distance."""

    L_INFINITY = "LInfinity"
    CHI_SQUARED = "ChiSquared"

    @classmethod
    def _missing_(cls, value: object) -> CategoricalDriftMethod | None:
        text = str(value).strip().lower().replace("_", "").replace("-", "")
        return next((member for member in cls if member.value.lower() == text), None)


class DistributionConstraints(ContractModel):
    """`monitoring_config.distribution_constraints`."""

    perform_comparison: ToggleField | None = None
    comparison_threshold: Number | None = None
    comparison_method: ComparisonMethod | None = None
    categorical_comparison_threshold: Number | None = None
    categorical_drift_method: CategoricalDriftMethod | None = None


class MonitoringConfig(ContractModel):
    """`monitoring_config`, and the per-feature overrides, which take the same keys."""

    evaluate_constraints: ToggleField | None = None
    emit_metrics: ToggleField | None = None
    datatype_check_threshold: Number | None = None
    domain_content_threshold: Number | None = None
    distribution_constraints: DistributionConstraints | None = None


@dataclass(frozen=True)
class EffectiveMonitoringConfig:
    """Monitoring settings with every default applied, for one feature or the whole dataset.

    Defaults are the built-in analyzer's (reference quirks 4-6): both type and domain
    thresholds 1.0 (the minimum fraction of values that must match), drift threshold 0.1 with
    the `Robust` method, categorical threshold 0.1 with `LInfinity`.
    """

    evaluate_constraints: bool = True
    emit_metrics: bool = True
    datatype_check_threshold: float = 1.0
    domain_content_threshold: float = 1.0
    perform_comparison: bool = True
    comparison_threshold: float = 0.1
    comparison_method: ComparisonMethod = ComparisonMethod.ROBUST
    categorical_comparison_threshold: float = 0.1
    categorical_drift_method: CategoricalDriftMethod = CategoricalDriftMethod.L_INFINITY

    def apply(self, config: MonitoringConfig | None) -> EffectiveMonitoringConfig:
        """These settings with the keys that `config` sets replaced."""
        if config is None:
            return self
        values: dict[str, Any] = {}
        for key in ("evaluate_constraints", "emit_metrics"):
            toggle = getattr(config, key)
            if toggle is not None:
                values[key] = toggle is Toggle.ENABLED
        for key in ("datatype_check_threshold", "domain_content_threshold"):
            if getattr(config, key) is not None:
                values[key] = getattr(config, key)
        values |= _distribution_values(config.distribution_constraints)
        return replace(self, **values)


def _distribution_values(block: DistributionConstraints | None) -> dict[str, Any]:
    if block is None:
        return {}
    values: dict[str, Any] = {}
    if block.perform_comparison is not None:
        values["perform_comparison"] = block.perform_comparison is Toggle.ENABLED
    enable = (block.model_extra or {}).get("enable_comparisons")
    if block.perform_comparison is None and isinstance(enable, bool):
        values["perform_comparison"] = enable
    for key in (
        "comparison_threshold",
        "comparison_method",
        "categorical_comparison_threshold",
        "categorical_drift_method",
    ):
        if getattr(block, key) is not None:
            values[key] = getattr(block, key)
    return values


class NumConstraints(ContractModel):
    """Constraints of a numeric feature."""

    is_non_negative: FlexBool | None = None


class StringConstraints(ContractModel):
    """Constraints of a string feature; overrides may also live here (SDK spelling)."""

    domains: list[str] | None = None
    monitoring_config_overrides: MonitoringConfig | None = None


def _overrides_alias(data: Any) -> Any:
    if isinstance(data, dict) and "monitoring_config_overrides" in data:
        data = dict(data)
        data.setdefault("monitoringConfigOverrides", data.pop("monitoring_config_overrides"))
    return data


class FeatureConstraints(ContractModel):
    """Constraints of one feature."""

    name: str
    inferred_type: InferredType
    completeness: Number | None = Field(default=None, ge=0.0, le=1.0)
    num_constraints: NumConstraints | None = None
    string_constraints: StringConstraints | None = None
    monitoring_config_overrides: MonitoringConfig | None = Field(
        default=None, alias="monitoringConfigOverrides"
    )

    @model_validator(mode="before")
    @classmethod
    def _accept_snake_case_overrides(cls, data: Any) -> Any:
        return _overrides_alias(data)

    def effective_config(self, dataset: EffectiveMonitoringConfig) -> EffectiveMonitoringConfig:
        """The dataset settings with this feature's overrides (both places they occur) applied."""
        config = dataset.apply(self.monitoring_config_overrides)
        if self.string_constraints is not None:
            config = config.apply(self.string_constraints.monitoring_config_overrides)
        return config


class DataQualityConstraints(ContractModel):
    """`constraints.json` of a data-quality job."""

    version: Number = 0.0
    features: list[FeatureConstraints]
    monitoring_config: MonitoringConfig | None = None

    def effective_config(self) -> EffectiveMonitoringConfig:
        """Dataset-level settings with the analyzer's defaults filled in."""
        return EffectiveMonitoringConfig().apply(self.monitoring_config)

    def feature(self, name: str) -> FeatureConstraints | None:
        """The constraints of one feature, or None."""
        return next((feature for feature in self.features if feature.name == name), None)
