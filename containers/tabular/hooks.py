"""The analyzer's two user hooks: a per-record preprocessor and a post-analytics processor.

`record_preprocessor_script` defines `preprocess_handler(inference_record)` (optionally with
a second `logger` parameter). For capture data it receives the documented record object,
with both spellings of reference quirk 14: `record.endpoint_input.data` and the older
`record.event_data.endpointInput.data`; for CSV datasets the raw line, for JSON Lines the
parsed object. It returns a flat `{column: value}` mapping (`None` is a missing value), or
an empty result to drop the record. `post_analytics_processor_script` defines
`postprocess_handler()`, called once after a successful analysis.
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa

from contracts import CaptureRecord, EventData
from tabular.reader import json_text

__all__ = [
    "HookError",
    "InferenceRecord",
    "Preprocessor",
    "load_script",
    "run_postprocessor",
]

_BATCH_ROWS = 10_000
PREPROCESSOR_FAILED = (
    "There is an exception raised in preprocessor script. Please double check the "
    "preprocessor script."
)
POSTPROCESSOR_MISSING = "PostProcess Handler not implemented correctly in customer analysis script."


class HookError(Exception):
    """A user script could not be loaded or failed."""


def load_script(path: str | Path, name: str) -> ModuleType:
    """Import a user script by path."""
    location = Path(path)
    if not location.is_file():
        raise HookError(f"the script {location} does not exist")
    spec = importlib.util.spec_from_file_location(f"watchkeeper_user_{name}", location)
    if spec is None or spec.loader is None:
        raise HookError(f"cannot load {location} as a Python script")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise HookError(f"{location} failed to import: {type(error).__name__}: {error}") from error
    return module


class _Payload:
    """One captured payload as the documented `EventData` class shows it."""

    def __init__(self, data: EventData) -> None:
        self.encoding = data.encoding.value
        self.data = data.data
        self.observedContentType = data.observed_content_type
        self.mode = data.mode


class _Metadata:
    """`event_metadata` of the documented record class."""

    def __init__(self, record: CaptureRecord) -> None:
        metadata = record.event_metadata
        self.event_id = metadata.event_id
        self.inference_id = metadata.inference_id
        self.event_time = record.as_dict()["eventMetadata"].get("inferenceTime")
        self.custom_attribute = metadata.custom_attributes


class _LegacyEventData:
    """`record.event_data` of older AWS samples: camelCase capture indices."""

    def __init__(self, record: CaptureRecord) -> None:
        capture = record.capture_data
        self.endpointInput = _wrap(capture.endpoint_input)
        self.endpointOutput = _wrap(capture.endpoint_output)
        self.batchTransformOutput = _wrap(capture.batch_transform_output)


def _wrap(data: EventData | None) -> _Payload | None:
    return _Payload(data) if data is not None else None


class InferenceRecord:
    """The object `preprocess_handler` receives for capture data (SageMaker's `CapturedData`)."""

    def __init__(self, record: CaptureRecord) -> None:
        capture = record.capture_data
        self.event_metadata = _Metadata(record)
        self.endpoint_input = _wrap(capture.endpoint_input)
        self.endpoint_output = _wrap(capture.endpoint_output)
        self.batch_transform_output = _wrap(capture.batch_transform_output)
        self.ground_truth = None
        self.event_version = record.event_version
        self.event_dict = record.as_dict()
        self.event_data = _LegacyEventData(record)

    def as_dict(self) -> dict[str, Any]:
        """The record as it appeared in the capture file."""
        return self.event_dict


class Preprocessor:
    """Runs a user's `preprocess_handler` over records and collects the rows it returns."""

    def __init__(self, script: str | Path) -> None:
        module = load_script(script, "preprocessor")
        handler = getattr(module, "preprocess_handler", None)
        if not callable(handler):
            raise HookError(f"{script} defines no preprocess_handler function")
        self._handler: Callable[..., Any] = handler
        self._wants_logger = "logger" in inspect.signature(handler).parameters
        self._logger = logging.getLogger("preprocessor")
        self.dropped = 0

    def row(self, record: object) -> dict[str, Any] | None:
        """The handler's flat row for one record, or None when it drops the record."""
        try:
            if self._wants_logger:
                result = self._handler(record, self._logger)
            else:
                result = self._handler(record)
        except Exception as error:
            raise HookError(f"{PREPROCESSOR_FAILED} ({type(error).__name__}: {error})") from error
        if not result:
            self.dropped += 1
            return None
        if not isinstance(result, Mapping):
            raise HookError(
                f"{PREPROCESSOR_FAILED} (preprocess_handler returned "
                f"{type(result).__name__}, not a flat dict)"
            )
        return {str(key): value for key, value in result.items()}

    def tables(self, records: Iterable[object], names: Sequence[str]) -> Iterator[pa.Table]:
        """Text tables of the handler's rows, `_BATCH_ROWS` at a time.

        Keys that are all baseline feature names are used as names; otherwise the values are
        matched to `names` by position (the documented `str(i).zfill(20)` keys, for example).
        """
        batch: list[dict[str, Any]] = []
        for record in records:
            row = self.row(record)
            if row is not None:
                batch.append(row)
            if len(batch) >= _BATCH_ROWS:
                yield _table(batch, names)
                batch = []
        if batch:
            yield _table(batch, names)


def _table(rows: list[dict[str, Any]], names: Sequence[str]) -> pa.Table:
    known = set(names)
    columns: dict[str, list[str | None]] = {}
    for index, row in enumerate(rows):
        keys = list(row)
        if not set(keys) <= known:
            keys = [names[i] if i < len(names) else f"_c{i}" for i in range(len(keys))]
        for key, value in zip(keys, row.values(), strict=True):
            columns.setdefault(key, [None] * index).append(json_text(value))
        for values in columns.values():
            values.extend([None] * (index + 1 - len(values)))
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


def run_postprocessor(script: str | Path) -> None:
    """Call the script's `postprocess_handler()`."""
    module = load_script(script, "postprocessor")
    handler = getattr(module, "postprocess_handler", None)
    if not callable(handler):
        raise HookError(POSTPROCESSOR_MISSING)
    try:
        handler()
    except Exception as error:
        raise HookError(
            f"the post-analytics script failed: {type(error).__name__}: {error}"
        ) from error
