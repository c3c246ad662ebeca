"""The job store: executions in SQLite (WAL), with atomic status transitions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from runtime.errors import ExecutionNotFoundError, StoreError, TransitionConflictError
from runtime.execution import ExecutionRecord, ExecutionStatus

_SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    owner TEXT,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_status ON executions (status);
CREATE INDEX IF NOT EXISTS executions_created ON executions (created_at);
"""


class JobStore:
    """Executions keyed by id. Each write is one transaction; reads see committed rows only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect() as connection:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the job store {path}: {error}") from error

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            connection.execute("PRAGMA busy_timeout=30000")
            connection.execute("PRAGMA synchronous=NORMAL")
            yield connection
        finally:
            connection.close()

    def insert(self, record: ExecutionRecord) -> None:
        """Add a new execution."""
        row = (
            record.id,
            record.status.value,
            record.endpoint,
            record.created_at.isoformat(),
            record.owner,
            record.model_dump_json(),
        )
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO executions (id, status, endpoint, created_at, owner, record) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )

    def update(
        self,
        record: ExecutionRecord,
        *,
        expected: ExecutionStatus,
        expected_owner: str | None = None,
    ) -> None:
        """Replace an execution if it is still `expected` and owned by `expected_owner`.

        This compare-and-set makes every transition atomic across processes: of two
        processes racing to finish or adopt an execution, exactly one wins.

        Raises:
            TransitionConflictError: the stored status or owner had changed.
        """
        with self._connect() as connection:
            cursor = connection.execute(
                "UPDATE executions SET status = ?, owner = ?, record = ? "
                "WHERE id = ? AND status = ? AND owner IS ?",
                (
                    record.status.value,
                    record.owner,
                    record.model_dump_json(),
                    record.id,
                    expected.value,
                    expected_owner,
                ),
            )
            if cursor.rowcount != 1:
                raise TransitionConflictError(
                    f"execution {record.id} is no longer {expected.value} under this owner",
                    execution=record.id,
                )

    def get(self, execution_id: str) -> ExecutionRecord:
        """One execution; a unique prefix of its id is enough."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT id, record FROM executions WHERE substr(id, 1, ?) = ?",
                (len(execution_id), execution_id),
            ).fetchall()
        exact = [row for row in rows if row[0] == execution_id]
        if exact:
            rows = exact
        if not rows:
            raise ExecutionNotFoundError(f"no execution {execution_id!r}")
        if len(rows) > 1:
            raise ExecutionNotFoundError(f"execution id prefix {execution_id!r} is ambiguous")
        return ExecutionRecord.model_validate_json(rows[0][1])

    def list(
        self, *, statuses: tuple[ExecutionStatus, ...] = (), limit: int | None = None
    ) -> list[ExecutionRecord]:
        """Executions, newest first, optionally filtered by status."""
        query = "SELECT record FROM executions"
        parameters: list[object] = [status.value for status in statuses]
        if statuses:
            query += f" WHERE status IN ({', '.join('?' for _ in statuses)})"
        query += " ORDER BY created_at DESC, id DESC"
        if limit is not None:
            query += " LIMIT ?"
            parameters.append(limit)
        with self._connect() as connection:
            rows = connection.execute(query, parameters).fetchall()
        return [ExecutionRecord.model_validate_json(row[0]) for row in rows]

    def delete(self, execution_id: str) -> None:
        """Forget one execution."""
        with self._connect() as connection:
            connection.execute("DELETE FROM executions WHERE id = ?", (execution_id,))
