"""Profile of a whole dataset: one `ColumnProfile` per column plus record counters.

Columns are created when first seen, so a profile of 1,000+ columns costs a few hundred bytes
per column until data arrives. A column that appears only in later batches (JSON Lines with
varying keys) is back-filled as missing for the rows before it appeared; a column absent from a
batch is counted missing for that batch's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import pyarrow as pa

from tabular.column import ColumnProfile, ProfileSettings
from tabular.feature import FeatureStatistics

__all__ = ["DatasetProfile", "RecordCounters"]


@dataclass(slots=True)
class RecordCounters:
    """What happened to input records besides being profiled (all mergeable by addition).

    Attributes:
        malformed: Lines or rows that could not be parsed (bad JSON, wrong shape).
        undecodable: Capture records whose payload could not be decoded (bad base64, bad JSON).
        out_of_window: Capture records outside ``[start, end)`` (skipped).
        shadow: Capture records with ``invocationSource == "ShadowExperiment"`` (skipped).
        short_rows: Rows with fewer columns than expected (padded with missing values).
        long_rows: Rows with more columns than expected (extra values dropped).
    """

    malformed: int = 0
    undecodable: int = 0
    out_of_window: int = 0
    shadow: int = 0
    short_rows: int = 0
    long_rows: int = 0

    def merge(self, other: RecordCounters) -> None:
        """Add another set of counters (in place)."""
        self.malformed += other.malformed
        self.undecodable += other.undecodable
        self.out_of_window += other.out_of_window
        self.shadow += other.shadow
        self.short_rows += other.short_rows
        self.long_rows += other.long_rows


class DatasetProfile:
    """Streaming, mergeable profile of a table.

    Args:
        columns: Column names known up front (kept in this order in the output).
        settings: Sketch sizes shared by all columns.
    """

    __slots__ = ("_columns", "_settings", "counters", "item_count")

    def __init__(
        self, columns: Sequence[str] = (), settings: ProfileSettings | None = None
    ) -> None:
        self._settings = settings or ProfileSettings()
        self._columns: dict[str, ColumnProfile] = {}
        self.item_count = 0
        self.counters = RecordCounters()
        for name in columns:
            self._column(name)

    @property
    def column_names(self) -> list[str]:
        """Column names in first-seen order."""
        return list(self._columns)

    def column(self, name: str) -> ColumnProfile:
        """The profile of one column (KeyError if never seen)."""
        return self._columns[name]

    def update(self, batch: pa.Table | pa.RecordBatch, executor: Executor | None = None) -> None:
        """Profile one batch of rows.

        Args:
            batch: A table whose columns are named; text or typed values.
            executor: Profile the columns in parallel on this executor (None: one by one).
        """
        rows = batch.num_rows
        pairs = [
            (self._column(n), v) for n, v in zip(batch.column_names, batch.columns, strict=True)
        ]
        if executor is None:
            for profile, values in pairs:
                profile.update(values)
        else:
            list(executor.map(lambda pair: pair[0].update(pair[1]), pairs))
        seen = set(batch.column_names)
        for name, profile in self._columns.items():
            if name not in seen:
                profile.add_missing(rows)
        self.item_count += rows

    def update_all(self, batches: Iterable[pa.Table | pa.RecordBatch]) -> None:
        """Profile every batch of an iterable."""
        for batch in batches:
            self.update(batch)

    def merge(self, other: DatasetProfile) -> None:
        """Fold another profile into this one (in place)."""
        for name in other._columns:
            if name not in self._columns:
                self._column(name)
        for name, profile in self._columns.items():
            if name in other._columns:
                profile.merge(other._columns[name])
            else:
                profile.add_missing(other.item_count)
        self.item_count += other.item_count
        self.counters.merge(other.counters)

    def statistics(self) -> list[FeatureStatistics]:
        """Final statistics of every column, in column order."""
        return [profile.statistics() for profile in self._columns.values()]

    def _column(self, name: str) -> ColumnProfile:
        profile = self._columns.get(name)
        if profile is None:
            profile = ColumnProfile(name, self._settings)
            profile.add_missing(self.item_count)
            self._columns[name] = profile
        return profile
