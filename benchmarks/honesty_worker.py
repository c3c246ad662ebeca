"""Per-column drift verdicts of one peer tool on the trials `drift_honesty.py` wrote.

Runs in the peers' virtualenv: ``PYTHON honesty_worker.py TOOL TRIAL_DIR TRIALS OUT_JSON``.
Trial ``i`` is ``TRIAL_DIR/trial_<i>_baseline.parquet`` and ``..._current.parquet``; columns
whose name starts with ``category`` are categorical, the others numeric. Writes
``{"verdicts": [{column: drifted, ...} per trial], ...}`` to OUT_JSON.

* ``evidently``: Evidently's own default test choice and test for each column
  (``get_stattest(reference, current, column_type, None)`` then the test with its default
  threshold), which is what its ``ValueDrift`` metric and ``DataDriftPreset`` run, without
  rendering the report's charts. On the first trial (up to `REPORT_CHECK_ROWS` rows) the full
  ``Report([DataDriftPreset()])`` runs too and ``report_agrees`` records that both agree.
* ``whylogs``: ``why.log`` profiles of both sides and ``calculate_drift_scores(...,
  with_thresholds=True)``; drifted = category ``DRIFT`` (p < 0.05).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from data_quality_tasks import OFFLINE_ENVIRONMENT

REPORT_CHECK_ROWS = 100_000


def _frames(directory: Path, trial: int) -> tuple[Any, Any]:
    import pandas as pd

    def read(side: str) -> Any:
        return pd.read_parquet(directory / f"trial_{trial}_{side}.parquet")

    return read("baseline"), read("current")


def _evidently_verdicts(baseline: Any, current: Any) -> dict[str, bool]:
    from evidently.legacy.calculations.stattests.registry import get_stattest
    from evidently.legacy.core import ColumnType

    verdicts = {}
    for name in baseline.columns:
        kind = ColumnType.Categorical if name.startswith("category") else ColumnType.Numerical
        reference, observed = baseline[name].dropna(), current[name].dropna()
        test = get_stattest(reference, observed, kind, None)
        verdicts[name] = bool(test(reference, observed, kind, None).drifted)
    return verdicts


def _evidently_report_verdicts(baseline: Any, current: Any) -> dict[str, bool]:
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    columns = list(baseline.columns)
    definition = DataDefinition(
        numerical_columns=[c for c in columns if not c.startswith("category")],
        categorical_columns=[c for c in columns if c.startswith("category")],
    )
    snapshot = Report([DataDriftPreset()], include_tests=True).run(
        current_data=Dataset.from_pandas(current, data_definition=definition),
        reference_data=Dataset.from_pandas(baseline, data_definition=definition),
    )
    verdicts = {}
    for test in snapshot.dict()["tests"]:
        column = test["metric_config"]["params"].get("column")
        if column is not None:
            verdicts[column] = str(test["status"]).endswith("FAIL")
    return verdicts


def _whylogs_verdicts(baseline: Any, current: Any) -> dict[str, bool]:
    import whylogs as why
    from whylogs.viz.drift.column_drift_algorithms import calculate_drift_scores

    scores = calculate_drift_scores(
        target_view=why.log(current).view(),
        reference_view=why.log(baseline).view(),
        with_thresholds=True,
    )
    return {c: bool(s and s["drift_category"] == "DRIFT") for c, s in scores.items()}


def main() -> None:
    """Score every trial with one tool and write the verdicts."""
    tool, directory, trials, out = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.environ.update(OFFLINE_ENVIRONMENT)
    score = _evidently_verdicts if tool == "evidently" else _whylogs_verdicts
    result: dict[str, Any] = {"tool": tool, "verdicts": []}
    for trial in range(trials):
        baseline, current = _frames(directory, trial)
        verdicts = score(baseline, current)
        result["verdicts"].append(verdicts)
        if tool == "evidently" and trial == 0 and len(baseline) <= REPORT_CHECK_ROWS:
            result["report_agrees"] = _evidently_report_verdicts(baseline, current) == verdicts
    Path(out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
