"""The SageMaker Model Monitor container contract as code, and the SDK for monitor authors.

Models for every file of the contract (environment, capture and ground-truth records,
statistics, constraints, violations, CloudWatch metrics, job config), their JSON Schemas,
and the small SDK a monitor uses: `MonitorContext` (configuration, capture records, outputs)
and the `monitor` entry-point wrapper.
"""

from contracts._base import ContractModel, Toggle, format_timestamp, parse_timestamp
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
from contracts.clarify import ClarifyAnalysis
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
from contracts.context import MonitorContext
from contracts.dataset_format import DatasetFormat, DatasetKind
from contracts.environment import AnalysisType, MonitoringEnvironment, ProblemType
from contracts.files import read_model, write_json_atomic
from contracts.ground_truth import GroundTruthRecord
from contracts.job_config import ProcessingJobConfig, ResourceConfig
from contracts.message import COMPLETED_MESSAGE, truncate_message, violations_message
from contracts.metrics import CloudWatchMetric, Dimension, StatisticValues
from contracts.metrics_writer import MetricsWriter
from contracts.model_quality import (
    ComparisonOperator,
    MetricConstraint,
    MetricValue,
    ModelQualityConstraints,
    ModelQualityStatistics,
)
from contracts.monitor import MonitorStoppedError, monitor, run_monitor
from contracts.paths import ContainerPaths
from contracts.schemas import SCHEMA_MODELS, export_schemas, json_schema
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
from contracts.validation import FileKind, FileReport, Problem, check_file, infer_kind
from contracts.violations import CheckType, ConstraintViolations, Violation

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
