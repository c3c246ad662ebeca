"""Clarify `analysis.json` (bias and feature attribution), read liberally."""

from __future__ import annotations

from pydantic import Field, model_validator

from contracts._base import ContractModel, Number


class BiasMetric(ContractModel):
    """One bias metric value."""

    name: str
    description: str | None = None
    value: Number | None = None


class FacetValueMetrics(ContractModel):
    """Bias metrics for one value (or threshold) of a facet."""

    value_or_threshold: str
    metrics: list[BiasMetric]


class BiasMetrics(ContractModel):
    """Pre- or post-training bias metrics per facet."""

    label: str | None = None
    label_value_or_threshold: str | None = None
    facets: dict[str, list[FacetValueMetrics]]


class LabelExplanation(ContractModel):
    """Global SHAP values of one label."""

    global_shap_values: dict[str, Number]
    expected_value: Number | None = None


class Explanations(ContractModel):
    """The `explanations` block; `kernel_shap` maps label names to their SHAP values."""

    kernel_shap: dict[str, LabelExplanation] | None = None


class ClarifyAnalysis(ContractModel):
    """`analysis.json` of a Clarify bias or explainability job."""

    version: str | None = None
    pre_training_bias_metrics: BiasMetrics | None = None
    post_training_bias_metrics: BiasMetrics | None = None
    explanations: Explanations | None = Field(default=None)

    @model_validator(mode="after")
    def _has_results(self) -> ClarifyAnalysis:
        if not (
            self.pre_training_bias_metrics or self.post_training_bias_metrics or self.explanations
        ):
            raise ValueError(
                "analysis.json needs pre_training_bias_metrics, post_training_bias_metrics "
                "or explanations"
            )
        return self
