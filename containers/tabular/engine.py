"""One pass over a list of files: a reader feeds a `DatasetProfile`, batch by batch.

With ``threads > 1`` the reader runs in a background thread (at most two batches in flight, so
memory stays bounded) and the columns of each batch are profiled in a thread pool; Arrow and
numpy release the GIL in their kernels, so this uses a second core.
"""

from __future__ import annotations

import enum
import queue
import threading
from collections.abc import Iterator, Sequence
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
)

__all__ = ["InputFormat", "make_reader", "profile_files", "profile_reader"]

_IN_FLIGHT = 2


class InputFormat(enum.Enum):
    """What the input files are."""

    CSV = "csv"
    JSON_LINES = "json"
    PARQUET = "parquet"
    CAPTURE = "capture"


def make_reader(
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
) -> Reader:
    """The reader for ``input_format`` (options that do not apply to it are ignored).

    ``block_size`` None picks each reader's default (4 MiB of text, 8 MiB of capture lines).
    """
    if input_format is InputFormat.CSV:
        size = block_size or DEFAULT_BLOCK_SIZE
        return CsvReader(paths, header=header, names=names, block_size=size)
    if input_format is InputFormat.JSON_LINES:
        return JsonLinesReader(paths, block_size=block_size or DEFAULT_BLOCK_SIZE)
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
    if threads <= 1:
        profile.update_all(reader.batches())
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for batch in _prefetch(reader.batches()):
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
) -> DatasetProfile:
    """Read and profile a list of files in one pass (see `make_reader`, `profile_reader`)."""
    reader = make_reader(
        input_format,
        paths,
        header=header,
        names=names,
        start=start,
        end=end,
        indexes=indexes,
        block_size=block_size,
        batch_rows=batch_rows,
    )
    columns = names if input_format is InputFormat.CAPTURE else ()
    return profile_reader(reader, columns=columns, settings=settings, threads=threads)


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
