"""The SageMaker Model Monitor container contract as code, and the SDK for monitor authors.

Models for every file of the contract (environment, capture and ground-truth records,
statistics, constraints, violations, CloudWatch metrics, job config), their JSON Schemas,
and the small SDK a monitor uses: `MonitorContext` (configuration, capture records, outputs)
and the `monitor` entry-point wrapper.
"""

from __future__ import annotations

import typing

from contracts._lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
    from contracts._base import (
        ContractModel,
        Toggle,
        format_timestamp,
        parse_timestamp,
    )
    from contracts.capture import (
        CaptureData,
        CaptureRecord,
        Encoding,
        EventData,
        EventMetadata,
        PayloadError,
    )
    from contracts.capture_reader import (
        CaptureFile,
        CaptureReader,
        CaptureReadStats,
        ReadProblem,
        find_capture_files,
    )
    from contracts.clarify import (
        ClarifyAnalysis,
    )
    from contracts.constraints import (
        CategoricalDriftMethod,
        ComparisonMethod,
        DataQualityConstraints,
        DistributionConstraints,
        EffectiveMonitoringConfig,
        FeatureConstraints,
        MonitoringConfig,
        NumConstraints,
        StringConstraints,
    )
    from contracts.context import (
        MonitorContext,
    )
    from contracts.dataset_format import (
        DatasetFormat,
        DatasetKind,
    )
    from contracts.environment import (
        AnalysisType,
        MonitoringEnvironment,
        ProblemType,
    )
    from contracts.files import (
        read_model,
        write_json_atomic,
    )
    from contracts.ground_truth import (
        GroundTruthRecord,
    )
    from contracts.job_config import (
        ProcessingJobConfig,
        ResourceConfig,
    )
    from contracts.message import (
        COMPLETED_MESSAGE,
        truncate_message,
        violations_message,
    )
    from contracts.metrics import (
        CloudWatchMetric,
        Dimension,
        StatisticValues,
    )
    from contracts.metrics_writer import (
        MetricsWriter,
    )
    from contracts.model_quality import (
        ComparisonOperator,
        MetricConstraint,
        MetricValue,
        ModelQualityConstraints,
        ModelQualityStatistics,
    )
    from contracts.monitor import (
        MonitorStoppedError,
        monitor,
        run_monitor,
    )
    from contracts.paths import (
        ContainerPaths,
    )
    from contracts.schemas import (
        SCHEMA_MODELS,
        export_schemas,
        json_schema,
    )
    from contracts.statistics import (
        CategoricalBucket,
        CommonStatistics,
        DataQualityStatistics,
        DatasetSummary,
        FeatureStatistics,
        InferredType,
        KLLBucket,
        NumericalStatistics,
        StringStatistics,
    )
    from contracts.validation import (
        FileKind,
        FileReport,
        Problem,
        check_file,
        infer_kind,
    )
    from contracts.violations import (
        CheckType,
        ConstraintViolations,
        Violation,
    )

# Public name -> defining module. Modules load on first use (PEP 562).
_EXPORTS: dict[str, str] = {
    "AnalysisType": "contracts.environment",
    "COMPLETED_MESSAGE": "contracts.message",
    "CaptureData": "contracts.capture",
    "CaptureFile": "contracts.capture_reader",
    "CaptureReadStats": "contracts.capture_reader",
    "CaptureReader": "contracts.capture_reader",
    "CaptureRecord": "contracts.capture",
    "CategoricalBucket": "contracts.statistics",
    "CategoricalDriftMethod": "contracts.constraints",
    "CheckType": "contracts.violations",
    "ClarifyAnalysis": "contracts.clarify",
    "CloudWatchMetric": "contracts.metrics",
    "CommonStatistics": "contracts.statistics",
    "ComparisonMethod": "contracts.constraints",
    "ComparisonOperator": "contracts.model_quality",
    "ConstraintViolations": "contracts.violations",
    "ContainerPaths": "contracts.paths",
    "ContractModel": "contracts._base",
    "DataQualityConstraints": "contracts.constraints",
    "DataQualityStatistics": "contracts.statistics",
    "DatasetFormat": "contracts.dataset_format",
    "DatasetKind": "contracts.dataset_format",
    "DatasetSummary": "contracts.statistics",
    "Dimension": "contracts.metrics",
    "DistributionConstraints": "contracts.constraints",
    "EffectiveMonitoringConfig": "contracts.constraints",
    "Encoding": "contracts.capture",
    "EventData": "contracts.capture",
    "EventMetadata": "contracts.capture",
    "FeatureConstraints": "contracts.constraints",
    "FeatureStatistics": "contracts.statistics",
    "FileKind": "contracts.validation",
    "FileReport": "contracts.validation",
    "GroundTruthRecord": "contracts.ground_truth",
    "InferredType": "contracts.statistics",
    "KLLBucket": "contracts.statistics",
    "MetricConstraint": "contracts.model_quality",
    "MetricValue": "contracts.model_quality",
    "MetricsWriter": "contracts.metrics_writer",
    "ModelQualityConstraints": "contracts.model_quality",
    "ModelQualityStatistics": "contracts.model_quality",
    "MonitorContext": "contracts.context",
    "MonitorStoppedError": "contracts.monitor",
    "MonitoringConfig": "contracts.constraints",
    "MonitoringEnvironment": "contracts.environment",
    "NumConstraints": "contracts.constraints",
    "NumericalStatistics": "contracts.statistics",
    "PayloadError": "contracts.capture",
    "Problem": "contracts.validation",
    "ProblemType": "contracts.environment",
    "ProcessingJobConfig": "contracts.job_config",
    "ReadProblem": "contracts.capture_reader",
    "ResourceConfig": "contracts.job_config",
    "SCHEMA_MODELS": "contracts.schemas",
    "StatisticValues": "contracts.metrics",
    "StringConstraints": "contracts.constraints",
    "StringStatistics": "contracts.statistics",
    "Toggle": "contracts._base",
    "Violation": "contracts.violations",
    "check_file": "contracts.validation",
    "export_schemas": "contracts.schemas",
    "find_capture_files": "contracts.capture_reader",
    "format_timestamp": "contracts._base",
    "infer_kind": "contracts.validation",
    "json_schema": "contracts.schemas",
    "monitor": "contracts.monitor",
    "parse_timestamp": "contracts._base",
    "read_model": "contracts.files",
    "run_monitor": "contracts.monitor",
    "truncate_message": "contracts.message",
    "violations_message": "contracts.message",
    "write_json_atomic": "contracts.files",
}

__all__ = [
    "AnalysisType",
    "COMPLETED_MESSAGE",
    "CaptureData",
    "CaptureFile",
    "CaptureReadStats",
    "CaptureReader",
    "CaptureRecord",
    "CategoricalBucket",
    "CategoricalDriftMethod",
    "CheckType",
    "ClarifyAnalysis",
    "CloudWatchMetric",
    "CommonStatistics",
    "ComparisonMethod",
    "ComparisonOperator",
    "ConstraintViolations",
    "ContainerPaths",
    "ContractModel",
    "DataQualityConstraints",
    "DataQualityStatistics",
    "DatasetFormat",
    "DatasetKind",
    "DatasetSummary",
    "Dimension",
    "DistributionConstraints",
    "EffectiveMonitoringConfig",
    "Encoding",
    "EventData",
    "EventMetadata",
    "FeatureConstraints",
    "FeatureStatistics",
    "FileKind",
    "FileReport",
    "GroundTruthRecord",
    "InferredType",
    "KLLBucket",
    "MetricConstraint",
    "MetricValue",
    "MetricsWriter",
    "ModelQualityConstraints",
    "ModelQualityStatistics",
    "MonitorContext",
    "MonitorStoppedError",
    "MonitoringConfig",
    "MonitoringEnvironment",
    "NumConstraints",
    "NumericalStatistics",
    "PayloadError",
    "Problem",
    "ProblemType",
    "ProcessingJobConfig",
    "ReadProblem",
    "ResourceConfig",
    "SCHEMA_MODELS",
    "StatisticValues",
    "StringConstraints",
    "StringStatistics",
    "Toggle",
    "Violation",
    "check_file",
    "export_schemas",
    "find_capture_files",
    "format_timestamp",
    "infer_kind",
    "json_schema",
    "monitor",
    "parse_timestamp",
    "read_model",
    "run_monitor",
    "truncate_message",
    "violations_message",
    "write_json_atomic",
]


__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)
