"""Finds the capture files of a window and streams their records, counting the bad ones."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from contracts.capture import CaptureRecord

CAPTURE_SUFFIXES = (".jsonl", ".json")
_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class CaptureFile:
    """A capture file and what its folder says: `<endpoint>/<variant>/YYYY/MM/DD/HH/`."""

    path: Path
    hour: datetime | None = None
    endpoint: str | None = None
    variant: str | None = None


def _folder_hour(parts: tuple[str, ...]) -> datetime | None:
    if len(parts) < 4:
        return None
    year, month, day, hour = parts[-4:]
    try:
        return datetime(int(year), int(month), int(day), int(hour), tzinfo=UTC)
    except ValueError:
        return None


def describe_capture_file(root: Path, path: Path) -> CaptureFile:
    """Read the hour, endpoint and variant from a file's folder below `root`."""
    parts = path.parent.relative_to(root).parts
    hour = _folder_hour(parts)
    if hour is None:
        return CaptureFile(path)
    prefix = parts[:-4]
    endpoint = prefix[-2] if len(prefix) >= 2 else None
    variant = prefix[-1] if prefix else None
    return CaptureFile(path, hour, endpoint, variant)


def hour_overlaps(hour: datetime, start: datetime | None, end: datetime | None) -> bool:
    """True when the hour `[hour, hour + 1h)` overlaps the window `[start, end)`."""
    if start is not None and hour + _HOUR <= start:
        return False
    return end is None or hour < end


def find_capture_files(
    root: Path,
    *,
    endpoint: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[CaptureFile]:
    """All capture files under `root` whose hour folder overlaps `[start, end)`.

    Files outside the `YYYY/MM/DD/HH` layout are kept (their records are filtered by time
    later). Symbolic links are not followed. The result is ordered by hour, then path.
    """
    found: list[CaptureFile] = []
    if not root.is_dir():
        return found
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if not name.endswith(CAPTURE_SUFFIXES) or path.is_symlink():
                continue
            capture = describe_capture_file(root, path)
            if endpoint and capture.endpoint and capture.endpoint != endpoint:
                continue
            if capture.hour is None or hour_overlaps(capture.hour, start, end):
                found.append(capture)
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda item: (item.hour or epoch, str(item.path)))


@dataclass(frozen=True)
class ReadProblem:
    """Why one line was not used."""

    file: str
    line: int
    reason: str


@dataclass
class CaptureReadStats:
    """What reading a window found; malformed lines are counted, never fatal."""

    files: int = 0
    lines: int = 0
    records: int = 0
    malformed: int = 0
    shadow: int = 0
    outside_window: int = 0
    problems: list[ReadProblem] = field(default_factory=list)

    def summary(self) -> str:
        """One line for logs and messages."""
        return (
            f"{self.records} records from {self.files} files; skipped {self.malformed} malformed, "
            f"{self.shadow} shadow, {self.outside_window} outside the window"
        )


class CaptureReader:
    """Streams the capture records of `[start, end)` from a list of files.

    Shadow-variant records (`invocationSource == "ShadowExperiment"`) are skipped, as
    SageMaker does; lines that are not JSON, not UTF-8, or not valid capture records are
    counted in `stats` with the first few reasons.
    """

    def __init__(
        self,
        files: Iterable[CaptureFile | Path],
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        max_problems: int = 20,
    ) -> None:
        self.files = [
            item if isinstance(item, CaptureFile) else CaptureFile(item) for item in files
        ]
        self.start = start
        self.end = end
        self.max_problems = max_problems
        self.stats = CaptureReadStats()

    def __iter__(self) -> Iterator[CaptureRecord]:
        for capture in self.files:
            self.stats.files += 1
            yield from self._read_file(capture.path)

    def _read_file(self, path: Path) -> Iterator[CaptureRecord]:
        with path.open("rb") as stream:
            for number, raw in enumerate(stream, start=1):
                if not raw.strip():
                    continue
                self.stats.lines += 1
                record = self._parse(path, number, raw)
                if record is not None and self._wanted(record):
                    self.stats.records += 1
                    yield record

    def _parse(self, path: Path, number: int, raw: bytes) -> CaptureRecord | None:
        try:
            return CaptureRecord.model_validate(json.loads(raw.decode("utf-8")))
        except UnicodeDecodeError as error:
            reason = f"not UTF-8: {error.reason} at byte {error.start}"
        except json.JSONDecodeError as error:
            reason = f"not JSON: {error.msg} at column {error.colno}"
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "record"
            reason = f"{where}: {first['msg']}"
        self.stats.malformed += 1
        if len(self.stats.problems) < self.max_problems:
            self.stats.problems.append(ReadProblem(str(path), number, reason))
        return None

    def _wanted(self, record: CaptureRecord) -> bool:
        if record.is_shadow:
            self.stats.shadow += 1
            return False
        moment = record.event_metadata.inference_time
        if (self.start is not None and moment < self.start) or (
            self.end is not None and moment >= self.end
        ):
            self.stats.outside_window += 1
            return False
        return True
