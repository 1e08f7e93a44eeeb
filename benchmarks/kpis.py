"""`make bench`: the KPI layer's build time, at scale 1 and 10, on DuckDB and PostgreSQL.

For each: every raw table ingested (full), then `dbt build` (models, tests, unit tests) timed;
then 1% of the rows of the big tables (stock moves, sale and purchase lines, pickings) written
through the API, and an incremental refresh (incremental ingestion + `dbt build`) timed and
shown as a share of the full refresh (full ingestion + `dbt build`), measured in the same run.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from ingestion import fresh_pg_database  # noqa: E402
from support.servers import AS_OF, DB, Server  # noqa: E402

from reporting_assets.carrier.client import CarrierClient, CarrierSettings  # noqa: E402
from reporting_assets.carrier.sync import sync_shipments  # noqa: E402
from reporting_assets.odoo.client import OdooClient, OdooSettings  # noqa: E402
from reporting_assets.odoo.sync import sync_table  # noqa: E402
from reporting_assets.odoo.tables import ODOO_TABLES  # noqa: E402
from reporting_assets.resources import WarehouseResource  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHANGED = {"stock.move": "origin", "sale.order.line": "name", "purchase.order.line": "name", "stock.picking": "origin"}


def ingest(server: Server, warehouse: WarehouseResource) -> tuple[int, float]:
    odoo = OdooClient(OdooSettings(server.url, DB, "admin", "admin")).connect()
    carrier = CarrierClient(CarrierSettings(server.url + "/carrier-api/v1", "carrier-demo-token"))
    start, rows = time.perf_counter(), 0
    with warehouse.open() as wh:
        for table in ODOO_TABLES:
            rows += sync_table(odoo, wh, table, "bench").rows_read
        rows += sync_shipments(carrier, wh, "bench").rows_read
    return rows, time.perf_counter() - start


def dbt_build(warehouse: WarehouseResource) -> float:
    start = time.perf_counter()
    with warehouse.dbt_environment():
        subprocess.run(
            [
                str(Path(sys.executable).parent / "dbt"),
                "build",
                "--profiles-dir",
                ".",
                "--quiet",
                "--vars",
                f'{{as_of: "{AS_OF}"}}',
            ],
            cwd=ROOT / "dbt_project",
            check=True,
            env=os.environ,
        )
    return time.perf_counter() - start


def change_one_percent(server: Server) -> int:
    odoo = OdooClient(OdooSettings(server.url, DB, "admin", "admin")).connect()
    changed = 0
    for model, text_field in CHANGED.items():
        ids = odoo.call(model, "search", [[]], {"context": {"active_test": False}})
        sample = random.Random(7).sample(ids, len(ids) // 100)
        odoo.call(model, "write", [sample, {text_field: "BENCH"}])
        changed += len(sample)
    return changed


def main() -> int:
    print(
        "KPI layer: full refresh (full ingestion + dbt build) vs incremental refresh after 1% of the big "
        "tables changed (incremental ingestion + dbt build), measured in this run"
    )
    for scale in ("1", "10"):
        server = Server(scale=scale)
        try:
            for kind in ("duckdb", "postgres"):
                with tempfile.TemporaryDirectory() as tmp:
                    if kind == "postgres":
                        dsn = fresh_pg_database()
                        if dsn is None:
                            print(f"  scale {scale:>2}, postgres: not measured, PostgreSQL unreachable")
                            continue
                        warehouse = WarehouseResource(kind="postgres", pg_dsn=dsn)
                    else:
                        warehouse = WarehouseResource(kind="duckdb", duckdb_path=f"{tmp}/w.duckdb")
                    rows, full_ingest = ingest(server, warehouse)
                    full_dbt = dbt_build(warehouse)
                    changed = change_one_percent(server)
                    _, incr_ingest = ingest(server, warehouse)
                    incr_dbt = dbt_build(warehouse)
                    full, incr = full_ingest + full_dbt, incr_ingest + incr_dbt
                    print(
                        f"  scale {scale:>2}, {kind:<8}: {rows:>9,} raw rows; dbt build {full_dbt:6.1f} s; "
                        f"full refresh {full:6.1f} s; incremental refresh after {changed:,} writes "
                        f"{incr:6.1f} s (ingest {incr_ingest:.1f} s + dbt {incr_dbt:.1f} s) = {100 * incr / full:.0f}% "
                        f"of full"
                    )
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
