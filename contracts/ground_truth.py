"""Ground-truth records: the labels that are joined to captured traffic by event id."""

from __future__ import annotations

from pydantic import Field

from contracts._base import ContractModel, Timestamp
from contracts.capture import EventData


class GroundTruthData(EventData):
    """The label payload (`data` holds only the label; CSV at launch)."""


class GroundTruthMetadata(ContractModel):
    """The join key: the capture record's `inferenceId`, or its `eventId`."""

    event_id: str = Field(alias="eventId", min_length=1)
    inference_time: Timestamp | None = Field(default=None, alias="inferenceTime")


class GroundTruthRecord(ContractModel):
    """One line of a ground-truth JSONL file."""

    ground_truth_data: GroundTruthData = Field(alias="groundTruthData")
    event_metadata: GroundTruthMetadata = Field(alias="eventMetadata")
    event_version: str = Field(default="0", alias="eventVersion")

    @property
    def label(self) -> str:
        """The label as text (first CSV field for CSV payloads)."""
        values = self.ground_truth_data.values()
        return str(values[0]) if values else ""
