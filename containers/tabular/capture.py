"""Streaming reader of SageMaker endpoint capture files (``*.jsonl``) into analysed rows.

The analysed row of a record is ``[endpointOutput columns..., endpointInput columns...]`` (the
order of ``indexes``), matched by position to the baseline's feature names (``_c<i>`` past
them). Records outside ``[start, end)`` on ``eventMetadata.inferenceTime`` and shadow-variant
records (``invocationSource == "ShadowExperiment"``) are skipped and counted; malformed lines
and undecodable payloads are counted, never fatal. A record whose positional width differs from
the expected one is padded with missing values or cut (``short_rows`` / ``long_rows``).

Fast path (CSV payloads, the throughput target): without escapes a JSON line splits at its
``"`` into structure and string tokens at fixed positions, so one line parsed with ``json``
gives a template (token count, where each needed key and value sits), and one numpy pass over a
block finds every quote (`tabular.capture_tokens.tokenise`). Every row is checked against the
template: same token count, and every key on the path of every extracted value equal to the
template's (compared in place, 8 bytes at a time). The CSV payloads of the rows that pass are
split at their commas (found in the same pass) and each column is gathered by Arrow's ``take``,
exactly as Arrow's CSV reader would read them without quoting (no trimming, empty is null).
Every other line (escapes, a different shape, a non-CSV encoding, an unexpected number of
fields) takes the per-record path (`tabular.payload`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tabular.capture_template import SOURCE_PATH, TIME_PATH, CaptureTemplate, learn_template
from tabular.capture_tokens import TokenBlock, tokenise
from tabular.dataset import RecordCounters
from tabular.payload import PayloadError, Row, decode_payload
from tabular.reader import Source, column_names, line_blocks

__all__ = ["DEFAULT_INDEXES", "SHADOW_SOURCE", "CaptureReader"]

DEFAULT_INDEXES = ("endpointOutput", "endpointInput")
"""Capture indexes in analysed-row order: output columns first."""

SHADOW_SOURCE = "ShadowExperiment"
"""``eventMetadata.invocationSource`` of shadow-variant traffic, which is skipped."""

_TIME = TIME_PATH
_SOURCE = SOURCE_PATH
_US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_COMMA = np.uint8(ord(","))
_CAPTURE_BLOCK_SIZE = 2 << 20
_TEMPLATE_TRIES = 8


class CaptureReader:
    """Read capture files into text tables of analysed rows.

    Args:
        paths: Capture files (``*.jsonl``, or ranges of their lines), read in order.
        names: Feature names by position (the baseline's); extra columns get ``_c<i>``, and
            names without data stay as all-missing columns.
        start: Inclusive window start (naive times are UTC); None for no lower bound.
        end: Exclusive window end; None for no upper bound.
        indexes: Which capture indexes make up a row, in column order.
        block_size: Bytes of capture file per block.
    """

    def __init__(
        self,
        paths: Sequence[Source],
        *,
        names: Sequence[str] = (),
        start: datetime | None = None,
        end: datetime | None = None,
        indexes: Sequence[str] = DEFAULT_INDEXES,
        block_size: int = _CAPTURE_BLOCK_SIZE,
    ) -> None:
        self._paths = list(paths)
        self._names = list(names)
        self._start = _micros(start) if start else None
        self._end = _micros(end) if end else None
        self._indexes = tuple(indexes)
        self._block_size = block_size
        self._side_widths: dict[str, int] = {}
        self._template: CaptureTemplate | None = None
        self.counters = RecordCounters()

    @property
    def width(self) -> int:
        """Positional columns per row: the names, or more when records carry more columns."""
        observed = sum(self._side_widths.get(side, 0) for side in self._indexes)
        return max(len(self._names), observed)

    def batches(self) -> Iterator[pa.Table]:
        """Yield text tables of analysed rows, a few MB of capture lines at a time."""
        for path in self._paths:
            for block in line_blocks(path, self._block_size):
                yield from self._block_tables(block)

    def _block_tables(self, block: bytes) -> Iterator[pa.Table]:
        table, slow = self._fast_block(block)
        if table is not None and table.num_rows:
            yield table
        if slow:
            table = self._slow_lines(slow)
            if table.num_rows:
                yield table

    # -- fast path ------------------------------------------------------------------------

    def _fast_block(self, block: bytes) -> tuple[pa.Table | None, list[bytes]]:
        found = self._tokenise(block)
        if found is None:
            return None, _lines(block)
        template, tokens, valid = found
        keep = self._keep_by_metadata(tokens, template, valid)
        table, good = self._fast_table(tokens, template, valid & keep)
        rejected = tokens.rows[~good & ~(valid & ~keep)]
        return table, tokens.lines(np.concatenate((tokens.others, rejected)))

    def _tokenise(
        self, block: bytes
    ) -> tuple[CaptureTemplate, TokenBlock, npt.NDArray[np.bool_]] | None:
        """Tokenise with the last block's template, or learn one if most lines do not fit it."""
        if self._template is not None:
            tokens = tokenise(block, self._template)
            valid = self._valid_rows(tokens, self._template)
            if 2 * np.count_nonzero(valid) >= tokens.count + tokens.others.size:
                return self._template, tokens, valid
        self._template = self._learn(block)
        if self._template is None:
            return None
        tokens = tokenise(block, self._template)
        return self._template, tokens, self._valid_rows(tokens, self._template)

    def _learn(self, block: bytes) -> CaptureTemplate | None:
        start = 0
        for _ in range(_TEMPLATE_TRIES):
            end = block.find(b"\n", start)
            line = block[start:] if end < 0 else block[start:end]
            template = None if b"\\" in line else learn_template(line, self._indexes)
            if template is not None or end < 0:
                return template
            start = end + 1
        return None

    def _sides(self, template: CaptureTemplate) -> list[str]:
        return [s for s in self._indexes if ("captureData", s, "data") in template.values]

    def _valid_rows(self, tokens: TokenBlock, template: CaptureTemplate) -> npt.NDArray[np.bool_]:
        expected = dict(template.keys)
        for side in self._sides(template):
            expected[template.values[("captureData", side, "encoding")]] = "CSV"
        return tokens.matches(expected)

    def _keep_by_metadata(
        self, tokens: TokenBlock, template: CaptureTemplate, valid: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.bool_]:
        """Apply the shadow rule and the window; count what is dropped among valid rows."""
        keep = np.ones(tokens.count, dtype=bool)
        if _SOURCE in template.values:
            shadow = tokens.equals(template.values[_SOURCE], SHADOW_SOURCE)
            self.counters.shadow += int((shadow & valid).sum())
            keep &= ~shadow
        if self._start is not None or self._end is not None:
            micros, parsed = _parse_times(tokens.texts(template.values[_TIME]))
            self.counters.malformed += int((~parsed & valid & keep).sum())
            inside = parsed & self._inside(micros)
            self.counters.out_of_window += int((parsed & ~inside & valid & keep).sum())
            keep &= inside
        return keep

    def _inside(self, micros: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        inside = np.ones(micros.size, dtype=bool)
        if self._start is not None:
            inside &= micros >= self._start
        if self._end is not None:
            inside &= micros < self._end
        return inside

    def _fast_table(
        self, tokens: TokenBlock, template: CaptureTemplate, good: npt.NDArray[np.bool_]
    ) -> tuple[pa.Table | None, npt.NDArray[np.bool_]]:
        """The rows' table, and which rows made it (a payload of another width does not)."""
        sides = self._sides(template)
        for side in sides:
            self._learn_width(tokens, template, side, good)
        columns = self._side_columns(tokens, template, good)
        if columns is None:
            for side in sides:
                good = good & (self._payload_widths(tokens, template, side) == self._width(side))
            columns = self._side_columns(tokens, template, good)
        if columns is None or not good.any():
            return None, good & False
        return self._positional_table(columns, int(good.sum())), good

    def _learn_width(
        self, tokens: TokenBlock, template: CaptureTemplate, side: str, good: npt.NDArray[np.bool_]
    ) -> None:
        """A side's width is the field count of its first good payload (-1 until there is one)."""
        if self._side_widths.get(side, -1) >= 0 or not good.any():
            return
        start, end = tokens.span(template.values[("captureData", side, "data")])
        row = int(np.flatnonzero(good)[0])
        payload = tokens.data[start[row] : end[row]]
        self._side_widths[side] = int(np.count_nonzero(payload == _COMMA)) + 1

    def _width(self, side: str) -> int:
        return self._side_widths.get(side, -1)

    def _side_columns(
        self, tokens: TokenBlock, template: CaptureTemplate, good: npt.NDArray[np.bool_]
    ) -> list[pa.Array | pa.ChunkedArray] | None:
        """Every side's text columns for the good rows; None if some payload has another width."""
        columns: list[pa.Array | pa.ChunkedArray] = []
        rows = int(good.sum())
        for side in self._indexes:
            width = max(self._width(side), 0)
            path = ("captureData", side, "data")
            if path not in template.values:
                columns.extend(_nulls(rows) for _ in range(width))
                continue
            split = tokens.fields(template.values[path], good, width)
            if split is None:
                return None
            columns.extend(split)
        return columns

    def _payload_widths(
        self, tokens: TokenBlock, template: CaptureTemplate, side: str
    ) -> npt.NDArray[np.int64]:
        """Field count of every conforming row's payload on one side."""
        return tokens.field_counts(template.values[("captureData", side, "data")])

    def _positional_table(self, columns: list[pa.Array | pa.ChunkedArray], rows: int) -> pa.Table:
        width = self.width
        if len(columns) < width:
            self.counters.short_rows += rows
            columns = columns + [_nulls(rows) for _ in range(width - len(columns))]
        elif len(columns) > width:
            self.counters.long_rows += rows
            columns = columns[:width]
        return pa.table(columns, names=column_names(width, self._names))

    # -- per-record path ------------------------------------------------------------------

    def _slow_lines(self, lines: Sequence[bytes]) -> pa.Table:
        rows: list[Row] = []
        for line in lines:
            if line.strip():
                rows.extend(self._record_rows(line))
        return self._rows_table(rows)

    def _record_rows(self, line: bytes) -> list[Row]:
        try:
            record = json.loads(line)
        except ValueError:
            self.counters.malformed += 1
            return []
        capture = record.get("captureData") if isinstance(record, dict) else None
        if not isinstance(capture, dict):
            self.counters.malformed += 1
            return []
        if not self._admit(record.get("eventMetadata")):
            return []
        try:
            sides = [self._side_rows(capture, side) for side in self._indexes]
        except PayloadError:
            self.counters.undecodable += 1
            return []
        return self._pair(sides)

    def _admit(self, metadata: object) -> bool:
        meta = metadata if isinstance(metadata, dict) else {}
        if meta.get("invocationSource") == SHADOW_SOURCE:
            self.counters.shadow += 1
            return False
        if self._start is None and self._end is None:
            return True
        moment = _parse_time_text(meta.get("inferenceTime"))
        if moment is None:
            self.counters.malformed += 1
            return False
        if not self._inside(np.array([moment]))[0]:
            self.counters.out_of_window += 1
            return False
        return True

    def _side_rows(self, capture: Mapping[str, object], side: str) -> list[Row] | None:
        payload = capture.get(side)
        if not isinstance(payload, dict):
            return None
        rows = decode_payload(payload)
        if rows and rows[0].values:
            self._side_widths.setdefault(side, len(rows[0].values))
        return rows

    def _pair(self, sides: list[list[Row] | None]) -> list[Row]:
        lengths = {len(rows) for rows in sides if rows}
        if len(lengths) > 1:
            self.counters.undecodable += 1
            return []
        count = lengths.pop() if lengths else 0
        paired = [Row() for _ in range(count)]
        for side, rows in zip(self._indexes, sides, strict=True):
            for i in range(count):
                if rows:
                    paired[i].values.extend(rows[i].values)
                    paired[i].named.update(rows[i].named)
                else:
                    paired[i].values.extend([None] * self._side_widths.get(side, 0))
        return paired

    def _rows_table(self, rows: list[Row]) -> pa.Table:
        width = self.width
        names = column_names(width, self._names)
        positional: list[list[str | None]] = [[] for _ in range(width)]
        named: dict[str, list[str | None]] = {}
        for i, row in enumerate(rows):
            values = self._fit(row.values, width) if row.values else [None] * width
            for column, value in zip(positional, values, strict=True):
                column.append(value)
            for key, value in row.named.items():
                named.setdefault(key, [None] * i).append(value)
            for column_values in named.values():
                column_values.extend([None] * (i + 1 - len(column_values)))
        data = {
            name: pa.array(values, pa.string())
            for name, values in zip(names, positional, strict=True)
        }
        data.update({k: pa.array(v, pa.string()) for k, v in named.items() if k not in data})
        if not data:
            return pa.table({"_": pa.nulls(len(rows), pa.string())}).drop_columns(["_"])
        return pa.table(data)

    def _fit(self, values: list[str | None], width: int) -> list[str | None]:
        if len(values) < width:
            self.counters.short_rows += 1
            return values + [None] * (width - len(values))
        if len(values) > width:
            self.counters.long_rows += 1
            return values[:width]
        return values


def _lines(block: bytes) -> list[bytes]:
    return [line for line in block.split(b"\n") if line.strip()]


def _nulls(count: int) -> pa.Array:
    return pa.nulls(count, pa.string())


def _micros(moment: datetime) -> int:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    delta = aware - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds


def _parse_times(
    column: pa.ChunkedArray | pa.Array,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Microseconds since the epoch and which values parsed (vectorised, Python fallback).

    Times without a zone are UTC (the SageMaker SDK writes such ``inferenceTime`` values).
    """
    for kind in (pa.timestamp("us", "UTC"), pa.timestamp("us")):
        try:
            micros = pc.cast(pc.cast(column, kind), pa.int64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return np.asarray(micros, dtype=np.int64), np.ones(len(micros), dtype=bool)
    parsed = [_parse_time_text(v) for v in column.to_pylist()]
    micros = np.array([p if p is not None else 0 for p in parsed], dtype=np.int64)
    return micros, np.array([p is not None for p in parsed], dtype=bool)


def _parse_time_text(value: object) -> int | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        return _micros(datetime.fromisoformat(text))
    except ValueError:
        return None
