"""Numeric core of the built-in data-quality monitor: readers, per-column profiles, sketches, drift.

Readers stream CSV, JSON Lines, Parquet and SageMaker capture files as Arrow batches; a
`DatasetProfile` turns them, in one pass and bounded memory, into per-feature statistics
(Deequ's type rules, moments, KLL sketches in SageMaker's representation, distinct counts and
frequencies); `numeric_distance` and `categorical_distance` compare a baseline with a run.
Results are plain objects: the `contracts` package writes the files.
"""

from tabular.capture import CaptureReader
from tabular.column import ColumnProfile, ProfileSettings
from tabular.dataset import DatasetProfile, RecordCounters
from tabular.datatype import DataType, TypeHistogram, classify
from tabular.distance import (
    CategoricalMethod,
    DriftResult,
    NumericMethod,
    categorical_distance,
    numeric_distance,
    robust_correction,
)
from tabular.distinct import DistinctCounter
from tabular.engine import InputFormat, make_reader, profile_files, profile_reader
from tabular.feature import (
    CategoricalBucket,
    FeatureStatistics,
    NumericStatistics,
    StringStatistics,
)
from tabular.frequency import FrequencySummary
from tabular.kll import KllBucket, KllSketch
from tabular.moments import Moments
from tabular.reader import CsvReader, FileRange, JsonLinesReader, ParquetReader, Reader

__all__ = [
    "CaptureReader",
    "CategoricalBucket",
    "CategoricalMethod",
    "ColumnProfile",
    "CsvReader",
    "DataType",
    "DatasetProfile",
    "DistinctCounter",
    "DriftResult",
    "FeatureStatistics",
    "FileRange",
    "FrequencySummary",
    "InputFormat",
    "JsonLinesReader",
    "KllBucket",
    "KllSketch",
    "Moments",
    "NumericMethod",
    "NumericStatistics",
    "ParquetReader",
    "ProfileSettings",
    "Reader",
    "RecordCounters",
    "StringStatistics",
    "TypeHistogram",
    "categorical_distance",
    "classify",
    "make_reader",
    "numeric_distance",
    "profile_files",
    "profile_reader",
    "robust_correction",
]
