"""The token template of a capture line, for the vectorised capture path.

A JSON line without backslashes, split at every ``"``, alternates structure and string tokens,
so in a file written by one serializer a given key and value sit at the same token index on
every line. `learn_template` finds those indexes from one line (checked against ``json``), and
`tokenise` finds every quote and line break of a block in one numpy pass: the lines with the
template's quote count become a ``(tokens - 1, rows)`` matrix of quote positions, from which
any token of every row is a slice of the block (compared in place, or gathered by Arrow).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = [
    "SOURCE_PATH",
    "TIME_PATH",
    "CaptureTemplate",
    "TokenBlock",
    "learn_template",
    "spans_to_strings",
    "tokenise",
]

Path = tuple[str, ...]

TIME_PATH: Path = ("eventMetadata", "inferenceTime")
"""Where the inference time sits."""

SOURCE_PATH: Path = ("eventMetadata", "invocationSource")
"""Where the invocation source (shadow traffic) sits."""


@dataclass(frozen=True, slots=True)
class CaptureTemplate:
    """Where the needed strings sit among a line's ``"``-separated tokens.

    Attributes:
        tokens: Number of tokens of a conforming line.
        values: Token index of the string value of each needed JSON path.
        keys: Token index → expected key text, for every key on those paths.
    """

    tokens: int
    values: dict[Path, int]
    keys: dict[int, str]

    def column(self, path: Path) -> str:
        """Name of the token column holding ``path``'s value."""
        return f"t{self.values[path]}"


def learn_template(line: bytes, indexes: Sequence[str]) -> CaptureTemplate | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    tokens = line.split(b'"')
    if len(tokens) % 2 == 0 or not isinstance(record, dict):
        return None
    walked = _walk(tokens)
    if walked is None:
        return None
    values, keys = walked
    sides: list[Path] = [("captureData", s, k) for s in indexes for k in ("data", "encoding")]
    wanted: list[Path] = [TIME_PATH, SOURCE_PATH, *sides]
    found = {path: values[path] for path in wanted if path in values}
    if TIME_PATH not in found or not any(p[-1] == "data" for p in found):
        return None
    for path, index in found.items():
        if _lookup(record, path) != tokens[index].decode("utf-8", "replace"):
            return None
    checks = {keys[path[:i]]: path[i - 1] for path in found for i in range(1, len(path) + 1)}
    return CaptureTemplate(len(tokens), found, checks)


@dataclass(slots=True)
class _Frame:
    """An open JSON container while walking a line's tokens."""

    is_object: bool
    path: Path
    expecting_key: bool
    key: str = ""

    def child_path(self) -> Path:
        return (*self.path, self.key if self.is_object else "[]")


def _walk(tokens: list[bytes]) -> tuple[dict[Path, int], dict[Path, int]] | None:
    """Map JSON paths to the token index of their string value and of their key."""
    stack: list[_Frame] = []
    values: dict[Path, int] = {}
    keys: dict[Path, int] = {}
    try:
        for index, token in enumerate(tokens):
            if index % 2 == 0:
                _structure(token.decode("ascii"), stack)
                continue
            top = stack[-1]
            text = token.decode("utf-8")
            if top.is_object and top.expecting_key:
                top.key = text
                keys[top.child_path()] = index
            elif top.is_object:
                values[top.child_path()] = index
    except (IndexError, UnicodeDecodeError):
        return None
    return (values, keys) if not stack else None


def _structure(text: str, stack: list[_Frame]) -> None:
    for char in text:
        if char in "{[":
            parent = stack[-1].child_path() if stack else ()
            stack.append(_Frame(char == "{", parent, char == "{"))
        elif char in "}]":
            stack.pop()
        elif char == ":":
            stack[-1].expecting_key = False
        elif char == "," and stack[-1].is_object:
            stack[-1].expecting_key = True


def _lookup(record: object, path: Path) -> object:
    for key in path:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record


@dataclass(frozen=True, slots=True)
class TokenBlock:
    """Where the ``"``-separated tokens of the lines of a block lie.

    Token ``t`` of a line is the text between its quotes ``t - 1`` and ``t``. Only lines with
    the template's token count and without backslashes ("conforming" rows) have quote
    positions; the others are listed in ``others`` for the per-record path.

    Attributes:
        data: The block's bytes, then `_PAD` zero bytes (so that 8-byte words can be read at
            any position of the block).
        quotes: ``(tokens - 1, rows)``: the position of each quote of each conforming row.
        rows: The line number (within the block) of each conforming row.
        others: Line numbers of the lines that do not conform.
        line_starts: Start of every line of the block.
        line_ends: End of every line (its line break, or the end of the block).
    """

    data: npt.NDArray[np.uint8]
    quotes: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int64]
    others: npt.NDArray[np.int64]
    line_starts: npt.NDArray[np.int64]
    line_ends: npt.NDArray[np.int64]

    @property
    def count(self) -> int:
        """Number of conforming rows."""
        return int(self.rows.size)

    def span(self, token: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Start and end offsets of one token in every conforming row."""
        return self.quotes[token - 1] + 1, self.quotes[token]

    def equals(self, token: int, text: str) -> npt.NDArray[np.bool_]:
        """Which conforming rows hold exactly ``text`` as token ``token`` (8 bytes at a time)."""
        start, end = self.span(token)
        expected = text.encode("utf-8")
        same = (end - start) == len(expected)
        words = np.ndarray((self.data.size - _PAD + 1,), "<u8", self.data, strides=(1,))
        last = words.size - 1
        for offset in range(0, len(expected), _PAD):
            chunk = expected[offset : offset + _PAD]
            mask = np.uint64((1 << (8 * len(chunk))) - 1)
            # Rows of another length may read past the block: clip, their verdict is settled.
            word = words[np.minimum(start + offset, last)]
            same &= (word & mask) == np.uint64(int.from_bytes(chunk, "little"))
        return same

    def texts(self, token: int, rows: npt.NDArray[np.bool_] | None = None) -> pa.Array:
        """Token ``token`` of the conforming rows (or of those selected) as a string array."""
        start, end = self.span(token)
        if rows is not None:
            start, end = start[rows], end[rows]
        return spans_to_strings(self.data, start, end)

    def lines(self, numbers: npt.NDArray[np.int64]) -> list[bytes]:
        """The original text of some lines of the block."""
        data = self.data
        return [
            data[start:end].tobytes()
            for start, end in zip(
                self.line_starts[numbers].tolist(), self.line_ends[numbers].tolist(), strict=True
            )
        ]


_PAD = 8
_QUOTE, _NEWLINE, _BACKSLASH = (np.uint8(ord(c)) for c in '"\n\\')
_ASCII_END = np.uint8(0x80)
_INT32_LIMIT = 1 << 31


def tokenise(block: bytes, template: CaptureTemplate) -> TokenBlock:
    """Locate the tokens of every line of ``block`` that has the template's token count.

    Lines with a backslash (JSON escapes shift no quotes, but their text needs decoding) or
    with bytes that are not valid UTF-8 are left for the per-record path.
    """
    data = np.frombuffer(block + bytes(_PAD), dtype=np.uint8)
    body = data[: len(block)]
    special = np.flatnonzero((body == _QUOTE) | (body == _NEWLINE))
    newline = body[special] == _NEWLINE
    ends = special[newline]
    if not block.endswith(b"\n"):
        ends = np.append(ends, len(block))
        newline = np.append(newline, True)
    starts = np.concatenate(([0], ends[:-1] + 1))
    quotes_before = np.flatnonzero(newline) - np.arange(ends.size)
    counts = np.diff(quotes_before, prepend=0)
    good = (counts == template.tokens - 1) & ~_unusual_lines(block, body, ends)
    quotes = special[~newline[: special.size]]
    if not good.all():
        quotes = quotes[np.repeat(good, counts)]
    matrix = np.ascontiguousarray(quotes.reshape(-1, template.tokens - 1).T)
    return TokenBlock(
        data, matrix, np.flatnonzero(good), np.flatnonzero(~good), starts, ends.astype(np.int64)
    )


def _unusual_lines(
    block: bytes, body: npt.NDArray[np.uint8], ends: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Lines with a backslash, or with bytes that are not valid UTF-8."""
    unusual = np.zeros(ends.size, dtype=bool)
    if b"\\" in block:
        unusual[np.searchsorted(ends, np.flatnonzero(body == _BACKSLASH))] = True
    if body.size and body.max() >= _ASCII_END:
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            unusual |= _undecodable(block, ends)
    return unusual


def _undecodable(block: bytes, ends: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    flags = []
    start = 0
    for end in ends.tolist():
        try:
            block[start:end].decode("utf-8")
        except UnicodeDecodeError:
            flags.append(True)
        else:
            flags.append(False)
        start = end + 1
    return np.array(flags, dtype=bool)


def spans_to_strings(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> pa.Array:
    """A string array of ``data[starts[i]:ends[i]]`` (one gather by Arrow's ``take``)."""
    count = starts.size
    if count == 0:
        return pa.array([], pa.string())
    small = data.size < _INT32_LIMIT
    # Interleave the spans with the gaps between them: value 2i is span i.
    bounds = np.empty(2 * count, dtype=np.int32 if small else np.int64)
    bounds[0::2], bounds[1::2] = starts, ends
    kind = pa.string() if small else pa.large_string()
    both = pa.Array.from_buffers(
        kind, 2 * count - 1, [None, pa.py_buffer(bounds), pa.py_buffer(data)]
    )
    picked = both.take(pa.array(np.arange(0, 2 * count - 1, 2)))
    return picked if small else picked.cast(pa.string())
