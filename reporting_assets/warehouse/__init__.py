"""The warehouses behind one interface: `open_warehouse(kind, ...)`."""

from __future__ import annotations

from reporting_assets.warehouse.base import MergeCounts, SyncState, Warehouse

# The Dagster concurrency pool of every step that writes the warehouse: one slot, as DuckDB
# allows one writer (a PostgreSQL deployment keeps it too, so runs never interleave loads).
POOL = "warehouse"


def open_warehouse(
    kind: str, duckdb_path: str = "", pg_dsn: str = "", read_only: bool = False, lock_wait: float = 60.0
) -> Warehouse:
    if kind == "duckdb":
        from reporting_assets.warehouse.duckdb import DuckDBWarehouse

        return DuckDBWarehouse(duckdb_path, read_only=read_only, lock_wait=lock_wait)
    if kind == "postgres":
        from reporting_assets.warehouse.postgres import PostgresWarehouse

        return PostgresWarehouse(pg_dsn)
    raise ValueError(f"unknown warehouse kind {kind!r} (Settings checks REPORTING_WAREHOUSE before this)")


__all__ = ["POOL", "MergeCounts", "SyncState", "Warehouse", "open_warehouse"]
