"""Model-quality `statistics.json` and `constraints.json` (regression and classification)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from contracts._base import ContractModel, Number
from contracts.statistics import DatasetSummary

PROBLEM_SECTIONS = ("regression", "binary_classification", "multiclass_classification")


class MetricValue(ContractModel):
    """A scalar metric; `standard_deviation` is "NaN" below 200 samples."""

    value: Number
    standard_deviation: Number | None = None


ConfusionMatrix = dict[str, dict[str, Number]]
"""Outer key: actual label; inner key: predicted label."""


class RocCurve(ContractModel):
    """Receiver operating characteristic curve points."""

    false_positive_rates: list[Number]
    true_positive_rates: list[Number]


class PrecisionRecallCurve(ContractModel):
    """Precision-recall curve points."""

    precisions: list[Number]
    recalls: list[Number]


class RegressionMetrics(ContractModel):
    """`regression_metrics`."""

    mae: MetricValue | None = None
    mse: MetricValue | None = None
    rmse: MetricValue | None = None
    r2: MetricValue | None = None


class BinaryClassificationMetrics(ContractModel):
    """`binary_classification_metrics`."""

    confusion_matrix: ConfusionMatrix | None = None
    recall: MetricValue | None = None
    precision: MetricValue | None = None
    accuracy: MetricValue | None = None
    recall_best_constant_classifier: MetricValue | None = None
    precision_best_constant_classifier: MetricValue | None = None
    accuracy_best_constant_classifier: MetricValue | None = None
    true_positive_rate: MetricValue | None = None
    true_negative_rate: MetricValue | None = None
    false_positive_rate: MetricValue | None = None
    false_negative_rate: MetricValue | None = None
    receiver_operating_characteristic_curve: RocCurve | None = None
    precision_recall_curve: PrecisionRecallCurve | None = None
    auc: MetricValue | None = None
    f0_5: MetricValue | None = None
    f1: MetricValue | None = None
    f2: MetricValue | None = None
    f0_5_best_constant_classifier: MetricValue | None = None
    f1_best_constant_classifier: MetricValue | None = None
    f2_best_constant_classifier: MetricValue | None = None


class MulticlassClassificationMetrics(ContractModel):
    """`multiclass_classification_metrics`."""

    confusion_matrix: ConfusionMatrix | None = None
    accuracy: MetricValue | None = None
    weighted_recall: MetricValue | None = None
    weighted_precision: MetricValue | None = None
    weighted_f0_5: MetricValue | None = None
    weighted_f1: MetricValue | None = None
    weighted_f2: MetricValue | None = None
    accuracy_best_constant_classifier: MetricValue | None = None
    weighted_recall_best_constant_classifier: MetricValue | None = None
    weighted_precision_best_constant_classifier: MetricValue | None = None
    weighted_f0_5_best_constant_classifier: MetricValue | None = None
    weighted_f1_best_constant_classifier: MetricValue | None = None
    weighted_f2_best_constant_classifier: MetricValue | None = None


class ModelQualityStatistics(ContractModel):
    """Model-quality `statistics.json`: exactly one `<problem>_metrics` block."""

    version: Number | None = None
    dataset: DatasetSummary | None = None
    regression_metrics: RegressionMetrics | None = None
    binary_classification_metrics: BinaryClassificationMetrics | None = None
    multiclass_classification_metrics: MulticlassClassificationMetrics | None = None

    @model_validator(mode="after")
    def _one_problem(self) -> ModelQualityStatistics:
        blocks = [
            self.regression_metrics,
            self.binary_classification_metrics,
            self.multiclass_classification_metrics,
        ]
        if sum(block is not None for block in blocks) != 1:
            raise ValueError(
                "model-quality statistics need exactly one of regression_metrics, "
                "binary_classification_metrics, multiclass_classification_metrics"
            )
        return self


class ComparisonOperator(StrEnum):
    """How a metric is compared with its threshold; a violation when `value <op> threshold`."""

    LESS_THAN = "LessThanThreshold"
    GREATER_THAN = "GreaterThanThreshold"
    LESS_THAN_OR_EQUAL = "LessThanOrEqualToThreshold"
    GREATER_THAN_OR_EQUAL = "GreaterThanOrEqualToThreshold"

    def violated(self, value: float, threshold: float) -> bool:
        """True when `value` breaks the constraint."""
        return {
            ComparisonOperator.LESS_THAN: value < threshold,
            ComparisonOperator.GREATER_THAN: value > threshold,
            ComparisonOperator.LESS_THAN_OR_EQUAL: value <= threshold,
            ComparisonOperator.GREATER_THAN_OR_EQUAL: value >= threshold,
        }[self]


class MetricConstraint(ContractModel):
    """A threshold on one metric."""

    threshold: Number
    comparison_operator: ComparisonOperator


class ModelQualityConstraints(ContractModel):
    """Model-quality `constraints.json`: exactly one `<problem>_constraints` block."""

    version: Number = 0.0
    regression_constraints: dict[str, MetricConstraint] | None = None
    binary_classification_constraints: dict[str, MetricConstraint] | None = None
    multiclass_classification_constraints: dict[str, MetricConstraint] | None = Field(default=None)

    @model_validator(mode="after")
    def _one_problem(self) -> ModelQualityConstraints:
        blocks = [
            self.regression_constraints,
            self.binary_classification_constraints,
            self.multiclass_classification_constraints,
        ]
        if sum(block is not None for block in blocks) != 1:
            raise ValueError(
                "model-quality constraints need exactly one of regression_constraints, "
                "binary_classification_constraints, multiclass_classification_constraints"
            )
        return self
