"""Decoding one captured payload (``endpointInput`` / ``endpointOutput``) into rows.

This is the per-record path, used for JSON and BASE64 payloads and for lines the vectorised
capture path cannot take. Rules:

* ``CSV``: one row per line of the payload (Python's ``csv`` module, so quoted fields work).
* ``BASE64``: decoded, then read as JSON when ``observedContentType`` mentions json, as CSV when
  it mentions csv, otherwise JSON if it parses and CSV if not.
* ``JSON``: a list of scalars is one positional row (like a CSV line); a list of lists or of
  objects is one row per element; an object whose single value is a list is a TF-Serving style
  batch (``{"instances": [...]}``, ``{"predictions": [...]}``): one row per element (a scalar
  element is a one-column row); an object whose values are all lists of one common length is
  column-oriented (one row per index); any other object is one row named by its keys. Nested
  values become compact JSON text.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from tabular.reader import json_text

__all__ = ["PayloadError", "Row", "decode_payload"]


class PayloadError(ValueError):
    """A payload that cannot be decoded (bad base64, bad JSON, unknown encoding)."""


@dataclass(slots=True)
class Row:
    """One analysed row: positional values and/or values named by JSON keys.

    Attributes:
        values: Positional values (text, None for missing).
        named: Values by key (JSON objects).
    """

    values: list[str | None] = field(default_factory=list)
    named: dict[str, str | None] = field(default_factory=dict)


def decode_payload(side: Mapping[str, object]) -> list[Row]:
    """Rows of one captured side (``{"data": ..., "encoding": ..., ...}``).

    Raises:
        PayloadError: When the payload cannot be decoded.
    """
    data = side.get("data")
    if data is None:
        return []
    if not isinstance(data, str):
        return _json_rows(data)
    encoding = str(side.get("encoding") or "CSV").upper()
    if encoding == "CSV":
        return _csv_rows(data)
    if encoding == "JSON":
        return _json_rows(_load_json(data))
    if encoding == "BASE64":
        return _base64_rows(data, str(side.get("observedContentType") or "").lower())
    raise PayloadError(f"unknown encoding {encoding!r}")


def _base64_rows(data: str, content_type: str) -> list[Row]:
    try:
        text = base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise PayloadError(f"bad base64 payload: {exc}") from None
    if "json" in content_type:
        return _json_rows(_load_json(text))
    if "csv" in content_type:
        return _csv_rows(text)
    try:
        return _json_rows(json.loads(text))
    except ValueError:
        return _csv_rows(text)


def _load_json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise PayloadError(f"bad JSON payload: {exc}") from None


def _csv_rows(text: str) -> list[Row]:
    rows = []
    for fields in csv.reader(io.StringIO(text)):
        if fields:
            rows.append(Row([value if value != "" else None for value in fields]))
    return rows


def _json_rows(value: object) -> list[Row]:
    if isinstance(value, list):
        if value and all(isinstance(item, list | dict) for item in value):
            return [_json_row(item) for item in value]
        return [_json_row(value)]
    if isinstance(value, dict):
        return _object_rows(value)
    return [Row([json_text(value)])]


def _object_rows(value: dict[str, object]) -> list[Row]:
    items = list(value.values())
    if len(items) == 1 and isinstance(items[0], list):
        return [_json_row(item) for item in items[0]]
    columns = {k: v for k, v in value.items() if isinstance(v, list)}
    if columns and len(columns) == len(value) and len({len(v) for v in columns.values()}) == 1:
        size = len(next(iter(columns.values())))
        return [Row(named={k: json_text(v[i]) for k, v in columns.items()}) for i in range(size)]
    return [Row(named={k: json_text(v) for k, v in value.items()})]


def _json_row(value: object) -> Row:
    if isinstance(value, list):
        return Row([json_text(item) for item in value])
    if isinstance(value, dict):
        return Row(named={k: json_text(v) for k, v in value.items()})
    return Row([json_text(value)])
