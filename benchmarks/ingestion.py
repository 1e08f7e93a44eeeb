"""`make bench`: ingestion of `stock.move` (the largest table), each figure next to a baseline
measured in the same run against the same demo server.

- throughput of our extraction (`sync_table`: fetch, convert, merge, cursor, deletion sweep),
  into DuckDB and PostgreSQL, next to the raw-fetch ceiling: the same keyset `search_read`
  pages fetched one after another with no processing and no load (goal: >= 0.9 x);
- next to a naive baseline on a subset: an odoorpc `browse` loop reading each field, then
  `pandas.DataFrame.to_sql` into SQLite (goal: ours >= 20 x);
- an incremental run after 1% of the rows changed, as a share of the full run (goal: <= 5%);
- peak memory (RSS) of a process ingesting the table, at scale 1 and 10 (goal: flat).
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import DB, PG_DSN, Server  # noqa: E402

from reporting_assets.odoo.client import OdooClient, OdooSettings  # noqa: E402
from reporting_assets.odoo.columns import resolve_columns  # noqa: E402
from reporting_assets.odoo.sync import sync_table  # noqa: E402
from reporting_assets.odoo.tables import table_for  # noqa: E402
from reporting_assets.warehouse import open_warehouse  # noqa: E402

TABLE = table_for("stock.move")
NAIVE_ROWS = 300


def client(url: str) -> OdooClient:
    return OdooClient(OdooSettings(url, DB, "admin", "admin")).connect()


def raw_fetch(odoo: OdooClient) -> tuple[int, float]:
    """The ceiling: the keyset pages our extractor asks for, fetched back to back, nothing else."""
    fields = list(resolve_columns(TABLE, odoo.fields_get(TABLE.model)).fields)
    page, rows, domain = odoo.settings.page_size, 0, []
    start = time.perf_counter()
    while True:
        batch = odoo.search_read(TABLE.model, domain, fields, page, "write_date asc, id asc")
        rows += len(batch)
        if len(batch) < page:
            return rows, time.perf_counter() - start
        wd, rid = batch[-1]["write_date"], batch[-1]["id"]
        domain = ["|", ["write_date", ">", wd], "&", ["write_date", "=", wd], ["id", ">", rid]]


def ours(odoo: OdooClient, kind: str, where: str) -> tuple[int, float]:
    with open_warehouse(kind, duckdb_path=where, pg_dsn=where) as wh:
        start = time.perf_counter()
        result = sync_table(odoo, wh, TABLE, "bench")
        return result.rows_read, time.perf_counter() - start


def naive(server: Server, odoo: OdooClient, path: str) -> tuple[int, float]:
    """What a first script usually does: browse records, read every field, to_sql."""
    meta = odoo.fields_get(TABLE.model)
    fields = list(resolve_columns(TABLE, meta).fields)
    rpc = server.client()
    ids = rpc.env[TABLE.model].search([], limit=NAIVE_ROWS, order="id")
    start = time.perf_counter()
    rows = []
    for rec in rpc.env[TABLE.model].browse(ids):
        row = {}
        for f in fields:
            value = getattr(rec, f)
            if meta[f]["type"] == "many2one":
                row[f], row[f + "_name"] = (value.id, value.display_name) if value else (None, None)
            elif meta[f]["type"] in ("one2many", "many2many"):
                row[f] = str(value.ids)
            else:
                row[f] = value if value is not False else None
        rows.append(row)
    with sqlite3.connect(path) as con:
        pd.DataFrame(rows).to_sql("stock_move", con, if_exists="replace", index=False)
    return len(rows), time.perf_counter() - start


def incremental(odoo: OdooClient, where: str) -> tuple[int, float]:
    ids = odoo.call(TABLE.model, "search", [[]], {"context": {"active_test": False}})
    changed = random.Random(42).sample(ids, len(ids) // 100)
    odoo.call(TABLE.model, "write", [changed, {"origin": "BENCH-CHANGE"}])
    with open_warehouse("duckdb", duckdb_path=where) as wh:
        start = time.perf_counter()
        sync_table(odoo, wh, TABLE, "bench-incremental")
        return len(changed), time.perf_counter() - start


def peak_memory(url: str) -> float:
    """MB of peak RSS of a fresh process that ingests the table into a fresh DuckDB file."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, __file__, "--memory-child", url, f"{tmp}/m.duckdb"],
                             check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def memory_child(url: str, path: str) -> None:
    with open_warehouse("duckdb", duckdb_path=path) as wh:
        sync_table(client(url), wh, TABLE, "bench-memory")
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def fresh_pg_database() -> str | None:
    try:
        admin = psycopg2.connect(PG_DSN, connect_timeout=3)
    except psycopg2.OperationalError:
        return None
    admin.autocommit = True
    admin.cursor().execute("DROP DATABASE IF EXISTS reporting_bench WITH (FORCE)")
    admin.cursor().execute("CREATE DATABASE reporting_bench")
    admin.close()
    return PG_DSN.rsplit("/", 1)[0] + "/reporting_bench"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-child", nargs=2, metavar=("URL", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return 0

    small = Server(scale="1")
    try:
        small_rows = client(small.url).search_count(TABLE.model, [])
        mem_small = peak_memory(small.url)
    finally:
        small.stop()

    server = Server(scale="10")
    try:
        odoo = client(server.url)
        mem_big = peak_memory(server.url)
        rows, ceiling = raw_fetch(odoo)
        with tempfile.TemporaryDirectory() as tmp:
            _, duck = ours(odoo, "duckdb", f"{tmp}/w.duckdb")
            pg_dsn = fresh_pg_database()
            pg = ours(odoo, "postgres", pg_dsn)[1] if pg_dsn else None
            naive_rows, naive_s = naive(server, odoo, f"{tmp}/naive.sqlite")
            changed, incr = incremental(odoo, f"{tmp}/w.duckdb")
    finally:
        server.stop()

    rate = rows / duck
    print(f"Ingestion of stock.move from the demo server at scale 10: {rows:,} rows, "
          f"{odoo.settings.page_size:,}-row pages, all figures from this run")
    print(f"  raw-fetch ceiling (same pages, no processing, no load): {rows / ceiling:9,.0f} rows/s  ({ceiling:.1f} s)")
    print(f"  ours into DuckDB:                                       {rate:9,.0f} rows/s  ({duck:.1f} s)"
          f"  = {ceiling / duck:.2f} x ceiling (goal >= 0.9)")
    if pg is not None:
        print(f"  ours into PostgreSQL:                                   {rows / pg:9,.0f} rows/s  ({pg:.1f} s)"
              f"  = {ceiling / pg:.2f} x ceiling (goal >= 0.9)")
    else:
        print(f"  ours into PostgreSQL: not measured, {PG_DSN} unreachable")
    print(f"  naive (odoorpc browse loop + pandas.to_sql, {naive_rows} rows): {naive_rows / naive_s:9,.1f} rows/s"
          f"  -> ours is {rate / (naive_rows / naive_s):,.0f} x faster (goal >= 20)")
    print(f"  incremental after {changed:,} rows (1%) changed: {incr:.2f} s = {100 * incr / duck:.1f}% "
          f"of the full run (goal <= 5%)")
    print(f"  peak memory of an ingesting process: scale 1 ({small_rows:,} rows) {mem_small:.0f} MB, "
          f"scale 10 ({rows:,} rows) {mem_big:.0f} MB = {mem_big / mem_small:.2f} x for "
          f"{rows / small_rows:.1f} x the rows (goal: flat)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
