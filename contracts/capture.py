"""Captured endpoint traffic: one record per line of the capture JSONL files."""

from __future__ import annotations

import base64
import binascii
import csv
import json
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, ValidationInfo, model_validator

from contracts._base import ContractModel, Timestamp

SHADOW_INVOCATION_SOURCE = "ShadowExperiment"
"""Records with this `invocationSource` are shadow-variant traffic and are not analysed."""


class Encoding(StrEnum):
    """How `data` is encoded: CSV text, JSON text, or base64 of the raw bytes."""

    CSV = "CSV"
    JSON = "JSON"
    BASE64 = "BASE64"

    @classmethod
    def _missing_(cls, value: object) -> Encoding | None:
        text = str(value).strip().upper()
        return next((member for member in cls if member.value == text), None)


class PayloadError(ValueError):
    """A payload cannot be decoded as its encoding says."""


class EventData(ContractModel):
    """One captured payload (`endpointInput`, `endpointOutput`, ...) with decoding helpers."""

    observed_content_type: str | None = Field(default=None, alias="observedContentType")
    mode: str | None = None
    data: str
    encoding: Encoding

    @model_validator(mode="after")
    def _check_payload(self, info: ValidationInfo) -> EventData:
        if self.encoding is Encoding.BASE64:
            _b64decode(self.data)
        elif self.encoding is Encoding.JSON and (info.context or {}).get("decode_payloads"):
            try:
                self.decode_json()
            except PayloadError as error:
                raise ValueError(f"data: {error}") from None
        return self

    def raw(self) -> bytes:
        """The payload's bytes (base64 decoded when needed)."""
        if self.encoding is Encoding.BASE64:
            return _b64decode(self.data)
        return self.data.encode("utf-8")

    def text(self) -> str:
        """The payload as text (base64 payloads must hold UTF-8)."""
        if self.encoding is not Encoding.BASE64:
            return self.data
        try:
            return self.raw().decode("utf-8")
        except UnicodeDecodeError as error:
            raise PayloadError(f"base64 payload is not UTF-8 text: {error.reason}") from None

    def decode_json(self) -> Any:
        """The payload parsed as JSON (JSON encoding, or base64 of JSON)."""
        try:
            return json.loads(self.text())
        except json.JSONDecodeError as error:
            raise PayloadError(f"payload is not valid JSON: {error.msg} at {error.pos}") from None

    def csv_rows(self) -> list[list[str]]:
        """The payload parsed as CSV rows (a request may carry several lines)."""
        return [row for row in csv.reader(self.text().splitlines()) if row]

    def rows(self) -> list[list[Any]]:
        """The payload as rows of values, whatever its encoding.

        CSV: one row per line. JSON: `{"instances": [...]}`-style wrappers are unwrapped, a
        list of lists or objects is one row per item, an object of equal-length lists is read
        column-wise, any other object or list is one row.
        """
        if self.encoding is Encoding.CSV:
            return self.csv_rows()
        try:
            document = self.decode_json()
        except PayloadError:
            return self.csv_rows()
        return _json_rows(document)

    def values(self) -> list[Any]:
        """The first row of the payload (empty when there is none)."""
        rows = self.rows()
        return rows[0] if rows else []


def _b64decode(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise PayloadError(f"data is not valid base64: {error}") from None


_WRAPPER_KEYS = ("instances", "predictions", "inputs", "outputs", "data")


def _json_rows(document: Any) -> list[list[Any]]:
    if isinstance(document, dict):
        if len(document) == 1 and next(iter(document)) in _WRAPPER_KEYS:
            return _json_rows(next(iter(document.values())))
        columns = list(document.values())
        lengths = {len(column) for column in columns if isinstance(column, list)}
        if columns and len(lengths) == 1 and all(isinstance(c, list) for c in columns):
            return [list(row) for row in zip(*columns, strict=True)]
        return [columns]
    if isinstance(document, list):
        if document and all(isinstance(item, list | dict) for item in document):
            return [item if isinstance(item, list) else list(item.values()) for item in document]
        return [document]
    return [[document]]


class CaptureData(ContractModel):
    """The captured request and response."""

    endpoint_input: EventData | None = Field(default=None, alias="endpointInput")
    endpoint_output: EventData | None = Field(default=None, alias="endpointOutput")
    batch_transform_output: EventData | None = Field(default=None, alias="batchTransformOutput")

    @model_validator(mode="after")
    def _not_empty(self) -> CaptureData:
        if not (self.endpoint_input or self.endpoint_output or self.batch_transform_output):
            raise ValueError("captureData holds neither endpointInput nor endpointOutput")
        return self


class EventMetadata(ContractModel):
    """Identity and time of one invocation."""

    event_id: str = Field(alias="eventId", min_length=1)
    inference_id: str | None = Field(default=None, alias="inferenceId")
    inference_time: Timestamp = Field(alias="inferenceTime")
    invocation_source: str | None = Field(default=None, alias="invocationSource")
    custom_attributes: list[str] | str | None = Field(default=None, alias="customAttributes")


class CaptureRecord(ContractModel):
    """One line of an endpoint capture file.

    Attribute names follow the preprocessing API SageMaker documents
    (`record.endpoint_input.data`); `event_data` is the alias older AWS samples use.
    """

    capture_data: CaptureData = Field(alias="captureData")
    event_metadata: EventMetadata = Field(alias="eventMetadata")
    event_version: str = Field(default="0", alias="eventVersion")

    @property
    def endpoint_input(self) -> EventData | None:
        """The captured request."""
        return self.capture_data.endpoint_input

    @property
    def endpoint_output(self) -> EventData | None:
        """The captured response."""
        return self.capture_data.endpoint_output

    @property
    def event_data(self) -> CaptureData:
        """Alias of `capture_data` for scripts written against older AWS samples."""
        return self.capture_data

    @property
    def is_shadow(self) -> bool:
        """True for shadow-variant traffic, which SageMaker does not analyse."""
        return self.event_metadata.invocation_source == SHADOW_INVOCATION_SOURCE

    @property
    def join_key(self) -> str:
        """The ground-truth join key: `inferenceId` when present, else `eventId`."""
        return self.event_metadata.inference_id or self.event_metadata.event_id

    def row(self, index_names: tuple[str, ...] = ("endpointInput", "endpointOutput")) -> list[Any]:
        """The analysed row: output columns first, then input columns, as the analyzer does."""
        values: list[Any] = []
        if "endpointOutput" in index_names and self.endpoint_output is not None:
            values.extend(self.endpoint_output.values())
        if "endpointInput" in index_names and self.endpoint_input is not None:
            values.extend(self.endpoint_input.values())
        return values

    def as_dict(self) -> dict[str, Any]:
        """The record as it appeared in the file (JSON-ready)."""
        return self.to_json_dict()

    def to_line(self) -> str:
        """The record as one compact line of a capture file."""
        return self.model_dump_json(by_alias=True, exclude_none=True)

    @classmethod
    def from_csv(
        cls,
        inputs: str,
        outputs: str,
        *,
        inference_time: datetime,
        event_id: str | None = None,
        inference_id: str | None = None,
    ) -> CaptureRecord:
        """A record of one CSV request and response, as an endpoint captures it."""
        return cls(
            capture_data=CaptureData(
                endpoint_input=EventData(
                    observed_content_type="text/csv",
                    mode="INPUT",
                    data=inputs,
                    encoding=Encoding.CSV,
                ),
                endpoint_output=EventData(
                    observed_content_type="text/csv",
                    mode="OUTPUT",
                    data=outputs,
                    encoding=Encoding.CSV,
                ),
            ),
            event_metadata=EventMetadata(
                event_id=event_id or str(uuid.uuid4()),
                inference_id=inference_id,
                inference_time=inference_time,
            ),
        )
