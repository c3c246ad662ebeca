"""Shared pydantic base and field types for every contract file.

Files we read are liberal (unknown fields are kept and written back, alternative spellings
are accepted); files we write are built from the same models, so there is one schema per file.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
)

_NON_FINITE = {"nan": math.nan, "infinity": math.inf, "+infinity": math.inf, "-infinity": -math.inf}
_NON_FINITE |= {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf}


class ContractModel(BaseModel):
    """Base of every contract model: keeps unknown fields, accepts field names and aliases."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, use_enum_values=False)

    def to_json_dict(self) -> dict[str, Any]:
        """The model as JSON-ready data with the contract's own key spellings."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    @classmethod
    def from_json_dict(cls, data: object) -> Self:
        """Validate already-parsed JSON data."""
        return cls.model_validate(data)


def _parse_number(value: object) -> object:
    """Accept JSON numbers and the strings Jackson and SageMaker write for non-finite values."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _NON_FINITE:
            return _NON_FINITE[key]
        raise ValueError(f"expected a number, got the string {value!r}")
    return value


def _dump_number(value: float) -> float | int | str:
    """Non-finite floats become "NaN"/"Infinity"/"-Infinity", as SageMaker writes them."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


_NUMBER_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "number"}, {"enum": ["NaN", "Infinity", "-Infinity"]}],
}

Number = Annotated[
    float,
    BeforeValidator(_parse_number),
    PlainSerializer(_dump_number, return_type=Any, when_used="json"),
    WithJsonSchema(_NUMBER_SCHEMA),
]
"""A float that also reads and writes "NaN", "Infinity" and "-Infinity" as strings."""


def _parse_count(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("expected a count, got a boolean")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Count = Annotated[int, BeforeValidator(_parse_count)]
"""A non-negative whole number; `24.0` is read as `24`."""


class Toggle(StrEnum):
    """`Enabled` / `Disabled`, read from any casing or from a JSON boolean."""

    ENABLED = "Enabled"
    DISABLED = "Disabled"

    @classmethod
    def _missing_(cls, value: object) -> Toggle | None:
        text = str(value).strip().lower()
        if text in {"enabled", "true", "1", "yes", "on"}:
            return cls.ENABLED
        if text in {"disabled", "false", "0", "no", "off"}:
            return cls.DISABLED
        return None

    @property
    def enabled(self) -> bool:
        """True for `Enabled`."""
        return self is Toggle.ENABLED


def _parse_toggle(value: object) -> object:
    if isinstance(value, bool):
        return Toggle.ENABLED if value else Toggle.DISABLED
    return value


ToggleField = Annotated[Toggle, BeforeValidator(_parse_toggle)]


def parse_bool(value: object) -> bool:
    """Read a JSON boolean or a string boolean (`"true"`, `"False"`, ...)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ValueError(f"expected a boolean or 'true'/'false', got {value!r}")


FlexBool = Annotated[bool, BeforeValidator(parse_bool)]
"""A boolean that may be written as a JSON boolean or as the string "true"/"false"."""


def parse_timestamp(value: object) -> datetime:
    """Parse an ISO-8601 time as timezone-aware UTC.

    Accepts `2019-12-01T16:20:00Z`, fractions of a second, explicit offsets, times without a
    zone (taken as UTC, as the SageMaker SDK writes `inferenceTime`), and the documentation's
    spaced form `2019-12-01T16: 20: 00Z`.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip().replace(": ", ":")
        if not text:
            raise ValueError("empty time")
        if text[-1] in "zZ":
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO-8601 time: {value!r}") from None
    else:
        raise ValueError(f"expected an ISO-8601 time string, got {type(value).__name__}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """Format as SageMaker does: `%Y-%m-%dT%H:%M:%SZ`, with microseconds only when present."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


Timestamp = Annotated[
    datetime,
    BeforeValidator(parse_timestamp),
    PlainSerializer(format_timestamp, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A UTC time read liberally and written as `YYYY-MM-DDTHH:MM:SSZ`."""
