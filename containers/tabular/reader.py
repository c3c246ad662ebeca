"""Streaming readers of baseline datasets: CSV, JSON Lines and Parquet, as Arrow batches.

Every reader yields tables of bounded size (about ``block_size`` bytes of input, or
``batch_rows`` Parquet rows) and counts what it could not read in ``counters`` instead of
failing. CSV is read as text (every column ``string``, only the empty field is null, as Spark's
CSV reader does); JSON Lines and Parquet keep their types, and `tabular.datatype` classifies
typed values. Nested JSON/Parquet values (objects, lists) become compact JSON text.
Line-oriented readers also take a `FileRange`, the lines that start in a byte range of a file,
so that worker processes can share one file (`tabular.shards`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from tabular.dataset import RecordCounters

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "CsvReader",
    "FileRange",
    "JsonLinesReader",
    "ParquetReader",
    "Reader",
    "Source",
    "as_range",
    "column_names",
    "line_blocks",
    "to_text_table",
]

DEFAULT_BLOCK_SIZE = 4 << 20
"""Bytes of input per batch (a few MB keeps memory flat and Arrow's threads busy)."""

PathLike = str | Path

_SCAN = 1 << 16


class Reader(Protocol):
    """What the engine needs from a reader."""

    counters: RecordCounters

    def batches(self) -> Iterator[pa.Table]:
        """Yield the data as Arrow tables of bounded size."""
        ...


def column_names(count: int, names: Sequence[str] = ()) -> list[str]:
    """Names for ``count`` columns: ``names`` first, then Spark's ``_c<i>``."""
    return [names[i] if i < len(names) else f"_c{i}" for i in range(count)]


@dataclass(frozen=True, slots=True)
class FileRange:
    """The lines of a file that start at a byte offset in ``[start, end)``.

    Consecutive ranges of one file (``[0, a)``, ``[a, b)``, ...) hold every line exactly once,
    whatever the offsets, so a file can be split for parallel reading without looking at it.

    Attributes:
        path: The file.
        start: First byte offset.
        end: Offset past the last; None for the end of the file.
    """

    path: PathLike
    start: int = 0
    end: int | None = None


Source = PathLike | FileRange
"""What readers accept: a whole file, or a range of its lines."""


def as_range(source: Source) -> FileRange:
    """A `FileRange` for a path (the whole file) or a range (unchanged)."""
    return source if isinstance(source, FileRange) else FileRange(source)


def line_blocks(source: Source, block_size: int = DEFAULT_BLOCK_SIZE) -> Iterator[bytes]:
    """Read a file (or a range of its lines) in blocks that end on a line break.

    The last block may lack the final line break.
    """
    lines = as_range(source)
    with open(lines.path, "rb") as handle:
        first = _line_start(handle, lines.start)
        stop = _line_start(handle, lines.end) if lines.end is not None else None
        handle.seek(first)
        carry = b""
        while chunk := handle.read(_next_read(handle.tell(), stop, block_size)):
            cut = chunk.rfind(b"\n") + 1
            if cut == 0:
                carry += chunk
                continue
            # One copy per block: the short carried tail plus the chunk up to its last newline.
            yield b"".join((carry, memoryview(chunk)[:cut]))
            carry = chunk[cut:]
        if carry.strip():
            yield carry


def _line_start(handle: BinaryIO, offset: int) -> int:
    """The offset of the first line that starts at or after ``offset`` (or the file size)."""
    if offset <= 0:
        return 0
    handle.seek(offset - 1)
    position = offset - 1
    while chunk := handle.read(_SCAN):
        found = chunk.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(chunk)
    return position


def _next_read(position: int, stop: int | None, block_size: int) -> int:
    return block_size if stop is None else max(0, min(block_size, stop - position))


class CsvReader:
    """CSV files with or without a header line, read as text.

    Args:
        paths: Files (or ranges of their lines), read in order.
        header: Whether each file's first line names the columns.
        names: Column names to use for header-less files (missing ones become ``_c<i>``).
        delimiter: Field delimiter.
        block_size: Bytes per batch.
        newlines_in_values: Allow quoted values to span lines (slower; whole files only).
        use_threads: Let Arrow parse each block on several threads.
    """

    def __init__(
        self,
        paths: Sequence[Source],
        *,
        header: bool,
        names: Sequence[str] = (),
        delimiter: str = ",",
        block_size: int = DEFAULT_BLOCK_SIZE,
        newlines_in_values: bool = False,
        use_threads: bool = True,
    ) -> None:
        self._paths = [as_range(path) for path in paths]
        self._header = header
        self._names = list(names)
        self._delimiter = delimiter
        self._block_size = block_size
        self._newlines = newlines_in_values
        self._threads = use_threads
        self.counters = RecordCounters()

    def batches(self) -> Iterator[pa.Table]:
        """Yield all-text tables; rows with the wrong number of fields are counted, skipped."""
        for lines in self._paths:
            yield from self._file_batches(lines)

    def _file_batches(self, lines: FileRange) -> Iterator[pa.Table]:
        path = Path(lines.path)
        first = _first_row(path, self._delimiter)
        if first is None:
            return
        names = _dedupe(first) if self._header else column_names(len(first), self._names)
        if not self._newlines:
            yield from self._block_batches(lines, names)
            return
        if lines.start or lines.end is not None:
            raise ValueError("a CSV file with newlines in values can only be read whole")
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=names,
                skip_rows=1 if self._header else 0,
                block_size=self._block_size,
                use_threads=self._threads,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=self._delimiter,
                newlines_in_values=self._newlines,
                invalid_row_handler=self._invalid_row,
            ),
            convert_options=text_convert_options(names),
        )
        for batch in reader:
            yield pa.Table.from_batches([batch])

    def _block_batches(self, lines: FileRange, names: list[str]) -> Iterator[pa.Table]:
        """Line-aligned blocks parsed by Arrow's reader (no quoted newlines)."""
        header = self._header and lines.start == 0
        for index, block in enumerate(line_blocks(lines, self._block_size)):
            yield pacsv.read_csv(
                pa.BufferReader(block),
                read_options=pacsv.ReadOptions(
                    column_names=names,
                    skip_rows=1 if header and index == 0 else 0,
                    use_threads=self._threads,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=self._delimiter, invalid_row_handler=self._invalid_row
                ),
                convert_options=text_convert_options(names),
            )

    def _invalid_row(self, row: object) -> str:
        self.counters.malformed += 1
        return "skip"


def text_convert_options(names: Sequence[str]) -> pacsv.ConvertOptions:
    """Every column as text; only the empty field (quoted or not) is null."""
    return pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        check_utf8=False,
    )


def _first_row(path: Path, delimiter: str) -> list[str] | None:
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.reader(handle, delimiter=delimiter):
            return row
    return None


def _dedupe(names: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for i, raw in enumerate(names):
        name = raw.strip() or f"_c{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 0)
        result.append(name)
    return result


class JsonLinesReader:
    """JSON Lines files of flat objects; nested values become JSON text.

    Blocks are parsed by Arrow; a block Arrow rejects (a malformed line, or a key whose type
    changes inside the block) is re-read line by line, and only unreadable lines are lost
    (counted in ``counters.malformed``).

    Args:
        paths: Files (or ranges of their lines), read in order.
        block_size: Bytes per batch.
        use_threads: Let Arrow parse each block on several threads.
    """

    def __init__(
        self,
        paths: Sequence[Source],
        *,
        block_size: int = DEFAULT_BLOCK_SIZE,
        use_threads: bool = True,
    ) -> None:
        self._paths = list(paths)
        self._block_size = block_size
        self._threads = use_threads
        self._text_fields: dict[str, pa.DataType] = {}
        self.counters = RecordCounters()

    def batches(self) -> Iterator[pa.Table]:
        """Yield one table per block."""
        for path in self._paths:
            for block in line_blocks(path, self._block_size):
                table = self._parse_block(block)
                if table.num_rows:
                    yield table

    def _parse_block(self, block: bytes) -> pa.Table:
        try:
            table = self._arrow_parse(block)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return self._python_parse(block)
        temporal = [f.name for f in table.schema if pa.types.is_temporal(f.type)]
        if temporal:
            # Arrow turned ISO strings into timestamps; keep the original text instead.
            self._text_fields.update({name: pa.string() for name in temporal})
            table = self._arrow_parse(block)
        return to_text_table(table, nested_only=True)

    def _arrow_parse(self, block: bytes) -> pa.Table:
        schema = pa.schema(list(self._text_fields.items())) if self._text_fields else None
        options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
        read = pajson.ReadOptions(use_threads=self._threads)
        return pajson.read_json(pa.BufferReader(block), read_options=read, parse_options=options)

    def _python_parse(self, block: bytes) -> pa.Table:
        rows = []
        for line in block.splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                self.counters.malformed += 1
                continue
            if not isinstance(record, dict):
                self.counters.malformed += 1
                continue
            rows.append(record)
        return rows_to_table(rows)


def rows_to_table(rows: Sequence[dict[str, object]]) -> pa.Table:
    """Text table from Python records (keys in first-seen order, values as Spark prints them)."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns = {
        name: pa.array([json_text(row.get(name)) for row in rows], pa.string()) for name in names
    }
    return (
        pa.table(columns)
        if columns
        else pa.table({})
        .append_column("_", pa.array([None] * len(rows), pa.string()))
        .drop_columns(["_"])
    )


def json_text(value: object) -> str | None:
    """A decoded JSON value as text: null stays null, booleans are ``true``/``false``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, separators=(",", ":"))


def to_text_table(table: pa.Table, *, nested_only: bool = False) -> pa.Table:
    """Turn nested (or, unless ``nested_only``, all) columns into text columns."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        kind = field.type
        if pa.types.is_nested(kind):
            values = [json_text(v) for v in column.to_pylist()]
            columns.append(pa.array(values, pa.string()))
        elif not nested_only and not pa.types.is_string(kind):
            columns.append(column.cast(pa.string()))
        else:
            columns.append(column)
    return pa.table(columns, names=table.column_names)


class ParquetReader:
    """Parquet files streamed row group by row group, keeping column types.

    Args:
        paths: Files, read in order (whole: a `FileRange` must cover its file).
        batch_rows: Rows per batch.
    """

    def __init__(self, paths: Sequence[Source], *, batch_rows: int = 65536) -> None:
        self._paths = [as_range(path) for path in paths]
        if any(part.start or part.end is not None for part in self._paths):
            raise ValueError("Parquet files can only be read whole")
        self._batch_rows = batch_rows
        self.counters = RecordCounters()

    def batches(self) -> Iterator[pa.Table]:
        """Yield one table per batch of rows."""
        for part in self._paths:
            parquet = pq.ParquetFile(part.path)
            for batch in parquet.iter_batches(batch_size=self._batch_rows):
                yield to_text_table(pa.Table.from_batches([batch]), nested_only=True)
