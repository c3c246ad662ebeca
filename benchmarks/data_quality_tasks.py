"""One data-quality drift check per tool, each run alone in a fresh process by `data_quality.py`.

Usage: ``PYTHON data_quality_tasks.py TASK MANIFEST WORKDIR``, where MANIFEST is the
``manifest.json`` that `datagen.generate` writes. The peer tasks run in the peers' virtualenv
(``benchmarks/.venv-peers``), the ``watchkeeper_lib_*`` tasks in the project's (they need
``containers/`` on the path). The last line printed is one JSON object: the task's compute time
(after its libraries were imported), the import time, the columns it flagged as drifted, and
task-specific details.

Each peer runs with its defaults, the way its documentation shows:

* Evidently: ``Report([DataDriftPreset()])`` on pandas frames read from the CSV files, with
  the numeric/categorical split declared; a column is drifted when its ``ValueDrift`` test fails.
* whylogs: ``why.log(frame).view()`` of both frames, then
  ``calculate_drift_scores(..., with_thresholds=True)``; drifted = category ``DRIFT``.
* alibi-detect: ``TabularDrift(x_ref, p_val=0.05, categories_per_feature=...)`` (KS per numeric
  feature, chi-square per categorical one, Bonferroni correction), ``predict(x,
  drift_type="feature")``. It needs numbers without gaps: categories become integer codes (one
  extra code for missing or unseen values) and missing numbers the baseline median.
* pandas + scipy: ``ks_2samp`` per numeric column, ``chi2_contingency`` per categorical one,
  drifted when p < 0.05.
* naive capture script: the same tests, but the current window is parsed from the capture JSONL
  with ``json`` line by line into a pandas frame.
* pyarrow: reading both CSV files, nothing else (a floor for any CSV-based tool).
* watchkeeper library: the ``tabular`` package in-process (what the data-quality container
  runs, without the container): baseline = profile the CSV and keep its sketches; monitor =
  profile the capture files and compare (numeric ``Robust`` L-infinity > 0.1, categorical
  ``LInfinity`` > 0.1).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ALPHA = 0.05
THRESHOLD = 0.1
CONTAINERS = Path(__file__).resolve().parent.parent / "containers"

OFFLINE_ENVIRONMENT = {
    "WHYLOGS_NO_ANALYTICS": "True",
    "DO_NOT_TRACK": "1",
    "EVIDENTLY_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
}
"""Opt-outs of the peers' usage telemetry (whylogs reports its import otherwise): the machine
has no network to spare and a benchmark must not phone home."""

Task = Callable[[dict[str, Any], Path], dict[str, Any]]


def _read_frames(manifest: dict[str, Any]) -> tuple[Any, Any]:
    import pandas as pd

    return pd.read_csv(manifest["baseline_csv"]), pd.read_csv(manifest["current_csv"])


def evidently_task(manifest: dict[str, Any], _: Path) -> dict[str, Any]:
    """Evidently ``DataDriftPreset`` with its defaults."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    baseline, current = _read_frames(manifest)
    definition = DataDefinition(
        numerical_columns=list(manifest["numeric"]),
        categorical_columns=list(manifest["categorical"]),
    )
    snapshot = Report([DataDriftPreset()], include_tests=True).run(
        current_data=Dataset.from_pandas(current, data_definition=definition),
        reference_data=Dataset.from_pandas(baseline, data_definition=definition),
    )
    flagged, methods = [], {}
    for test in snapshot.dict()["tests"]:
        params = test["metric_config"]["params"]
        if "column" not in params:
            continue
        methods[params["column"]] = f"{params.get('method')} threshold {params.get('threshold')}"
        if str(test["status"]).endswith("FAIL"):
            flagged.append(params["column"])
    return {"flagged": flagged, "methods": methods}


def whylogs_task(manifest: dict[str, Any], _: Path) -> dict[str, Any]:
    """whylogs profiles of both frames and its default drift comparison."""
    import whylogs as why
    from whylogs.viz.drift.column_drift_algorithms import calculate_drift_scores

    baseline, current = _read_frames(manifest)
    scores = calculate_drift_scores(
        target_view=why.log(current).view(),
        reference_view=why.log(baseline).view(),
        with_thresholds=True,
    )
    flagged = [c for c, s in scores.items() if s and s["drift_category"] == "DRIFT"]
    details = {
        c: [s["algorithm"], s["pvalue"], s["drift_category"]] for c, s in scores.items() if s
    }
    return {"flagged": flagged, "scores": details}


def alibi_task(manifest: dict[str, Any], _: Path) -> dict[str, Any]:
    """alibi-detect ``TabularDrift`` with the categorical columns declared."""
    import numpy as np
    from alibi_detect.cd import TabularDrift

    baseline, current = _read_frames(manifest)
    columns = list(baseline.columns)
    categorical = set(manifest["categorical"])
    reference, observed, categories = [], [], {}
    for index, name in enumerate(columns):
        if name in categorical:
            known = sorted(baseline[name].dropna().unique())
            codes = {value: code for code, value in enumerate(known)}
            extra = len(known)
            reference.append(baseline[name].map(codes).fillna(extra).to_numpy())
            observed.append(current[name].map(codes).fillna(extra).to_numpy())
            categories[index] = extra + 1
        else:
            median = baseline[name].median()
            reference.append(baseline[name].fillna(median).to_numpy())
            observed.append(current[name].fillna(median).to_numpy())
    x_ref = np.column_stack(reference).astype(np.float32)
    x_cur = np.column_stack(observed).astype(np.float32)
    detector = TabularDrift(x_ref, p_val=ALPHA, categories_per_feature=categories)
    result = detector.predict(x_cur, drift_type="feature")["data"]
    flagged = [c for c, drift in zip(columns, result["is_drift"], strict=True) if drift]
    return {"flagged": flagged, "threshold": float(result["threshold"])}


def _scipy_flags(baseline: Any, current: Any, manifest: dict[str, Any]) -> dict[str, Any]:
    """KS per numeric column, chi-square contingency per categorical one, p < `ALPHA`."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    p_values = {}
    for name in manifest["numeric"]:
        p_values[name] = stats.ks_2samp(baseline[name].dropna(), current[name].dropna()).pvalue
    for name in manifest["categorical"]:
        table = pd.concat(
            [baseline[name].value_counts(), current[name].value_counts()], axis=1
        ).fillna(0)
        p_values[name] = stats.chi2_contingency(np.asarray(table).T).pvalue
    flagged = [c for c, p in p_values.items() if p < ALPHA]
    return {"flagged": flagged, "p_values": {c: float(p) for c, p in p_values.items()}}


def pandas_scipy_task(manifest: dict[str, Any], _: Path) -> dict[str, Any]:
    """Both CSV files into pandas, then `_scipy_flags`."""
    baseline, current = _read_frames(manifest)
    return _scipy_flags(baseline, current, manifest)


def naive_capture_task(manifest: dict[str, Any], _: Path) -> dict[str, Any]:
    """The script a user would write: ``json.loads`` every capture line, a frame, scipy tests."""
    import pandas as pd

    rows = []
    for path in sorted(Path(manifest["capture_root"]).rglob("*.jsonl")):
        with path.open() as lines:
            for line in lines:
                capture = json.loads(line)["captureData"]
                output = capture["endpointOutput"]["data"]
                rows.append([output, *capture["endpointInput"]["data"].split(",")])
    current = pd.DataFrame(rows, columns=list(manifest["numeric"]) + list(manifest["categorical"]))
    for name in manifest["numeric"]:
        current[name] = pd.to_numeric(current[name], errors="coerce")
    for name in manifest["categorical"]:
        current[name] = current[name].replace("", None)
    baseline = pd.read_csv(manifest["baseline_csv"])
    return _scipy_flags(baseline, current, manifest)


def pyarrow_read_task(manifest: dict[str, Any], _: Path) -> dict[str, Any]:
    """Read both CSV files with pyarrow (all cores); no analysis."""
    from pyarrow import csv

    rows = [csv.read_csv(manifest[key]).num_rows for key in ("baseline_csv", "current_csv")]
    return {"flagged": None, "rows_read": rows}


def watchkeeper_lib_baseline_task(manifest: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Profile the baseline CSV with ``tabular``; keep its sketches and category counts."""
    from tabular import InputFormat, profile_files

    profile = profile_files(
        InputFormat.CSV, [manifest["baseline_csv"]], header=True, threads=os.cpu_count() or 1
    )
    numeric, categorical = {}, {}
    for feature in profile.statistics():
        if feature.numeric is not None:
            sketch = feature.numeric.sketch
            numeric[feature.name] = {"c": sketch.c, "k": sketch.k, "data": sketch.to_levels()}
        elif feature.string is not None:
            categorical[feature.name] = {b.value: b.count for b in feature.string.buckets}
    baseline = {"numeric": numeric, "categorical": categorical}
    (workdir / "lib_baseline.json").write_text(json.dumps(baseline))
    return {"flagged": None, "features": len(numeric) + len(categorical)}


def watchkeeper_lib_monitor_task(manifest: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Profile the capture window with ``tabular`` and compare it with the kept baseline."""
    from datetime import datetime

    from tabular import (
        CategoricalMethod,
        InputFormat,
        KllSketch,
        NumericMethod,
        categorical_distance,
        numeric_distance,
        profile_files,
    )

    baseline = json.loads((workdir / "lib_baseline.json").read_text())
    profile = profile_files(
        InputFormat.CAPTURE,
        sorted(Path(manifest["capture_root"]).rglob("*.jsonl")),
        names=list(manifest["numeric"]) + list(manifest["categorical"]),
        start=datetime.fromisoformat(manifest["window_start"]),
        end=datetime.fromisoformat(manifest["window_end"]),
        threads=os.cpu_count() or 1,
    )
    distances = {}
    for feature in profile.statistics():
        if feature.name in baseline["numeric"] and feature.numeric is not None:
            kept = baseline["numeric"][feature.name]
            reference = KllSketch.from_levels(kept["data"], kept["c"], kept["k"])
            result = numeric_distance(reference, feature.numeric.sketch, NumericMethod.ROBUST)
        elif feature.name in baseline["categorical"] and feature.string is not None:
            counts = {b.value: b.count for b in feature.string.buckets}
            result = categorical_distance(
                baseline["categorical"][feature.name], counts, CategoricalMethod.LINFINITY
            )
        else:
            continue
        distances[feature.name] = result.value
    flagged = [c for c, d in distances.items() if d > THRESHOLD]
    return {"flagged": flagged, "distances": distances, "rows": profile.item_count}


TASKS: dict[str, tuple[Task, tuple[str, ...]]] = {
    "evidently": (evidently_task, ("pandas", "evidently", "evidently.presets")),
    "whylogs": (
        whylogs_task,
        ("pandas", "whylogs", "whylogs.viz.drift.column_drift_algorithms"),
    ),
    "alibi": (alibi_task, ("pandas", "alibi_detect.cd")),
    "pandas_scipy": (pandas_scipy_task, ("pandas", "scipy.stats")),
    "naive_capture": (naive_capture_task, ("pandas", "scipy.stats")),
    "pyarrow_read": (pyarrow_read_task, ("pyarrow.csv",)),
    "watchkeeper_lib_baseline": (watchkeeper_lib_baseline_task, ("tabular",)),
    "watchkeeper_lib_monitor": (watchkeeper_lib_monitor_task, ("tabular", "scipy.stats")),
}
"""Task name -> (function, modules imported before the clock starts)."""


def main() -> None:
    """Run one task and print its JSON result as the last line."""
    name, manifest_path, workdir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    task, modules = TASKS[name]
    os.environ.update(OFFLINE_ENVIRONMENT)
    sys.path.insert(0, str(CONTAINERS))
    started = time.perf_counter()
    for module in modules:
        importlib.import_module(module)
    imported = time.perf_counter()
    result = task(json.loads(manifest_path.read_text()), workdir)
    result.update(
        task=name,
        import_seconds=imported - started,
        compute_seconds=time.perf_counter() - imported,
    )
    print(json.dumps(result, default=float))


if __name__ == "__main__":
    main()
