"""The built-in data-quality monitor: `python -m tabular.data_quality`.

Without baseline files it suggests a baseline (`statistics.json`, `constraints.json`) from
the dataset at `dataset_source`; with them it profiles the window's captured traffic, runs
the checks of `tabular.checks`, and writes `statistics.json`, `constraints.json`,
`constraint_violations.json`, CloudWatch metrics (when publishing is enabled) and the exit
message, as SageMaker's analyzer does.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from contracts import (
    CategoricalDriftMethod,
    DataQualityConstraints,
    DataQualityStatistics,
    DatasetFormat,
    DatasetKind,
    FeatureConstraints,
    FeatureStatistics,
    MonitorContext,
    StatisticValues,
    Violation,
    format_timestamp,
    monitor,
    violations_message,
)
from tabular.checks import CheckOutcome, evaluate
from tabular.dataset import DatasetProfile
from tabular.engine import InputFormat, profile_files
from tabular.hooks import HookError, InferenceRecord, Preprocessor, run_postprocessor
from tabular.memory import PeakMemory
from tabular.progress import Progress
from tabular.report import statistics_document
from tabular.suggest import default_monitoring_config, suggest_constraints

__all__ = ["baseline", "main", "monitor_window"]

log = logging.getLogger("watchkeeper.data_quality")

_FORMATS = {
    DatasetKind.CSV: InputFormat.CSV,
    DatasetKind.JSON: InputFormat.JSON_LINES,
    DatasetKind.PARQUET: InputFormat.PARQUET,
    DatasetKind.CAPTURE: InputFormat.CAPTURE,
    DatasetKind.MERGE: InputFormat.CAPTURE,
}


class NoDataError(Exception):
    """The dataset holds no records."""


def _dataset_files(root: Path) -> list[Path]:
    """Data files under `root` (a file is itself), skipping hidden and `_SUCCESS`-style files."""
    if root.is_file():
        return [root]
    return sorted(
        path for path in root.rglob("*") if path.is_file() and not path.name.startswith((".", "_"))
    )


def _capture_indexes(dataset_format: DatasetFormat) -> tuple[str, ...]:
    capture = dataset_format.capture
    wanted = set(capture.capture_index_names) if capture else set()
    return tuple(index for index in ("endpointOutput", "endpointInput") if index in wanted)


def _preprocessed(
    context: MonitorContext, preprocessor: Preprocessor, kind: DatasetKind, names: list[str]
) -> Iterator[pa.Table]:
    if kind in (DatasetKind.CAPTURE, DatasetKind.MERGE):
        records = (InferenceRecord(record) for record in context.capture_records())
        return preprocessor.tables(records, names)
    if kind is DatasetKind.PARQUET:
        raise ValueError("record_preprocessor_script does not apply to Parquet datasets")
    header = bool(context.environment.dataset_format and context.environment.dataset_format.csv)
    return preprocessor.tables(_lines(context, kind, header), names)


def _lines(context: MonitorContext, kind: DatasetKind, header: bool) -> Iterator[object]:
    for path in _dataset_files(context.dataset_source):
        with path.open(encoding="utf-8") as stream:
            for number, line in enumerate(stream):
                text = line.rstrip("\r\n")
                if not text or (header and number == 0):
                    continue
                yield json.loads(text) if kind is DatasetKind.JSON else text


def _profile_files(
    context: MonitorContext, dataset_format: DatasetFormat, names: list[str]
) -> DatasetProfile:
    input_format = _FORMATS[dataset_format.kind]
    if input_format is InputFormat.CAPTURE:
        files = [capture.path for capture in context.capture_files()]
    else:
        files = _dataset_files(context.dataset_source)
    size = sum(path.stat().st_size for path in files)
    log.info("profiling %d %s file(s), %.1f MiB", len(files), input_format.value, size / 2**20)
    csv = dataset_format.csv
    with Progress(size, log):
        return profile_files(
            input_format,
            files,
            header=bool(csv and csv.header),
            names=names,
            start=context.start_time,
            end=context.end_time,
            indexes=_capture_indexes(dataset_format) or ("endpointOutput", "endpointInput"),
        )


def _profile_preprocessed(
    context: MonitorContext, dataset_format: DatasetFormat, names: list[str], script: str
) -> DatasetProfile:
    preprocessor = Preprocessor(script)
    profile = DatasetProfile(names)
    profile.update_all(_preprocessed(context, preprocessor, dataset_format.kind, names))
    if context.capture_reader is not None:
        profile.counters.malformed += context.capture_reader.stats.malformed
    log.info("the preprocessor dropped %d records", preprocessor.dropped)
    return profile


def profile_dataset(context: MonitorContext, names: list[str]) -> DatasetProfile:
    """Profile the job's input (capture window or dataset) in one pass."""
    env = context.environment
    dataset_format = env.dataset_format or DatasetFormat.capture_json()
    started = time.perf_counter()
    if env.record_preprocessor_script:
        profile = _profile_preprocessed(
            context, dataset_format, names, env.record_preprocessor_script
        )
    else:
        profile = _profile_files(context, dataset_format, names)
    seconds = time.perf_counter() - started
    log.info(
        "profiled %d records x %d columns in %.1fs (%.0f records/s)",
        profile.item_count,
        len(profile.column_names),
        seconds,
        profile.item_count / seconds if seconds else 0.0,
    )
    return profile


def _report_problems(statistics: DataQualityStatistics) -> None:
    for feature in statistics.features:
        for error in feature.errors or []:
            log.warning("feature %s: %s (%s rows)", feature.name, error, feature.failed_rows)
    dataset = statistics.dataset
    log.info(
        "records: %d analysed, %s malformed, %s undecodable, %s outside the window, %s shadow",
        dataset.item_count,
        dataset.malformed_records,
        dataset.undecodable_records,
        dataset.records_outside_window,
        dataset.shadow_records,
    )


def baseline(context: MonitorContext) -> None:
    """Suggest `statistics.json` and `constraints.json` from the dataset."""
    profile = profile_dataset(context, [])
    if profile.item_count == 0:
        raise NoDataError(f"Job inputs had no data: no records under {context.dataset_source}")
    statistics = statistics_document(profile)
    _report_problems(statistics)
    method = context.environment.categorical_drift_method
    constraints = suggest_constraints(
        statistics, CategoricalDriftMethod(method) if method else CategoricalDriftMethod.L_INFINITY
    )
    context.write_statistics(statistics)
    context.write_constraints(constraints)


def _constraints(
    context: MonitorContext, statistics: DataQualityStatistics | None
) -> DataQualityConstraints:
    constraints = context.baseline_constraints()
    if constraints is not None:
        return constraints
    if statistics is None:
        raise ValueError("monitoring needs baseline_constraints or baseline_statistics")
    features = [
        FeatureConstraints(name=f.name, inferred_type=f.inferred_type) for f in statistics.features
    ]
    return DataQualityConstraints(features=features, monitoring_config=default_monitoring_config())


def emit_metrics(
    context: MonitorContext, statistics: DataQualityStatistics, constraints: DataQualityConstraints
) -> None:
    """`feature_data_*`, `feature_non_null_*` and `feature_baseline_drift_*` (reference 3.3)."""
    dataset_config = constraints.effective_config()
    for feature in statistics.features:
        constraint = constraints.feature(feature.name)
        config = constraint.effective_config(dataset_config) if constraint else dataset_config
        if config.emit_metrics:
            _feature_metrics(context, feature)


def _feature_metrics(context: MonitorContext, feature: FeatureStatistics) -> None:
    metrics, common = context.metrics, feature.common
    numbers = feature.numerical_statistics
    if numbers is not None and numbers.common.num_present > (numbers.num_non_finite or 0):
        counted = numbers.common.num_present - (numbers.num_non_finite or 0)
        datum = StatisticValues(
            sample_count=counted, sum=numbers.sum, minimum=numbers.min, maximum=numbers.max
        )
        metrics.emit(f"feature_data_{feature.name}", statistics=datum)
    if common is not None and common.num_present + common.num_missing:
        completeness = common.num_present / (common.num_present + common.num_missing)
        metrics.emit(f"feature_non_null_{feature.name}", completeness)
    drift = feature.baseline_drift
    if drift is not None and drift.value == drift.value:  # NaN when not computable
        metrics.emit(f"feature_baseline_drift_{feature.name}", drift.value)


def monitor_window(context: MonitorContext) -> list[Violation]:
    """Check the window's traffic against the baseline; return the violations."""
    baseline_statistics = context.baseline_statistics()
    constraints = _constraints(context, baseline_statistics)
    names = [feature.name for feature in constraints.features]
    profile = profile_dataset(context, names)
    statistics = statistics_document(profile)
    _report_problems(statistics)
    context.write_constraints(constraints)
    if profile.item_count == 0:
        context.write_statistics(statistics)
        start, end = (
            format_timestamp(moment) if moment else "-"
            for moment in (context.start_time, context.end_time)
        )
        window = f"[{start}, {end})"
        context.write_message(
            f"Completed: No data in window {window}: 0 records analysed, so no checks were made."
        )
        return []
    outcome: CheckOutcome = evaluate(statistics, constraints, baseline_statistics)
    for feature in statistics.features:
        feature.baseline_drift = outcome.drift.get(feature.name)
    context.write_statistics(statistics)
    emit_metrics(context, statistics, constraints)
    return outcome.violations


def main(context: MonitorContext) -> list[Violation] | None:
    """Baseline or monitor, depending on whether the job has baseline files."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for key, value in context.environment.user_keys.items():
        os.environ.setdefault(key, value)
    with PeakMemory() as memory:
        if context.environment.is_baselining:
            baseline(context)
            result = None
        else:
            result = monitor_window(context)
    log.info("peak memory: %.1f MiB resident (all processes)", memory.peak_megabytes)
    script = context.environment.post_analytics_processor_script
    if script:
        _finish_outputs(context, result)
        try:
            run_postprocessor(script)
        except HookError as error:
            context.write_message(str(error))  # replaces the success message written above
            raise
    return result


def _finish_outputs(context: MonitorContext, violations: list[Violation] | None) -> None:
    """Write the violations and message before the post-processor runs, as the analyzer does."""
    if violations is not None:
        context.write_violations(violations)
    if not context.message_written:
        context.write_message(violations_message(len(violations or [])))


if __name__ == "__main__":
    monitor(main)()
