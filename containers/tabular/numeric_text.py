"""Vectorised recognition of text columns whose present values are all plain Deequ numbers.

Deequ's regular expressions (`tabular.datatype`) cost about a microsecond per value. The common
case, a text column in which every present value is an ``Integral`` or ``Fractional`` literal
with a finite value, is decided here from Arrow's number parsing plus a few byte-level checks,
and anything else gives up (`parse_numeric_text` returns None) so that the caller takes the
exact path. The verdict is never different from the regular expressions':

* Arrow's integer parser accepts ``[-]digits`` but also hexadecimal (``0x1F``); the integer
  path runs only when every byte lies in ``'-'..'9'`` and none is ``'.'`` or ``'/'``, which
  leaves exactly ``-?digits``.
* Arrow's float parser accepts Deequ's forms and also ``.5``, ``5.``, ``-.5``, ``inf``, ``nan``
  and ``Infinity``. A non-finite result gives up (``1e400`` included: the exact path counts it);
  so does any ``'.'`` that is not between two digits of the same value. Bytes below ``'+'``
  (spaces, as in Deequ's ``"- 12"``) and letters other than ``e``/``E`` give up before parsing,
  so a failing parse (which costs milliseconds in Arrow) is rare. What remains is
  ``Fractional`` when it contains ``'.'``, ``'e'`` or ``'E'`` and ``Integral`` otherwise.

Null slots are skipped by Arrow; bytes a writer left inside a null slot can only make this
module give up, never change a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["NumericText", "parse_numeric_text", "present_mask", "text_buffers"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

_PLUS, _MINUS, _DOT, _SLASH, _ZERO, _NINE = (np.uint8(ord(c)) for c in "+-./09")
_TEN = np.uint8(10)
_CASE_BIT = np.uint8(0x20)
_E = np.uint8(ord("e"))
_MARKER_BYTES = (b".", b"e", b"E")
# Up to this many whole-number candidates are checked one by one.
_FEW = 32
_PARSE_ERRORS = (pa.ArrowInvalid, pa.ArrowNotImplementedError)


@dataclass(frozen=True, slots=True)
class NumericText:
    """The present values of a text column, all of them Deequ numbers.

    Attributes:
        numbers: Their float values, in order (all finite).
        integral: Which of them are ``Integral`` (the others are ``Fractional``).
        integers: Their integer values when all are ``Integral`` and written canonically (no
            leading zero, no ``-0``), so that the text of a value is ``str`` of its integer;
            None otherwise.
    """

    numbers: FloatArray
    integral: BoolArray
    integers: IntArray | None

    @property
    def integral_count(self) -> int:
        """Number of ``Integral`` values."""
        return int(np.count_nonzero(self.integral))


def parse_numeric_text(
    values: pa.Array, buffers: tuple[IntArray, npt.NDArray[np.uint8]] | None = None
) -> NumericText | None:
    """Classify a string array whose present values are all plain numbers, or give up.

    Args:
        values: A ``string`` or ``large_string`` array; nulls are skipped.
        buffers: Its `text_buffers`, if the caller has them already.

    Returns:
        The numbers and their Deequ types, or None when some present value is not a finite
        ``Integral``/``Fractional`` literal (or might not be): use the exact path then.
    """
    offsets, data = buffers if buffers is not None else text_buffers(values)
    if data.size == 0:
        return None
    low, high = data.min(), data.max()
    if low < _PLUS:
        return None
    dots = data == _DOT
    if low >= _MINUS and high <= _NINE and not dots.any() and not (data == _SLASH).any():
        whole = _integers(values, offsets, data)
        if whole is not None:
            return whole
    if high > _NINE and np.count_nonzero(data > _NINE) != np.count_nonzero(
        (data | _CASE_BIT) == _E
    ):
        return None
    return _floats(values, offsets, data, dots)


def text_buffers(values: pa.Array) -> tuple[IntArray, npt.NDArray[np.uint8]]:
    """Offsets (n + 1, from the start of the first value) and data bytes of a string array.

    The data is the array's own buffer (no copy), from the first value to the end of the last.
    """
    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    buffers = values.buffers()
    raw = np.frombuffer(buffers[1], dtype=width)[values.offset : values.offset + len(values) + 1]
    offsets: IntArray = raw.astype(np.int64)
    first = int(offsets[0])
    offsets -= first
    if buffers[2] is None:
        return offsets, np.empty(0, dtype=np.uint8)
    return offsets, np.frombuffer(buffers[2], dtype=np.uint8)[first : first + int(offsets[-1])]


def present_mask(values: pa.Array) -> BoolArray:
    """Which slots of an array are not null."""
    if values.null_count == 0:
        return np.ones(len(values), dtype=bool)
    bitmap = np.frombuffer(values.buffers()[0], dtype=np.uint8)
    bits = np.unpackbits(bitmap, bitorder="little")
    return bits[values.offset : values.offset + len(values)].astype(bool)


def _integers(
    values: pa.Array, offsets: IntArray, data: npt.NDArray[np.uint8]
) -> NumericText | None:
    try:
        parsed = pc.cast(values, pa.int64())
    except _PARSE_ERRORS:
        return None
    ints: IntArray = parsed.drop_null().to_numpy() if parsed.null_count else parsed.to_numpy()
    everything = np.ones(ints.size, dtype=bool)
    canonical = _canonical(offsets, data)
    return NumericText(ints.astype(np.float64), everything, ints if canonical else None)


def _canonical(offsets: IntArray, data: npt.NDArray[np.uint8]) -> bool:
    """No value of ``-?digits`` text has a leading zero or reads ``-0``."""
    long = offsets[:-1][np.diff(offsets) >= 2]
    if long.size == 0:
        return True
    first, second = data[long], data[long + 1]
    return not bool(((first == _ZERO) | ((first == _MINUS) & (second == _ZERO))).any())


def _floats(
    values: pa.Array, offsets: IntArray, data: npt.NDArray[np.uint8], dots: BoolArray
) -> NumericText | None:
    try:
        parsed = pc.cast(values, pa.float64())
    except _PARSE_ERRORS:
        return None
    numbers: FloatArray = parsed.drop_null().to_numpy() if parsed.null_count else parsed.to_numpy()
    if not np.isfinite(numbers).all() or _misplaced_dot(offsets, data, dots):
        return None
    return NumericText(numbers, _integral_mask(values, offsets, data, numbers), None)


def _misplaced_dot(offsets: IntArray, data: npt.NDArray[np.uint8], dots: BoolArray) -> bool:
    """True when some '.' is first or last in its value or lacks a digit on either side.

    May also say True for a '.' next to an empty slot; the caller then takes the exact path.
    """
    if not dots.any():
        return False
    edges = np.concatenate((np.minimum(offsets[:-1], data.size - 1), offsets[1:] - 1))
    if (data[edges] == _DOT).any():
        return True
    # Every other '.' has both neighbours in its own value: count those between two digits.
    digit = (data - _ZERO) < _TEN
    between = np.count_nonzero(dots[1:-1] & digit[:-2] & digit[2:])
    return bool(between != np.count_nonzero(dots))


def _integral_mask(
    values: pa.Array, offsets: IntArray, data: npt.NDArray[np.uint8], numbers: FloatArray
) -> BoolArray:
    """Which present values were written without '.', 'e' or 'E' (only whole numbers can be)."""
    candidates = np.flatnonzero(numbers == np.floor(numbers))
    integral = np.zeros(numbers.size, dtype=bool)
    if candidates.size == 0:
        return integral
    slots = candidates
    if values.null_count:
        slots = np.flatnonzero(present_mask(values))[candidates]
    integral[candidates] = ~_marked(offsets, data, slots)
    return integral


def _marked(offsets: IntArray, data: npt.NDArray[np.uint8], slots: IntArray) -> BoolArray:
    """Whether each of the given slots contains '.', 'e' or 'E'."""
    if slots.size <= _FEW:
        # A handful of whole numbers in a fractional batch: cheaper one by one.
        texts = (data[offsets[i] : offsets[i + 1]].tobytes() for i in slots)
        return np.array([any(m in text for m in _MARKER_BYTES) for text in texts], dtype=bool)
    marker = (data == _DOT) | ((data | _CASE_BIT) == _E)
    running = np.concatenate((np.zeros(1, np.int64), np.cumsum(marker, dtype=np.int64)))
    marked: BoolArray = running[offsets[slots + 1]] > running[offsets[slots]]
    return marked
