"""The `dataset_format` JSON string, read in every spelling SageMaker's files and docs use."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, model_validator

from contracts._base import ContractModel, FlexBool

CAPTURE_INDEX_NAMES = ("endpointInput", "endpointOutput")


class DatasetKind(StrEnum):
    """Which reader a dataset needs."""

    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"
    CAPTURE = "sagemakerCaptureJson"
    MERGE = "sagemakerMergeJson"


_TOP_LEVEL = {kind.value.lower(): kind.value for kind in DatasetKind} | {
    "compression": "compression"
}
_INNER = {
    "header": "header",
    "output_columns_position": "output_columns_position",
    "outputcolumnsposition": "output_columns_position",
    "line": "lines",
    "lines": "lines",
    "captureindexnames": "captureIndexNames",
    "capture_index_names": "captureIndexNames",
}


def _normalise_keys(data: object, table: dict[str, str]) -> object:
    if not isinstance(data, dict):
        return data
    return {table.get(str(key).lower(), key): value for key, value in data.items()}


def _first_if_doc_list(value: object) -> object:
    """The docs print allowed values as a list (`["true","false"]`); real jobs send one value."""
    if isinstance(value, list) and value and all(isinstance(item, str | bool) for item in value):
        return value[0]
    return value


class CsvFormat(ContractModel):
    """CSV options: header row and where the model-output columns sit."""

    header: FlexBool = False
    output_columns_position: Literal["START", "END"] = "START"

    @model_validator(mode="before")
    @classmethod
    def _liberal(cls, data: Any) -> Any:
        data = _normalise_keys(data, _INNER)
        if isinstance(data, dict):
            if "header" in data:
                data["header"] = _first_if_doc_list(data["header"])
            position = data.get("output_columns_position")
            if isinstance(position, str):
                data["output_columns_position"] = position.upper()
        return data


class JsonFormat(ContractModel):
    """JSON options: one object per line (`lines`, also spelled `line`)."""

    lines: FlexBool = True

    @model_validator(mode="before")
    @classmethod
    def _liberal(cls, data: Any) -> Any:
        data = _normalise_keys(data, _INNER)
        if isinstance(data, dict) and "lines" in data:
            data["lines"] = _first_if_doc_list(data["lines"])
        return data


class ParquetFormat(ContractModel):
    """Parquet has no options."""


class CaptureFormat(ContractModel):
    """Captured endpoint traffic; which capture indices to analyse."""

    capture_index_names: list[str] = Field(
        default_factory=lambda: list(CAPTURE_INDEX_NAMES), alias="captureIndexNames"
    )

    @model_validator(mode="before")
    @classmethod
    def _liberal(cls, data: Any) -> Any:
        return _normalise_keys(data, _INNER) if data is not None else {}


class DatasetFormat(ContractModel):
    """The parsed `dataset_format` value: exactly one of its format keys.

    Keys are matched case-insensitively (`sagemakerCaptureJson` and the docs'
    `sageMakerCaptureJson`), `json.line` and `json.lines` are both read, and booleans may be
    JSON booleans or strings.
    """

    csv: CsvFormat | None = None
    json_: JsonFormat | None = Field(default=None, alias="json")
    parquet: ParquetFormat | None = None
    sagemaker_capture_json: CaptureFormat | None = Field(default=None, alias="sagemakerCaptureJson")
    sagemaker_merge_json: CaptureFormat | None = Field(default=None, alias="sagemakerMergeJson")
    compression: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _liberal(cls, data: Any) -> Any:
        data = _normalise_keys(data, _TOP_LEVEL)
        if isinstance(data, dict):
            for key in ("csv", "json", "parquet", "sagemakerCaptureJson", "sagemakerMergeJson"):
                if key in data and data[key] is None:
                    data[key] = {}
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> DatasetFormat:
        present = [kind for kind in DatasetKind if self._section(kind) is not None]
        if len(present) != 1:
            names = ", ".join(kind.value for kind in DatasetKind)
            raise ValueError(f"dataset_format needs exactly one of {names}; got {len(present)}")
        return self

    def _section(self, kind: DatasetKind) -> ContractModel | None:
        sections: dict[DatasetKind, ContractModel | None] = {
            DatasetKind.CSV: self.csv,
            DatasetKind.JSON: self.json_,
            DatasetKind.PARQUET: self.parquet,
            DatasetKind.CAPTURE: self.sagemaker_capture_json,
            DatasetKind.MERGE: self.sagemaker_merge_json,
        }
        return sections[kind]

    @property
    def kind(self) -> DatasetKind:
        """Which of the format keys is present."""
        return next(kind for kind in DatasetKind if self._section(kind) is not None)

    @property
    def capture(self) -> CaptureFormat | None:
        """The capture options for `sagemakerCaptureJson` or `sagemakerMergeJson`, else None."""
        return self.sagemaker_capture_json or self.sagemaker_merge_json

    @classmethod
    def parse(cls, value: str | dict[str, Any]) -> DatasetFormat:
        """Parse the environment variable's JSON string (or an already-decoded mapping)."""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                raise ValueError(f"dataset_format is not valid JSON: {error.msg}") from None
        return cls.model_validate(value)

    def to_env_value(self) -> str:
        """The compact JSON string a runtime puts into the `dataset_format` variable."""
        return json.dumps(self.to_json_dict(), separators=(",", ":"))

    @classmethod
    def capture_json(cls, index_names: tuple[str, ...] = CAPTURE_INDEX_NAMES) -> DatasetFormat:
        """`{"sagemakerCaptureJson": {"captureIndexNames": [...]}}`."""
        return cls(sagemaker_capture_json=CaptureFormat(capture_index_names=list(index_names)))
