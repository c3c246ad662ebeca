"""Writes CloudWatch metric records as JSON Lines, atomically, when publishing is enabled."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from contracts.files import write_bytes_atomic
from contracts.metrics import CloudWatchMetric, Dimension, StatisticValues
from contracts.paths import METRICS_FILE_NAME


class MetricsWriter:
    """Collects metric records and writes them on `close()` (or leaving a `with` block).

    Records carry the `Endpoint` and `MonitoringSchedule` dimensions and the job's metric
    time. When publishing is disabled, records are validated and then dropped.
    """

    def __init__(
        self,
        directory: Path,
        *,
        timestamp: datetime | None,
        endpoint: str | None,
        schedule: str | None,
        enabled: bool,
        file_name: str = METRICS_FILE_NAME,
    ) -> None:
        self.path = directory / file_name
        self.enabled = enabled
        self.timestamp = timestamp or datetime.now(UTC).replace(microsecond=0)
        self.dimensions = [
            Dimension(name=name, value=value)
            for name, value in (("Endpoint", endpoint), ("MonitoringSchedule", schedule))
            if value
        ]
        self.records: list[CloudWatchMetric] = []
        self._closed = False

    def emit(
        self,
        name: str,
        value: float | None = None,
        *,
        statistics: StatisticValues | None = None,
        unit: str | None = None,
        dimensions: dict[str, str] | None = None,
    ) -> CloudWatchMetric:
        """Add one datum: a single `value` or pre-aggregated `statistics`."""
        extra = [Dimension(name=key, value=text) for key, text in (dimensions or {}).items()]
        record = CloudWatchMetric(
            metric_name=name,
            timestamp=self.timestamp,
            dimensions=[*self.dimensions, *extra],
            value=value,
            statistic_values=statistics,
            unit=unit,
        )
        self.records.append(record)
        return record

    def close(self) -> Path | None:
        """Write the records (if publishing is enabled and there are any); return the file."""
        if self._closed:
            return self.path if self.path.exists() else None
        self._closed = True
        if not self.enabled or not self.records:
            return None
        lines = [json.dumps(record.to_json_dict(), allow_nan=False) for record in self.records]
        return write_bytes_atomic(self.path, ("\n".join(lines) + "\n").encode("utf-8"))

    def __enter__(self) -> MetricsWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
