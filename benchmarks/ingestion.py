"""`make bench`: ingestion of `stock.move` (the largest table) from the demo server at scale 10, whose
`write_date` is stored with microseconds per transaction and served truncated to the second, as
Odoo 17's is. Each figure stands next to a baseline measured in the same run:

- full load by id pages (`sync_table`: fetch, convert, merge, cursor, deletion sweep) into DuckDB and
  PostgreSQL, next to the raw-fetch ceiling: the same requests (id pages read with `load=None` and
  the many2one names) fetched with no conversion and no load (goal: >= 0.9 x);
- the same, in 2 parallel id ranges (ODOO_WORKERS=2) against the server run with 2 worker processes,
  next to its serial figures;
- rows read twice in a full pass: ours, and the keyset pager on (`write_date`, `id`) this project used
  before, which re-reads a page boundary's second and never ends once a page's worth of rows share
  one (bounded here at twice the table);
- an incremental run after a 1% mass update (one write, one stamp), as a share of the full run
  (goal: <= 5%), and the rows it read for the rows that changed (the look-back window);
- next to a naive baseline on a subset: an odoorpc `browse` loop reading each field, then
  `pandas.DataFrame.to_sql` into SQLite (goal: ours >= 20 x);
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
from support.servers import DB, PG_DSN, Server  # noqa: E402

from reporting_assets.odoo.client import OdooClient, OdooSettings  # noqa: E402
from reporting_assets.odoo.columns import resolve_columns  # noqa: E402
from reporting_assets.odoo.names import DisplayNames  # noqa: E402
from reporting_assets.odoo.sync import begin_pass, fetch_pages, sync_table  # noqa: E402
from reporting_assets.odoo.tables import table_for  # noqa: E402
from reporting_assets.warehouse import open_warehouse  # noqa: E402

TABLE = table_for("stock.move")
NAIVE_ROWS = 300
PARALLEL = 2


def client(url: str, workers: int = 1) -> OdooClient:
    return OdooClient(OdooSettings(url, DB, "admin", "admin", workers=workers)).connect()


def ceiling(odoo: OdooClient) -> tuple[int, float]:
    """The requests a full pass of ours makes, fetched back to back (in as many ranges as the client
    has workers), nothing else."""
    fields = list(resolve_columns(TABLE, odoo.fields_get(TABLE.model)).fields)
    names = DisplayNames(odoo.fields_get(TABLE.model), fields)
    start = time.perf_counter()
    rows = sum(
        len(page) for _, page, _ in fetch_pages(odoo, TABLE.model, fields, begin_pass(odoo, TABLE.model, None), names)
    )
    return rows, time.perf_counter() - start


def keyset(odoo: OdooClient, table_rows: int) -> tuple[int, int, bool]:
    """The former pager, keyset on the answered (`write_date`, `id`): rows read, distinct ids, and
    whether it reached the end before reading twice the table."""
    fields = list(resolve_columns(TABLE, odoo.fields_get(TABLE.model)).fields)
    page, rows, seen, domain = odoo.settings.page_size, 0, set(), []
    while rows < 2 * table_rows:
        batch = odoo.search_read(TABLE.model, domain, fields, page, "write_date asc, id asc")
        rows += len(batch)
        seen.update(r["id"] for r in batch)
        if len(batch) < page:
            return rows, len(seen), True
        wd, rid = batch[-1]["write_date"], batch[-1]["id"]
        domain = ["|", ["write_date", ">", wd], "&", ["write_date", "=", wd], ["id", ">", rid]]
    return rows, len(seen), False


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


def incremental(odoo: OdooClient, where: str) -> tuple[int, int, float]:
    """1% of the rows written in one transaction, then an incremental run: rows changed, rows read, seconds."""
    ids = odoo.call(TABLE.model, "search", [[]], {"context": {"active_test": False}})
    changed = random.Random(42).sample(ids, len(ids) // 100)
    odoo.call(TABLE.model, "write", [changed, {"origin": "BENCH-MASS-UPDATE"}])
    with open_warehouse("duckdb", duckdb_path=where) as wh:
        start = time.perf_counter()
        result = sync_table(odoo, wh, TABLE, "bench-incremental")
        return len(changed), result.rows_read, time.perf_counter() - start


def peak_memory(url: str) -> float:
    """MB of peak RSS of a fresh process that ingests the table into a fresh DuckDB file."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", url, f"{tmp}/m.duckdb"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
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


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:9,.0f} rows/s  ({seconds:5.1f} s)"


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
        rows, serial_ceiling = ceiling(odoo)
        keyset_rows, keyset_distinct, keyset_ended = keyset(odoo, rows)
        with tempfile.TemporaryDirectory() as tmp:
            ours_rows, duck = ours(odoo, "duckdb", f"{tmp}/w.duckdb")
            pg_dsn = fresh_pg_database()
            pg = ours(odoo, "postgres", pg_dsn)[1] if pg_dsn else None
            naive_rows, naive_s = naive(server, odoo, f"{tmp}/naive.sqlite")
            changed, incr_rows, incr = incremental(odoo, f"{tmp}/w.duckdb")
    finally:
        server.stop()

    workers = Server("--workers", str(PARALLEL), scale="10")
    try:
        odoo_parallel = client(workers.url, workers=PARALLEL)
        _, parallel_ceiling = ceiling(odoo_parallel)
        with tempfile.TemporaryDirectory() as tmp:
            _, duck_parallel = ours(odoo_parallel, "duckdb", f"{tmp}/w.duckdb")
    finally:
        workers.stop()

    print(
        f"Ingestion of stock.move from the demo server at scale 10 (write_date as Odoo 17 stores and serves it): "
        f"{rows:,} rows, {odoo.settings.page_size:,}-row pages, all figures from this run"
    )
    print(f"  raw-fetch ceiling, serial (same requests, no conversion, no load): {rate(rows, serial_ceiling)}")
    print(
        f"  ours into DuckDB, serial:            {rate(rows, duck)}  = {serial_ceiling / duck:.2f} x ceiling "
        f"(goal >= 0.9)"
    )
    if pg is not None:
        print(
            f"  ours into PostgreSQL, serial:        {rate(rows, pg)}  = {serial_ceiling / pg:.2f} x ceiling "
            f"(goal >= 0.9)"
        )
    else:
        print(f"  ours into PostgreSQL: not measured, {PG_DSN} unreachable")
    print(
        f"  raw-fetch ceiling, {PARALLEL} id ranges against {PARALLEL} server workers: "
        f"{rate(rows, parallel_ceiling)}  = {serial_ceiling / parallel_ceiling:.2f} x the serial ceiling"
    )
    print(
        f"  ours into DuckDB, {PARALLEL} id ranges:     {rate(rows, duck_parallel)}  = "
        f"{parallel_ceiling / duck_parallel:.2f} x its ceiling, {duck / duck_parallel:.2f} x ours serial"
    )
    print(
        f"  rows read twice in a full pass: ours {ours_rows - rows:,} of {ours_rows:,} "
        f"({100 * (ours_rows - rows) / ours_rows:.1f}%); the former keyset pager on (write_date, id) "
        f"{keyset_rows - keyset_distinct:,} of {keyset_rows:,} "
        f"({100 * (keyset_rows - keyset_distinct) / keyset_rows:.1f}%)"
        + ("" if keyset_ended else ", and it had not reached the end after reading twice the table")
    )
    print(
        f"  incremental after a 1% mass update ({changed:,} rows in one write): {incr:.2f} s = "
        f"{100 * incr / duck:.1f}% of the full run (goal <= 5%); read {incr_rows:,} rows, "
        f"{incr_rows - changed:,} of them unchanged in the 10-minute look-back window"
    )
    print(
        f"  naive (odoorpc browse loop + pandas.to_sql, {naive_rows} rows): {naive_rows / naive_s:9,.1f} rows/s"
        f"  -> ours is {rows / duck / (naive_rows / naive_s):,.0f} x faster (goal >= 20)"
    )
    print(
        f"  peak memory of an ingesting process: scale 1 ({small_rows:,} rows) {mem_small:.0f} MB, "
        f"scale 10 ({rows:,} rows) {mem_big:.0f} MB = {mem_big / mem_small:.2f} x for "
        f"{rows / small_rows:.1f} x the rows (goal: flat)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
