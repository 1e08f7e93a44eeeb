"""Extraction against the demo server's Odoo-faithful stamps (`write_date` stored with microseconds,
one value per transaction, answered truncated to the second): a mass update larger than a page,
parallel id ranges, and records written and deleted while a pass pages."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest
from support.raw_compare import assert_same, columns_of, source_rows, warehouse_rows
from support.servers import DB, Server

from reporting_assets.odoo.client import OdooClient, OdooSettings
from reporting_assets.odoo.sync import id_ranges, sync_table
from reporting_assets.odoo.tables import table_for
from reporting_assets.warehouse import open_warehouse

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it

MOVES = table_for("stock.move")
NO_ARCHIVE_FILTER = {"active_test": False}


@pytest.fixture(scope="module")
def srv():
    """Scale 0.5: about 15,000 stock moves, enough for one write of 12,000."""
    server = Server(scale="0.5")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def rpc(srv):
    return srv.client()


def client(srv: Server, **settings) -> OdooClient:
    return OdooClient(OdooSettings(srv.url, DB, "admin", "admin", **settings)).connect()


def sync(odoo: OdooClient, path, run_id: str, most_pages: int, **kwargs):
    """One pass, failing instead of looping if it reads more pages than the window can hold."""

    def bounded(result):
        assert result.pages <= most_pages, f"{result.pages} pages read: the pager does not advance"

    with open_warehouse("duckdb", duckdb_path=str(path)) as wh:
        return sync_table(odoo, wh, MOVES, run_id, progress=bounded, **kwargs)


def loaded(rpc, path) -> tuple[dict, int]:
    return warehouse_rows("duckdb", str(path), "raw_odoo", MOVES.table, [c.name for c in columns_of(rpc, MOVES)])


def window(rpc, cursor: dict) -> int:
    since = datetime.strptime(cursor["write_date"], "%Y-%m-%d %H:%M:%S") - timedelta(minutes=10)
    return rpc.env["stock.move"].search_count(
        [["write_date", ">=", since.strftime("%Y-%m-%d %H:%M:%S")]], context=NO_ARCHIVE_FILTER
    )


def test_a_write_of_more_rows_than_a_page_is_extracted_exactly_once_and_the_next_run_resumes(srv, rpc, tmp_path):
    odoo, path = client(srv), tmp_path / "w.duckdb"
    total = rpc.env["stock.move"].search_count([], context=NO_ARCHIVE_FILTER)
    first = sync(odoo, path, "full", most_pages=total // 5000 + 1)
    assert first.rows_read == first.inserted == total

    mass = rpc.env["stock.move"].search([], order="id", limit=12_000, context=NO_ARCHIVE_FILTER)
    rpc.env["stock.move"].write(mass, {"origin": "RECOMPUTED"})  # one transaction: one stamp for all
    stamps = {r["write_date"] for r in rpc.env["stock.move"].read(mass, ["write_date"])}
    assert len(stamps) == 1 and len(mass) == 12_000 > odoo.settings.page_size

    rows_in_window = window(rpc, first.cursor_after)
    second = sync(odoo, path, "after-mass-update", most_pages=rows_in_window // 5000 + 1)
    assert second.rows_read == rows_in_window  # every row of the window once: no page read twice
    assert (second.inserted, second.updated, second.deleted) == (0, 12_000, 0)
    assert second.cursor_after == {"write_date": stamps.pop()}  # the cursor moved past the mass update
    rows, count = loaded(rpc, path)
    assert_same(source_rows(rpc, MOVES), rows, "stock.move")
    assert count == total
    assert {rows[i]["origin"] for i in mass} == {"RECOMPUTED"}

    few = rpc.env["stock.move"].search([], order="id desc", limit=10, context=NO_ARCHIVE_FILTER)
    rpc.env["stock.move"].write(few, {"origin": "LATER"})
    rows_in_window = window(rpc, second.cursor_after)
    third = sync(odoo, path, "next", most_pages=rows_in_window // 5000 + 1)
    assert third.cursor_before == second.cursor_after and third.rows_read == rows_in_window
    assert (third.inserted, third.updated) == (0, 10)
    assert_same(source_rows(rpc, MOVES), loaded(rpc, path)[0], "stock.move")


def test_parallel_id_ranges_load_what_a_serial_pass_loads(srv, rpc, tmp_path):
    odoo = client(srv, page_size=700)
    ids = rpc.env["stock.move"].search([], order="id", context=NO_ARCHIVE_FILTER)
    ranges = id_ranges(odoo, "stock.move", [], 3)
    assert len(ranges) == 3 and ranges[0][0] == ids[0] - 1 and ranges[-1][1] is None
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))  # contiguous, no gap, no overlap
    per_range = [sum(1 for i in ids if i > low and (high is None or i <= high)) for low, high in ranges]
    assert sum(per_range) == len(ids) and min(per_range) > len(ids) / 3 * 0.8

    serial = sync(odoo, tmp_path / "serial.duckdb", "serial", most_pages=len(ids) // 700 + 1)
    parallel = sync(
        client(srv, page_size=700, workers=3), tmp_path / "parallel.duckdb", "parallel", most_pages=len(ids) // 700 + 3
    )
    assert serial.rows_read == parallel.rows_read == len(ids)
    assert parallel.pages >= serial.pages and parallel.cursor_after == serial.cursor_after
    source = source_rows(rpc, MOVES)
    assert_same(source, loaded(rpc, tmp_path / "serial.duckdb")[0], "serial")
    assert_same(source, loaded(rpc, tmp_path / "parallel.duckdb")[0], "parallel")


def test_records_written_and_deleted_while_a_pass_pages_arrive_by_the_next_run(srv, rpc, tmp_path):
    """After the first page is loaded: a write to a row already read and to one not yet read, a new
    record, a deletion of a row already read and of one not yet read. The pass reads what lies ahead
    of it; the next run, from the cursor taken before the pass began, catches the rest."""
    odoo, path = client(srv, page_size=500), tmp_path / "w.duckdb"
    ids = rpc.env["stock.move"].search([], order="id", context=NO_ARCHIVE_FILTER)
    behind, ahead, gone_behind, gone_ahead = ids[0], ids[-1], ids[1], ids[-2]
    created = []

    def write_during_paging(result):
        if result.pages == 1:
            rpc.env["stock.move"].write([behind, ahead], {"date_deadline": "2027-01-15 09:30:00"})
            rpc.env["stock.move"].unlink([gone_behind, gone_ahead])
            created.append(rpc.env["stock.move"].create({"name": "New move", "product_id": 1, "product_uom_qty": 3}))

    with open_warehouse("duckdb", duckdb_path=str(path)) as wh:
        first = sync_table(odoo, wh, MOVES, "run-1", progress=write_during_paging)
    rows, _ = loaded(rpc, path)
    assert created and first.pages > 3
    assert rows[ahead]["date_deadline"].isoformat(" ") == "2027-01-15 09:30:00"  # read after the write
    assert created[0] in rows and gone_ahead not in rows and gone_behind not in rows  # marked deleted
    assert first.deleted == 1  # the one loaded before it went

    second = sync(odoo, path, "run-2", most_pages=len(ids) // 500 + 1)
    assert second.rows_read == window(rpc, first.cursor_after)
    rows, total = loaded(rpc, path)
    assert rows[behind]["date_deadline"].isoformat(" ") == "2027-01-15 09:30:00"
    assert_same(source_rows(rpc, MOVES), rows, "stock.move")
    deleted = (
        duckdb.connect(str(path), read_only=True)
        .execute("SELECT id FROM raw_odoo.stock_move WHERE _deleted_at IS NOT NULL")
        .fetchall()
    )
    assert deleted == [(gone_behind,)] and total == len(rows) + 1
