"""One small interface over DuckDB and PostgreSQL for the raw layer.

What the extractors need and nothing more: create or widen a table, merge one
batch and its sync cursor in one transaction, mark deleted keys, count rows and
read the sync state. The SQL is shared; each warehouse only says how to stage a
batch in bulk (DuckDB: an Arrow table; PostgreSQL: COPY into a temporary table)
and how its types are spelled.

Every raw table carries `_extracted_at`, `_sync_run_id` and `_deleted_at`; the
sync state of all tables of a schema lives in `<schema>._sync_state` (one row
per table: the cursor as JSON, the columns of the last run as JSON), so the
cursor moves in the same transaction as the rows it covers.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

STATE_TABLE = "_sync_state"


@dataclass(frozen=True)
class MergeCounts:
    rows: int
    inserted: int
    updated: int  # existing rows whose version column changed (or that came back from deleted)
    unchanged: int  # re-read without change (the look-back window)


@dataclass(frozen=True)
class SyncState:
    cursor: dict | None
    columns: dict[str, str] | None  # column -> portable type, as of the last successful run


def utc_now() -> str:
    """Now in UTC, in Odoo's naive form: what every timestamp column of ours holds."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def q(name: str) -> str:
    """A quoted identifier (our names are Odoo field names; quoting keeps SQL words safe)."""
    return '"' + name.replace('"', '""') + '"'


class Warehouse(ABC):
    kind: str
    TYPES: dict[str, str]  # portable type -> this warehouse's SQL type
    PRIMARY_KEYS: bool  # declare the key as PRIMARY KEY (an index the merge's DELETE uses)

    # --- what each warehouse provides --------------------------------------------------
    @abstractmethod
    def execute(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run one statement in the current transaction; rows if it returns any."""

    @abstractmethod
    def stage(self, data: dict[str, list], types: dict[str, str]) -> str:
        """Bulk-load a batch into a temporary relation of text/number columns; its name."""

    @abstractmethod
    def begin(self) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def table_columns(self, schema: str, table: str) -> dict[str, str]:
        """Existing column -> SQL type (lower case); empty when the table does not exist."""

    # --- shared logic --------------------------------------------------------------------
    def __enter__(self):
        return self

    @contextmanager
    def transaction(self):
        """All or nothing: commit when the block ends, roll back when it raises (Ctrl-C included)."""
        self.begin()
        try:
            yield
            self.commit()
        except BaseException:
            self.rollback()
            raise

    def __exit__(self, *exc):
        self.close()

    def ensure_table(self, schema: str, table: str, columns: dict[str, str], key: str) -> None:
        """Create the schema and table, or add the columns a newer run brings."""
        with self.transaction():
            self.execute(f"CREATE SCHEMA IF NOT EXISTS {q(schema)}")
            self.execute(
                f"CREATE TABLE IF NOT EXISTS {q(schema)}.{STATE_TABLE} "
                f"(table_name {self.TYPES['text']} PRIMARY KEY, cursor {self.TYPES['text']}, "
                f"columns {self.TYPES['text']}, run_id {self.TYPES['text']}, updated_at {self.TYPES['timestamp']})"
            )
            existing = self.table_columns(schema, table)
            if not existing:
                cols = ", ".join(f"{q(c)} {self.TYPES[t]}" for c, t in columns.items())
                pk = f", PRIMARY KEY ({q(key)})" if self.PRIMARY_KEYS else ""
                self.execute(f"CREATE TABLE {q(schema)}.{q(table)} ({cols}{pk})")
            else:
                for c, t in columns.items():
                    if c not in existing:
                        self.execute(f"ALTER TABLE {q(schema)}.{q(table)} ADD COLUMN {q(c)} {self.TYPES[t]}")

    def merge(
        self,
        schema: str,
        table: str,
        data: dict[str, list],
        types: dict[str, str],
        key: str,
        version: str,
        state: SyncState,
        run_id: str,
    ) -> MergeCounts:
        """Upsert a batch by `key` and save `state`, in one transaction.

        Delete-then-insert of the batch's keys is the merge: one statement each,
        set-based, identical on both warehouses.
        """
        target = f"{q(schema)}.{q(table)}"
        with self.transaction():
            stage = self.stage(data, types)
            casts = ", ".join(f"CAST(s.{q(c)} AS {self.TYPES[t]})" for c, t in types.items())
            key_cast = f"CAST(s.{q(key)} AS {self.TYPES[types[key]]})"
            version_cast = f"CAST(s.{q(version)} AS {self.TYPES[types[version]]})"
            rows, existing, changed = self.execute(
                f"SELECT count(*), count(t.{q(key)}), "
                f"count(CASE WHEN t.{q(key)} IS NOT NULL AND (t.{q(version)} IS DISTINCT FROM {version_cast} "
                f"OR t._deleted_at IS NOT NULL) THEN 1 END) "
                f"FROM {stage} s LEFT JOIN {target} t ON t.{q(key)} = {key_cast}"
            )[0]
            self.execute(f"DELETE FROM {target} WHERE {q(key)} IN (SELECT {key_cast} FROM {stage} s)")
            self.execute(f"INSERT INTO {target} ({', '.join(q(c) for c in types)}) SELECT {casts} FROM {stage} s")
            self._save_state(schema, table, state, run_id)
        return MergeCounts(rows=rows, inserted=rows - existing, updated=changed, unchanged=existing - changed)

    def replace(self, schema: str, table: str, data: dict[str, list], types: dict[str, str]) -> None:
        """Make the table exactly this batch (small snapshot tables such as pipeline_health)."""
        with self.transaction():
            self.execute(f"CREATE SCHEMA IF NOT EXISTS {q(schema)}")
            self.execute(f"DROP TABLE IF EXISTS {q(schema)}.{q(table)}")
            self.execute(
                f"CREATE TABLE {q(schema)}.{q(table)} ("
                + ", ".join(f"{q(c)} {self.TYPES[t]}" for c, t in types.items())
                + ")"
            )
            stage = self.stage(data, types)
            casts = ", ".join(f"CAST(s.{q(c)} AS {self.TYPES[t]})" for c, t in types.items())
            self.execute(f"INSERT INTO {q(schema)}.{q(table)} SELECT {casts} FROM {stage} s")

    def publish(self, audit: str, published: str, tables: list[str]) -> None:
        """Copy tables built and tested in the `audit` schema into the `published` one, all in one
        transaction (write-audit-publish): readers see every table of the last good build or every
        table of this one, never a mix, and a build whose tests failed is never copied.

        A table whose columns are unchanged is emptied and refilled rather than dropped, so that
        grants and the views people built on it survive; DELETE rather than TRUNCATE because
        PostgreSQL's TRUNCATE is not MVCC-safe (a reader already in a snapshot would see it empty).
        """
        with self.transaction():
            self.execute(f"CREATE SCHEMA IF NOT EXISTS {q(published)}")
            for table in tables:
                source, target = f"{q(audit)}.{q(table)}", f"{q(published)}.{q(table)}"
                columns = list(self.table_columns(audit, table).items())
                if list(self.table_columns(published, table).items()) == columns:
                    self.execute(f"DELETE FROM {target}")
                else:
                    self.execute(f"DROP TABLE IF EXISTS {target}")
                    self.execute(f"CREATE TABLE {target} AS SELECT * FROM {source} WHERE 1 = 0")
                self.execute(f"INSERT INTO {target} SELECT * FROM {source}")

    def mark_deleted(
        self, schema: str, table: str, key: str, key_type: str, live_keys: list, deleted_at: str, after=None, up_to=None
    ) -> int:
        """Set `_deleted_at` on rows in the key range (`after`, `up_to`] that are not in `live_keys`.

        Reconciling one range of source ids at a time keeps memory flat however big the table.
        """
        target = f"{q(schema)}.{q(table)}"
        sql_type = self.TYPES[key_type]
        with self.transaction():
            stage = self.stage({key: live_keys}, {key: key_type})
            gone = f"_deleted_at IS NULL AND {q(key)} NOT IN (SELECT CAST(s.{q(key)} AS {sql_type}) FROM {stage} s)"
            params: tuple = ()
            if after is not None:
                gone += f" AND {q(key)} > CAST(? AS {sql_type})"
                params += (after,)
            if up_to is not None:
                gone += f" AND {q(key)} <= CAST(? AS {sql_type})"
                params += (up_to,)
            n = self.execute(f"SELECT count(*) FROM {target} WHERE {gone}", params)[0][0]
            if n:
                self.execute(
                    f"UPDATE {target} SET _deleted_at = CAST(? AS {self.TYPES['timestamp']}) WHERE {gone}",
                    (deleted_at, *params),
                )
        return n

    def live_versions(self, schema: str, table: str, key: str, version: str) -> dict:
        """key -> version (e.g. id -> write_date) of the rows not marked deleted."""
        rows = self.execute(f"SELECT {q(key)}, {q(version)} FROM {q(schema)}.{q(table)} WHERE _deleted_at IS NULL")
        return dict(rows)

    def analyze(self, schema: str, table: str) -> None:
        """Refresh the planner's statistics after a load: on PostgreSQL a freshly loaded table
        without them can turn a KPI join from milliseconds into a minute."""
        self.execute(f"ANALYZE {q(schema)}.{q(table)}")

    def count(self, schema: str, table: str) -> int:
        """Rows that exist in the source (not marked deleted)."""
        return self.execute(f"SELECT count(*) FROM {q(schema)}.{q(table)} WHERE _deleted_at IS NULL")[0][0]

    def read_state(self, schema: str, table: str) -> SyncState:
        if not self.table_columns(schema, STATE_TABLE):
            return SyncState(None, None)
        rows = self.execute(f"SELECT cursor, columns FROM {q(schema)}.{STATE_TABLE} WHERE table_name = ?", (table,))
        if not rows:
            return SyncState(None, None)
        cursor, columns = rows[0]
        return SyncState(json.loads(cursor) if cursor else None, json.loads(columns) if columns else None)

    def save_state(self, schema: str, table: str, state: SyncState, run_id: str) -> None:
        with self.transaction():
            self._save_state(schema, table, state, run_id)

    def _save_state(self, schema: str, table: str, state: SyncState, run_id: str) -> None:
        self.execute(f"DELETE FROM {q(schema)}.{STATE_TABLE} WHERE table_name = ?", (table,))
        self.execute(
            f"INSERT INTO {q(schema)}.{STATE_TABLE} VALUES (?, ?, ?, ?, CAST(? AS {self.TYPES['timestamp']}))",
            (
                table,
                json.dumps(state.cursor) if state.cursor is not None else None,
                json.dumps(state.columns) if state.columns is not None else None,
                run_id,
                utc_now(),
            ),
        )
