"""Seeded synthetic tabular data for the benchmarks: a baseline CSV, a current window as capture.

One dataset has 25 columns: ``score`` (the model output, a probability), 19 numeric inputs of
mixed distributions (``n01``..``n19``) and 5 categorical inputs (``c1``..``c5``, Zipf-like over
5 to 200 categories). About 2 % of every input value is missing (an empty CSV field); the score
is always present.

The current window is the "shifted" variant: 5 numeric and 2 categorical inputs drift, by the
amounts in `SHIFTS` (from practically irrelevant to large, so a verdict shows what each tool
calls drift). It is written twice, with the same rows: as SageMaker capture files
(``<root>/<endpoint>/AllTraffic/YYYY/MM/DD/HH/*.jsonl``, CSV payloads, output = score,
input = the 24 other values, at most `FILE_RECORDS` records per file, `HOUR_RECORDS` per hour)
and as a plain CSV with a header for tools that cannot read capture files.

Everything is built column-wise with numpy and Arrow compute (no per-row Python), one file's
worth of rows at a time, so 10 million rows stream to disk in bounded memory.

Usage (writes once, then reuses)::

    .venv/bin/python benchmarks/datagen.py --rows 1000000 --data /tmp/watchkeeper-bench
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SEED = 20240501
ENDPOINT = "bench-endpoint"
VARIANT = "AllTraffic"
FILE_RECORDS = 100_000
HOUR_RECORDS = 200_000
WINDOW_START = datetime(2024, 5, 1, tzinfo=UTC)
MISSING_SHARE = 0.02
ZIPF_EXPONENT = 1.2
FORMAT_VERSION = 1
"""Bumped whenever the generated data changes, so cached data is rebuilt."""

Sampler = Callable[[np.random.Generator, int], np.ndarray]


@dataclass(frozen=True)
class Column:
    """One generated column: how its baseline and shifted values are drawn.

    Attributes:
        name: Column name (CSV header, baseline feature name).
        kind: ``numeric`` or ``categorical``.
        baseline: Draws ``n`` baseline values (category codes for categorical columns).
        shifted: Draws ``n`` values of the current window; None when the column does not drift.
        decimals: Rounding of numeric values in the files (None for integers and categories).
        categories: Number of categories (categorical columns only).
    """

    name: str
    kind: str
    baseline: Sampler
    shifted: Sampler | None = None
    decimals: int | None = 4
    categories: int = 0


def zipf_probabilities(categories: int, exponent: float = ZIPF_EXPONENT) -> np.ndarray:
    """Category probabilities proportional to ``1 / rank**exponent``."""
    weights = 1.0 / np.arange(1, categories + 1) ** exponent
    return weights / weights.sum()


def moved_top_share(probabilities: np.ndarray, share: float) -> np.ndarray:
    """Take ``share`` of probability from the top category, spread evenly over the others.

    The L-infinity distance between the two frequency vectors is exactly ``share``.
    """
    moved = probabilities.copy()
    moved[0] -= share
    moved[1:] += share / (len(moved) - 1)
    return moved


def _categorical(categories: int, share: float = 0.0) -> Sampler:
    probabilities = zipf_probabilities(categories)
    if share:
        probabilities = moved_top_share(probabilities, share)
    return lambda rng, n: rng.choice(categories, size=n, p=probabilities)


def _categorical_column(name: str, categories: int, share: float = 0.0) -> Column:
    shifted = _categorical(categories, share) if share else None
    return Column(name, "categorical", _categorical(categories), shifted, None, categories)


def _bimodal(low_weight: float) -> Sampler:
    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        low = rng.random(n) < low_weight
        return np.where(low, rng.normal(-2.0, 1.0, n), rng.normal(3.0, 1.5, n))

    return draw


def _columns() -> tuple[Column, ...]:
    numeric = [
        Column(
            "n01",
            "numeric",
            lambda r, n: r.normal(50.0, 10.0, n),
            lambda r, n: r.normal(55.0, 10.0, n),
        ),
        Column("n02", "numeric", lambda r, n: r.lognormal(0.0, 0.75, n)),
        Column(
            "n03",
            "numeric",
            lambda r, n: r.exponential(2.0, n),
            lambda r, n: r.exponential(2.2, n),
        ),
        Column("n04", "numeric", lambda r, n: r.uniform(0.0, 100.0, n)),
        Column("n05", "numeric", lambda r, n: r.poisson(4.0, n), decimals=None),
        Column("n06", "numeric", _bimodal(0.40), _bimodal(0.55)),
        Column("n07", "numeric", lambda r, n: r.gamma(2.0, 3.0, n)),
        Column("n08", "numeric", lambda r, n: r.integers(0, 1000, n), decimals=None),
        Column("n09", "numeric", lambda r, n: r.standard_t(5.0, n)),
        Column("n10", "numeric", lambda r, n: 100.0 * r.beta(2.0, 5.0, n)),
        Column(
            "n11",
            "numeric",
            lambda r, n: r.normal(0.0, 1.0, n),
            lambda r, n: r.normal(0.05, 1.0, n),
        ),
        Column("n12", "numeric", lambda r, n: r.lognormal(1.0, 0.5, n)),
        Column("n13", "numeric", lambda r, n: r.exponential(10.0, n)),
        Column("n14", "numeric", lambda r, n: r.uniform(-1.0, 1.0, n)),
        Column(
            "n15",
            "numeric",
            lambda r, n: r.poisson(20.0, n),
            lambda r, n: r.poisson(22.0, n),
            decimals=None,
        ),
        Column("n16", "numeric", _bimodal(0.5)),
        Column("n17", "numeric", lambda r, n: r.normal(100.0, 25.0, n)),
        Column("n18", "numeric", lambda r, n: r.weibull(1.5, n)),
        Column("n19", "numeric", lambda r, n: r.normal(-5.0, 2.0, n)),
    ]
    categorical = [
        _categorical_column("c1", 5, 0.20),
        _categorical_column("c2", 12),
        _categorical_column("c3", 40),
        _categorical_column("c4", 100, 0.02),
        _categorical_column("c5", 200),
    ]
    score = Column("score", "numeric", lambda r, n: r.beta(2.0, 5.0, n), decimals=6)
    return (score, *numeric, *categorical)


COLUMNS = _columns()
"""All 25 columns, in file order: the score first, then 19 numeric and 5 categorical inputs."""

SHIFTS = {
    "n01": "mean +0.5 sd (normal 50 -> 55, sd 10); population KS distance 0.197",
    "n03": "scale +10 % (exponential 2 -> 2.2); population KS distance 0.035",
    "n06": "low-mode weight 40 % -> 55 %; population KS distance 0.143",
    "n11": "mean +0.05 sd (normal 0 -> 0.05); population KS distance 0.020",
    "n15": "rate +10 % (Poisson 20 -> 22); population KS distance 0.172",
    "c1": "top category share -0.20, spread over the other 4; L-infinity 0.20",
    "c4": "top category share -0.02, spread over the other 99; L-infinity 0.02",
}
"""What drifts in the current window, and by how much (KS distance = sup |F_base - F_cur|)."""


@dataclass(frozen=True)
class GeneratedData:
    """Paths and facts of one generated dataset (also written as ``manifest.json``).

    Attributes:
        rows: Rows in the baseline and, separately, in the current window.
        baseline_csv: Baseline rows, CSV with a header.
        current_csv: Current-window rows, CSV with a header.
        capture_root: Folder holding ``<endpoint>/AllTraffic/YYYY/MM/DD/HH/*.jsonl``.
        endpoint: Endpoint name in the capture layout.
        window_start: Start of the capture window (ISO-8601, inclusive).
        window_end: End of the capture window (ISO-8601, exclusive).
        numeric: Numeric column names (score first).
        categorical: Categorical column names.
        drifted: Columns that drift in the current window.
        seed: Seed of every generator.
        version: `FORMAT_VERSION` the data was written with.
    """

    rows: int
    baseline_csv: str
    current_csv: str
    capture_root: str
    endpoint: str
    window_start: str
    window_end: str
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    drifted: tuple[str, ...]
    seed: int
    version: int


def _text(column: Column, values: np.ndarray, missing: np.ndarray | None) -> pa.Array:
    """Values as a string array; missing entries become nulls (empty fields when joined)."""
    if column.kind == "categorical":
        names = pa.array([f"{column.name}_{i:03d}" for i in range(column.categories)])
        return pc.take(names, pa.array(values, mask=missing))
    if column.decimals is not None:
        values = np.round(values, column.decimals)
    return pa.array(values, mask=missing).cast(pa.string())


def _chunk(rng: np.random.Generator, n: int, shifted: bool) -> list[pa.Array]:
    """One block of rows, column by column, as string arrays."""
    arrays = []
    for column in COLUMNS:
        draw = column.shifted if shifted and column.shifted is not None else column.baseline
        values = draw(rng, n)
        missing = None if column.name == "score" else rng.random(n) < MISSING_SHARE
        arrays.append(_text(column, values, missing))
    return arrays


def _join(*parts: pa.Array | str, separator: str = "") -> pa.Array:
    """Element-wise concatenation; nulls become empty strings."""
    pieces = [pa.scalar(p) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(
        *pieces, separator, null_handling="replace", null_replacement=""
    )


def _write_lines(handle: BinaryIO, lines: pa.Array) -> None:
    """Write a null-free string array's characters as they lie in its data buffer."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    handle.write(memoryview(lines.buffers()[2])[first:last])


def _csv_lines(arrays: list[pa.Array]) -> pa.Array:
    return _join(_join(*arrays, separator=","), "\n")


def _hex_uuids(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` random version-4 UUIDs, formatted without a Python loop."""
    raw = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    hexed = np.empty((n, 32), dtype=np.uint8)
    hexed[:, 0::2], hexed[:, 1::2] = digits[raw >> 4], digits[raw & 0x0F]
    dash = np.full((n, 1), ord("-"), dtype=np.uint8)
    parts = (hexed[:, :8], hexed[:, 8:12], hexed[:, 12:16], hexed[:, 16:20], hexed[:, 20:])
    joined = np.hstack([parts[0], dash, parts[1], dash, parts[2], dash, parts[3], dash, parts[4]])
    return pa.array(joined.view("S36").ravel()).cast(pa.string())


_MINUTE_SECOND = np.array([f"{s // 60:02d}:{s % 60:02d}Z".encode() for s in range(3600)])

_INPUT_HEAD = (
    '{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"'
)
_OUTPUT_HEAD = (
    '","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv",'
    '"mode":"OUTPUT","data":"'
)
_METADATA_HEAD = '","encoding":"CSV"}},"eventMetadata":{"eventId":"'
_TIME_HEAD = '","inferenceTime":"'
_RECORD_TAIL = '"},"eventVersion":"0"}\n'


def _capture_lines(arrays: list[pa.Array], ids: pa.Array, hour: datetime, seconds: np.ndarray):
    """Capture records (one JSON object a line) for one block of rows inside one hour."""
    inputs = _join(*arrays[1:], separator=",")
    times = pa.array(_MINUTE_SECOND[seconds]).cast(pa.string())
    prefix = hour.strftime("%Y-%m-%dT%H:")
    return _join(
        _INPUT_HEAD,
        inputs,
        _OUTPUT_HEAD,
        arrays[0],
        _METADATA_HEAD,
        ids,
        _TIME_HEAD + prefix,
        times,
        _RECORD_TAIL,
    )


def _blocks(rows: int) -> Iterator[tuple[int, int]]:
    for start in range(0, rows, FILE_RECORDS):
        yield start, min(FILE_RECORDS, rows - start)


def _header() -> bytes:
    return (",".join(c.name for c in COLUMNS) + "\n").encode()


def write_baseline(path: Path, rows: int, seed: int = SEED) -> None:
    """Write ``rows`` unshifted rows as CSV with a header."""
    rng = np.random.default_rng([seed, 0])
    with path.open("wb") as handle:
        handle.write(_header())
        for _, n in _blocks(rows):
            _write_lines(handle, _csv_lines(_chunk(rng, n, shifted=False)))


def write_current(capture_root: Path, csv_path: Path, rows: int, seed: int = SEED) -> None:
    """Write ``rows`` shifted rows as capture files and, identically, as a CSV with a header."""
    rng = np.random.default_rng([seed, 1])
    ids = np.random.default_rng([seed, 2])
    with csv_path.open("wb") as plain:
        plain.write(_header())
        for start, n in _blocks(rows):
            arrays = _chunk(rng, n, shifted=True)
            _write_lines(plain, _csv_lines(arrays))
            index = np.arange(start, start + n)
            hour = WINDOW_START + timedelta(hours=int(start // HOUR_RECORDS))
            seconds = (index % HOUR_RECORDS) * 3600 // HOUR_RECORDS
            folder = capture_root / ENDPOINT / VARIANT / hour.strftime("%Y/%m/%d/%H")
            folder.mkdir(parents=True, exist_ok=True)
            first = _MINUTE_SECOND[seconds[0]].decode()[:5].replace(":", "-")
            name = f"{first}-000-{_hex_uuids(ids, 1)[0].as_py()}.jsonl"
            with (folder / name).open("wb") as capture:
                _write_lines(capture, _capture_lines(arrays, _hex_uuids(ids, n), hour, seconds))


def generate(directory: Path, rows: int, seed: int = SEED) -> GeneratedData:
    """Write (once; reused while its manifest matches) a baseline and a shifted current window.

    Args:
        directory: Parent folder; the data goes to ``<directory>/rows_<rows>``.
        rows: Rows in the baseline and in the current window each.
        seed: Seed of every generator.

    Returns:
        Where everything is, with the facts the benchmarks need.
    """
    folder = directory / f"rows_{rows}"
    hours = math.ceil(rows / HOUR_RECORDS)
    data = GeneratedData(
        rows=rows,
        baseline_csv=str(folder / "baseline.csv"),
        current_csv=str(folder / "current.csv"),
        capture_root=str(folder / "capture"),
        endpoint=ENDPOINT,
        window_start=WINDOW_START.isoformat().replace("+00:00", "Z"),
        window_end=(WINDOW_START + timedelta(hours=hours)).isoformat().replace("+00:00", "Z"),
        numeric=tuple(c.name for c in COLUMNS if c.kind == "numeric"),
        categorical=tuple(c.name for c in COLUMNS if c.kind == "categorical"),
        drifted=tuple(c.name for c in COLUMNS if c.shifted is not None),
        seed=seed,
        version=FORMAT_VERSION,
    )
    manifest = folder / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text()) == json.loads(_manifest(data)):
        return data
    folder.mkdir(parents=True, exist_ok=True)
    manifest.unlink(missing_ok=True)
    write_baseline(Path(data.baseline_csv), rows, seed)
    write_current(Path(data.capture_root), Path(data.current_csv), rows, seed)
    manifest.write_text(_manifest(data))
    return data


def _manifest(data: GeneratedData) -> str:
    return json.dumps(asdict(data), indent=2)


def main() -> None:
    """Generate the data for the given row counts and print where it is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--data", type=Path, default=Path("/tmp/watchkeeper-bench"))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for rows in args.rows:
        started = time.perf_counter()
        data = generate(args.data, rows, args.seed)
        sizes = {
            "baseline csv": Path(data.baseline_csv).stat().st_size,
            "current csv": Path(data.current_csv).stat().st_size,
            "capture": sum(p.stat().st_size for p in Path(data.capture_root).rglob("*.jsonl")),
        }
        described = ", ".join(f"{k} {v / 1e6:,.0f} MB" for k, v in sizes.items())
        print(f"{rows:,} rows in {time.perf_counter() - started:.1f}s: {described}")
        print(f"  {Path(data.baseline_csv).parent}")


if __name__ == "__main__":
    main()
