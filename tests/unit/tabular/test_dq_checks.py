"""Each data-quality check type: one case that triggers it, one that must not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from contracts import (
    CheckType,
    DataQualityConstraints,
    DataQualityStatistics,
    InferredType,
    check_file,
)
from tabular.checks import evaluate, type_match
from tabular.dataset import DatasetProfile
from tabular.report import statistics_document
from tabular.suggest import suggest_constraints, suggested_completeness

Column = Sequence[str | None]


def statistics_of(columns: Mapping[str, Column], short_rows: int = 0) -> DataQualityStatistics:
    """statistics.json of a small table of text values."""
    profile = DatasetProfile()
    profile.update(pa.table({name: pa.array(list(v), pa.string()) for name, v in columns.items()}))
    profile.counters.short_rows = short_rows
    return statistics_document(profile)


def numbers(values: np.ndarray) -> list[str | None]:
    return [repr(float(value)) for value in values]


RNG = np.random.default_rng(20240501)
BASE: dict[str, Column] = {
    "age": numbers(RNG.normal(40, 10, 2000)),
    "count": [str(value) for value in RNG.integers(0, 50, 2000)],
    "city": list(RNG.choice(["paris", "lima", "oslo", "kyiv"], 2000, p=[0.4, 0.3, 0.2, 0.1])),
}


@pytest.fixture(scope="module")
def baseline() -> DataQualityStatistics:
    return statistics_of(BASE)


@pytest.fixture(scope="module")
def constraints(baseline: DataQualityStatistics) -> DataQualityConstraints:
    return suggest_constraints(baseline)


def current(**changes: Column) -> dict[str, Column]:
    rng = np.random.default_rng(7)
    columns: dict[str, Column] = {
        "age": numbers(rng.normal(40, 10, 1500)),
        "count": [str(value) for value in rng.integers(0, 50, 1500)],
        "city": list(rng.choice(["paris", "lima", "oslo", "kyiv"], 1500, p=[0.4, 0.3, 0.2, 0.1])),
    }
    columns.update(changes)
    return columns


def checks_found(
    columns: dict[str, Column],
    constraints: DataQualityConstraints,
    baseline: DataQualityStatistics | None,
    short_rows: int = 0,
) -> set[tuple[str, str]]:
    outcome = evaluate(statistics_of(columns, short_rows), constraints, baseline)
    return {(v.feature_name or "", v.constraint_check_type) for v in outcome.violations}


def test_suggested_constraints(constraints: DataQualityConstraints) -> None:
    features = {feature.name: feature for feature in constraints.features}
    assert features["age"].inferred_type.value == "Fractional"
    assert features["count"].inferred_type.value == "Integral"
    assert features["count"].num_constraints is not None
    assert features["count"].num_constraints.is_non_negative is True
    assert features["age"].num_constraints is not None
    assert features["city"].string_constraints is not None
    assert features["city"].string_constraints.domains == ["kyiv", "lima", "oslo", "paris"]
    assert {feature.completeness for feature in constraints.features} == {1.0}
    config = constraints.effective_config()
    assert config.datatype_check_threshold == 1.0
    assert config.comparison_method.value == "Robust"


def test_data_drawn_like_the_baseline_has_no_violations(
    constraints: DataQualityConstraints, baseline: DataQualityStatistics
) -> None:
    assert checks_found(current(), constraints, baseline) == set()


def test_data_type_check(
    constraints: DataQualityConstraints, baseline: DataQualityStatistics
) -> None:
    count = [str(value) for value in range(1500)]
    count[7] = "seven"
    found = checks_found(current(count=count), constraints, baseline)
    assert ("count", CheckType.DATA_TYPE.value) in found
    fractional_age = current(age=[str(value) for value in range(1500)])
    assert ("age", CheckType.DATA_TYPE.value) not in checks_found(fractional_age, constraints, None)


def test_data_type_message_matches_the_analyzer(constraints: DataQualityConstraints) -> None:
    columns = {"age": ["1.5"] * 100, "count": ["x"] + ["1"] * 99, "city": ["lima"] * 100}
    outcome = evaluate(statistics_of(columns), constraints)
    (violation,) = [v for v in outcome.violations if v.feature_name == "count"]
    assert violation.description == (
        "Data type match requirement is not met. Expected data type: Integral, Expected match: "
        "100.0%. Observed: Only 99.0% of data is Integral."
    )


def test_completeness_check(constraints: DataQualityConstraints) -> None:
    ages = current()["age"]
    holes = [None if index % 10 == 0 else value for index, value in enumerate(ages)]
    assert ("age", CheckType.COMPLETENESS.value) in checks_found(
        current(age=holes), constraints, None
    )
    assert not {c for _, c in checks_found(current(), constraints, None)} & {"completeness_check"}


def test_suggested_completeness_keeps_a_margin() -> None:
    assert suggested_completeness(1000, 0) == 1.0
    assert suggested_completeness(900, 100) == 0.88
    assert suggested_completeness(0, 0) == 1.0


def test_categorical_values_check(constraints: DataQualityConstraints) -> None:
    cities = list(current()["city"])
    cities[3] = "tokyo"
    assert ("city", CheckType.CATEGORICAL_VALUES.value) in checks_found(
        current(city=cities), constraints, None
    )
    outcome = evaluate(statistics_of(current(city=cities)), constraints)
    (violation,) = outcome.violations
    assert violation.description == (
        f"Value: {1499 / 1500} does not meet the constraint requirement! "
    )


@pytest.mark.parametrize(
    ("column", "shifted"),
    [
        ("age", numbers(np.random.default_rng(3).normal(48, 10, 1500))),
        ("city", list(np.random.default_rng(3).choice(["paris", "lima"], 1500, p=[0.9, 0.1]))),
    ],
    ids=["numeric", "categorical"],
)
def test_baseline_drift_check(
    constraints: DataQualityConstraints,
    baseline: DataQualityStatistics,
    column: str,
    shifted: Column,
) -> None:
    found = checks_found(current(**{column: shifted}), constraints, baseline)
    assert (column, CheckType.BASELINE_DRIFT.value) in found
    statistics = statistics_of(current(**{column: shifted}))
    outcome = evaluate(statistics, constraints, baseline)
    drift = outcome.drift[column]
    assert drift.violated
    assert drift.value > drift.threshold == 0.1
    assert drift.baseline_count == 2000
    assert drift.current_count == 1500
    assert drift.multiple_testing_correction == "none"
    assert not outcome.drift["count"].violated


def test_robust_method_forgives_small_samples(
    constraints: DataQualityConstraints, baseline: DataQualityStatistics
) -> None:
    small = numbers(np.random.default_rng(5).normal(46, 10, 60))
    columns: dict[str, Column] = {"age": small, "count": ["1"] * 60, "city": ["paris"] * 60}
    outcome = evaluate(statistics_of(columns), constraints, baseline)
    drift = outcome.drift["age"]
    assert drift.linf_simple is not None and drift.linf_simple > 0.1
    assert drift.robust_correction is not None and drift.robust_correction > 0.2
    assert not drift.violated


def test_missing_column_check(constraints: DataQualityConstraints) -> None:
    columns = current()
    del columns["city"]
    assert ("city", CheckType.MISSING_COLUMN.value) in checks_found(columns, constraints, None)
    padded = current(city=[None] * 1500)
    assert ("city", "missing_column_check") in checks_found(padded, constraints, None, 1500)
    assert ("city", "missing_column_check") not in checks_found(padded, constraints, None, 0)


def test_extra_column_check(constraints: DataQualityConstraints) -> None:
    found = checks_found(current(_c3=["1"] * 1500), constraints, None)
    assert ("_c3", CheckType.EXTRA_COLUMN.value) in found
    assert not [
        c for c in checks_found(current(), constraints, None) if c[1] == "extra_column_check"
    ]


def _with_config(constraints: DataQualityConstraints, **changes: object) -> DataQualityConstraints:
    data = constraints.to_json_dict()
    for path, value in changes.items():
        target: Any = data
        *parents, leaf = path.split("__")
        for parent in parents:
            target = target[int(parent)] if parent.isdigit() else target.setdefault(parent, {})
        target[leaf] = value
    return DataQualityConstraints.model_validate(data)


def test_evaluate_constraints_disabled(constraints: DataQualityConstraints) -> None:
    off = _with_config(constraints, monitoring_config__evaluate_constraints="Disabled")
    assert checks_found(current(count=["x"] * 1500), off, None) == set()


@pytest.mark.parametrize(
    "override",
    [
        "features__2__monitoringConfigOverrides",
        "features__2__string_constraints__monitoring_config_overrides",
    ],
    ids=["feature-level", "string-constraints"],
)
def test_per_feature_overrides_in_both_places(
    constraints: DataQualityConstraints, override: str
) -> None:
    off = _with_config(constraints, **{override: {"evaluate_constraints": "Disabled"}})
    cities = ["tokyo"] * 1500
    assert checks_found(current(city=cities), constraints, None)
    assert checks_found(current(city=cities), off, None) == set()


def test_chi_squared_is_a_significance_test(
    constraints: DataQualityConstraints, baseline: DataQualityStatistics
) -> None:
    chi = _with_config(
        constraints,
        monitoring_config__distribution_constraints__categorical_drift_method="ChiSquared",
        monitoring_config__distribution_constraints__categorical_comparison_threshold=0.01,
    )
    outcome = evaluate(statistics_of(current()), chi, baseline)
    assert outcome.drift["city"].method == "ChiSquared"
    assert outcome.drift["city"].p_value is not None
    assert not outcome.drift["city"].violated
    shifted = list(np.random.default_rng(3).choice(["paris", "lima", "oslo", "kyiv"], 1500))
    outcome = evaluate(statistics_of(current(city=shifted)), chi, baseline)
    assert outcome.drift["city"].violated
    assert outcome.drift["city"].value < 0.01


def test_type_match_rules(baseline: DataQualityStatistics) -> None:
    features = {feature.name: feature for feature in baseline.features}

    assert type_match(features["count"], InferredType.FRACTIONAL) == 1.0
    assert type_match(features["count"], InferredType.STRING) == 0.0
    assert type_match(features["age"], InferredType.INTEGRAL) == 0.0


def test_reports_satisfy_the_contract(tmp_path: Path, baseline: DataQualityStatistics) -> None:
    path = tmp_path / "statistics.json"
    path.write_text(baseline.model_dump_json(by_alias=True, exclude_none=True))
    assert check_file(path).valid
