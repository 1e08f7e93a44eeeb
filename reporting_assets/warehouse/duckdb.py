"""DuckDB: the embedded default warehouse, one file, one writer at a time.

Batches are staged as Arrow tables (DuckDB scans them in place, no copy, no
row-by-row inserts). Writers are serialised by the Dagster concurrency pool
`warehouse`; readers should connect with `read_only=True`.

The writer's memory is capped: batches are small, and without a cap DuckDB
keeps every block it has touched cached (up to 80% of RAM), so a loader's
memory would grow with the size of the tables it merges into. For the same
reason raw tables carry no PRIMARY KEY here (its in-memory index grows with
the table); the merge's delete-then-insert keeps keys unique by construction,
and tests check it.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from reporting_assets.warehouse.base import Warehouse

log = logging.getLogger(__name__)


class WarehouseBusy(Exception):
    """Another process holds the DuckDB file and did not let it go in time."""


def _connect(path: str, read_only: bool, lock_wait: float) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting up to `lock_wait` seconds while another process writes it.

    The Dagster pool keeps the writers of one instance apart; two instances (two DAGSTER_HOMEs)
    pointed at one file are not, and DuckDB allows one writer process: the second waits, says
    for whom, and gives up with one clear line instead of half-loading and failing on the lock.
    """
    deadline, delay, said = time.monotonic() + lock_wait, 0.5, False
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            holder = re.search(r"\(PID (\d+)\)", str(exc))
            if "lock" not in str(exc).lower() or holder is None:
                raise
            if time.monotonic() + delay > deadline:
                raise WarehouseBusy(
                    f"the DuckDB warehouse {path} is in use by another process (PID {holder.group(1)}) that did not "
                    f"release it within {lock_wait:g} s (REPORTING_DUCKDB_LOCK_WAIT); run again when it has finished"
                ) from None
            if not said:
                log.warning("waiting for the DuckDB warehouse %s, in use by process %s", path, holder.group(1))
                said = True
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


ARROW_TYPES = {"bigint": pa.int64(), "double": pa.float64(), "boolean": pa.bool_(), "bigint[]": pa.list_(pa.int64())}


class DuckDBWarehouse(Warehouse):
    kind = "duckdb"
    TYPES = {
        "bigint": "BIGINT",
        "double": "DOUBLE",
        "boolean": "BOOLEAN",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
        "text": "VARCHAR",
        "bigint[]": "BIGINT[]",
    }

    PRIMARY_KEYS = False
    WRITER_MEMORY_LIMIT = "64MB"

    def __init__(self, path: str, read_only: bool = False, lock_wait: float = 60.0):
        self.path = path
        if not read_only:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.con = _connect(path, read_only, lock_wait)
        if not read_only:
            self.con.execute(f"SET memory_limit = '{self.WRITER_MEMORY_LIMIT}'")
        self._staged = 0

    def execute(self, sql: str, params: tuple = ()) -> list[tuple]:
        cur = self.con.execute(sql, params)
        return cur.fetchall() if cur.description else []

    def stage(self, data: dict[str, list], types: dict[str, str]) -> str:
        """Dates, timestamps and text stay strings here; the merge casts them in bulk."""
        schema = pa.schema([(c, ARROW_TYPES.get(t, pa.string())) for c, t in types.items()])
        self._staged += 1
        name = f"_stage_{self._staged}"
        self.con.register(name, pa.Table.from_pydict({c: data[c] for c in types}, schema=schema))
        return name

    def begin(self) -> None:
        self.con.execute("BEGIN TRANSACTION")

    def commit(self) -> None:
        self.con.execute("COMMIT")
        self._unregister()

    def rollback(self) -> None:
        try:
            self.con.execute("ROLLBACK")
        except duckdb.TransactionException:
            pass  # nothing was open
        self._unregister()

    def _unregister(self) -> None:
        for i in range(1, self._staged + 1):
            self.con.unregister(f"_stage_{i}")
        self._staged = 0

    def close(self) -> None:
        self.con.close()

    def table_columns(self, schema: str, table: str) -> dict[str, str]:
        rows = self.con.execute(
            "SELECT column_name, lower(data_type) FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            (schema, table),
        ).fetchall()
        return dict(rows)
