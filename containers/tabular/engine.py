"""One pass over a list of files: a reader feeds a `DatasetProfile`, batch by batch.

`profile_files` splits line-oriented input (CSV, JSON Lines, capture files) into byte ranges
profiled by ``workers`` processes and merges their profiles (`tabular.shards`); each process
then parses with one thread. With ``threads > 1`` a process also runs its reader in a background
thread (at most two batches in flight, so memory stays bounded) and profiles the columns of
each batch in a thread pool; Arrow and numpy release the GIL in their kernels.
"""

from __future__ import annotations

import enum
import functools
import os
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pyarrow as pa

from tabular.capture import DEFAULT_INDEXES, CaptureReader
from tabular.column import ProfileSettings
from tabular.dataset import DatasetProfile
from tabular.reader import (
    DEFAULT_BLOCK_SIZE,
    CsvReader,
    JsonLinesReader,
    ParquetReader,
    PathLike,
    Reader,
    Source,
)
from tabular.shards import Shard, default_workers, plan_shards, profile_shards

__all__ = ["InputFormat", "make_reader", "profile_files", "profile_reader", "rebatch"]

_IN_FLIGHT = 2
# Text blocks parsed on one thread (worker processes): smaller, to keep each process lean.
_SERIAL_BLOCK_SIZE = 1 << 20
# Profile batches of about this size: a few per reader block for wide tables, one for narrow.
_BATCH_BYTES = 4 << 20
# Below this much input per worker, extra processes cost more than they save.
_MIN_SHARD_BYTES = 32 << 20


class InputFormat(enum.Enum):
    """What the input files are."""

    CSV = "csv"
    JSON_LINES = "json"
    PARQUET = "parquet"
    CAPTURE = "capture"


def make_reader(
    input_format: InputFormat,
    paths: Sequence[Source],
    *,
    header: bool = False,
    names: Sequence[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    indexes: Sequence[str] = DEFAULT_INDEXES,
    block_size: int | None = None,
    batch_rows: int = 65536,
    use_threads: bool = True,
) -> Reader:
    """The reader for ``input_format`` (options that do not apply to it are ignored).

    ``block_size`` None picks each reader's default (4 MiB of text, 2 MiB when Arrow parses it
    on one thread, 2 MiB of capture lines); ``use_threads`` lets Arrow parse a CSV or JSON block
    on several threads.
    """
    size = block_size or (DEFAULT_BLOCK_SIZE if use_threads else _SERIAL_BLOCK_SIZE)
    if input_format is InputFormat.CSV:
        return CsvReader(
            paths, header=header, names=names, block_size=size, use_threads=use_threads
        )
    if input_format is InputFormat.JSON_LINES:
        return JsonLinesReader(paths, block_size=size, use_threads=use_threads)
    if input_format is InputFormat.PARQUET:
        return ParquetReader(paths, batch_rows=batch_rows)
    if block_size is None:
        return CaptureReader(paths, names=names, start=start, end=end, indexes=indexes)
    return CaptureReader(
        paths, names=names, start=start, end=end, indexes=indexes, block_size=block_size
    )


def profile_reader(
    reader: Reader,
    *,
    columns: Sequence[str] = (),
    settings: ProfileSettings | None = None,
    threads: int = 1,
) -> DatasetProfile:
    """Profile everything a reader yields, in one pass.

    Args:
        reader: Any `tabular.reader.Reader`.
        columns: Column names known up front (e.g. the baseline's features), kept first.
        settings: Sketch sizes.
        threads: 1 for a plain loop; more to overlap reading and profile columns in parallel.

    Returns:
        The profile, with the reader's counters merged in.
    """
    profile = DatasetProfile(columns, settings)
    batches = rebatch(reader.batches(), _BATCH_BYTES)
    if threads <= 1:
        profile.update_all(batches)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for batch in _prefetch(batches):
                profile.update(batch, executor=pool)
    profile.counters.merge(reader.counters)
    return profile


def profile_files(
    input_format: InputFormat,
    paths: Sequence[PathLike],
    *,
    header: bool = False,
    names: Sequence[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    indexes: Sequence[str] = DEFAULT_INDEXES,
    block_size: int | None = None,
    batch_rows: int = 65536,
    settings: ProfileSettings | None = None,
    threads: int = 1,
    workers: int | None = None,
) -> DatasetProfile:
    """Read and profile a list of files in one pass (see `make_reader`, `profile_reader`).

    Args:
        input_format: What the files are.
        paths: The files, in order.
        header: CSV files start with a header line.
        names: Column names (header-less CSV, capture files).
        start: Capture window start (inclusive).
        end: Capture window end (exclusive).
        indexes: Capture indexes making up a row.
        block_size: Bytes per batch (None: each reader's default).
        batch_rows: Parquet rows per batch.
        settings: Sketch sizes.
        threads: Threads per process (see `profile_reader`).
        workers: Processes that profile byte ranges of the input in parallel, their profiles
            merged (`tabular.shards`). None: `tabular.shards.default_workers`, one for inputs
            under 32 MiB per worker. Parquet is always read by the calling process.

    Returns:
        The profile, with the readers' counters merged in.
    """
    count = _worker_count(input_format, paths, workers)
    run = functools.partial(
        _profile_shard,
        input_format=input_format,
        header=header,
        names=tuple(names),
        start=start,
        end=end,
        indexes=tuple(indexes),
        block_size=block_size,
        batch_rows=batch_rows,
        settings=settings,
        threads=threads,
        use_threads=count == 1,
    )
    return profile_shards(run, plan_shards(paths, count))


def _worker_count(input_format: InputFormat, paths: Sequence[PathLike], workers: int | None) -> int:
    if input_format is InputFormat.PARQUET:
        return 1
    if workers is not None:
        return max(1, workers)
    total = sum(os.path.getsize(path) for path in paths)
    return max(1, min(default_workers(), total // _MIN_SHARD_BYTES))


def _profile_shard(
    shard: Shard,
    *,
    input_format: InputFormat,
    names: Sequence[str],
    settings: ProfileSettings | None,
    threads: int,
    **options: object,
) -> DatasetProfile:
    """Profile one shard (``options`` are `make_reader`'s)."""
    reader = make_reader(input_format, shard, names=names, **options)  # type: ignore[arg-type]
    columns = names if input_format is InputFormat.CAPTURE else ()
    return profile_reader(reader, columns=columns, settings=settings, threads=threads)


def rebatch(tables: Iterable[pa.Table], target_bytes: int) -> Iterator[pa.Table]:
    """Join consecutive tables of one schema until each holds about ``target_bytes``.

    Readers cut the input by the memory their parsing needs; profiling costs a fixed amount
    per column and batch, so it wants fewer, larger batches (joined without copying).

    Args:
        tables: Tables in input order.
        target_bytes: Size from which a joined table is passed on.

    Yields:
        The same rows, in the same order.
    """
    pending: list[pa.Table] = []
    size = 0
    for table in tables:
        if pending and table.schema != pending[0].schema:
            yield _joined(pending)
            pending, size = [], 0
        pending.append(table)
        size += table.nbytes
        if size >= target_bytes:
            yield _joined(pending)
            pending, size = [], 0
    if pending:
        yield _joined(pending)


def _joined(tables: list[pa.Table]) -> pa.Table:
    return tables[0] if len(tables) == 1 else pa.concat_tables(tables)


def _prefetch(batches: Iterator[pa.Table]) -> Iterator[pa.Table]:
    """Run an iterator in a background thread, at most `_IN_FLIGHT` items ahead."""
    slots: queue.Queue[pa.Table | BaseException | None] = queue.Queue(maxsize=_IN_FLIGHT)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                slots.put(batch)
            slots.put(None)
        except BaseException as exc:
            slots.put(exc)

    worker = threading.Thread(target=produce, name="tabular-reader", daemon=True)
    worker.start()
    try:
        while (item := slots.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                slots.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)
