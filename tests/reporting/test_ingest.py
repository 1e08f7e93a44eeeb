"""Ingestion end to end: the `reporting` CLI through Dagster, real odoorpc over HTTP against a
running demo server, real DuckDB and PostgreSQL; every raw table compared with the source."""

from __future__ import annotations

import http.server
import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from support.cli import cli_env, reporting
from support.raw_compare import assert_same, columns_of, source_rows, warehouse_rows
from support.servers import Server, serve_http

from reporting_assets.carrier.sync import COLUMNS as CARRIER_COLUMNS
from reporting_assets.cli import ensure_pool
from reporting_assets.odoo.tables import ODOO_TABLES, table_for

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it


@pytest.fixture(scope="module")
def srv():
    """A server of our own: these tests write to it."""
    server = Server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def rpc(srv):
    return srv.client()


def where(env: dict) -> str:
    return env["REPORTING_DUCKDB_PATH"] if env["REPORTING_WAREHOUSE"] == "duckdb" else env["REPORTING_PG_DSN"]


def assert_raw_equals_source(rpc, env: dict, tables=ODOO_TABLES) -> None:
    for table in tables:
        columns = [c.name for c in columns_of(rpc, table)]
        loaded, total = warehouse_rows(env["REPORTING_WAREHOUSE"], where(env), "raw_odoo", table.table, columns)
        assert_same(source_rows(rpc, table), loaded, table.model)


def assert_shipments_equal_api(srv: Server, env: dict) -> None:
    api, page = {}, 1
    while page:
        req = urllib.request.Request(
            f"{srv.url}/carrier-api/v1/shipments?page={page}&page_size=1000",
            headers={"Authorization": "Bearer carrier-demo-token"},
        )
        reply = json.loads(urllib.request.urlopen(req, timeout=30).read())
        api.update({s["tracking_ref"]: s for s in reply["shipments"]})
        page = reply["next_page"]
    columns = list(CARRIER_COLUMNS)
    loaded, _ = warehouse_rows(env["REPORTING_WAREHOUSE"], where(env), "raw_carrier", "shipments", columns)
    as_text = {
        k: {c: (v.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(v, "strftime") else v) for c, v in row.items()}
        for k, row in loaded.items()
    }
    assert_same(api, as_text, "carrier shipments")


def latest_metadata(env: dict, table: str, schema: str = "raw_odoo") -> dict:
    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    try:
        with dg.DagsterInstance.get() as instance:
            event = instance.get_latest_materialization_event(dg.AssetKey([schema, table]))
            return {k: v.value for k, v in event.asset_materialization.metadata.items()}
    finally:
        del os.environ["DAGSTER_HOME"]


def ingest_ok(env: dict, *args: str) -> subprocess.CompletedProcess:
    done = reporting(env, "ingest", *args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.mark.parametrize("warehouse", ["duckdb", "postgres"])
def test_ingest_lands_every_table_exactly_as_the_source_has_it(srv, rpc, tmp_path, request, warehouse):
    dsn = request.getfixturevalue("pg_dsn") if warehouse == "postgres" else ""
    env = cli_env(srv, tmp_path, warehouse, dsn, ODOO_PASSWORD="test-api-key")  # an API key, as advised
    done = ingest_ok(env)
    assert_raw_equals_source(rpc, env)
    assert_shipments_equal_api(srv, env)
    assert "raw_odoo/stock_move" in done.stdout  # the summary names every table
    # Secrets appear nowhere: not in the output, not in any event Dagster stored (metadata, logs, config).
    secrets = ("test-api-key", "carrier-demo-token") + ((dsn,) if dsn else ())
    assert not [x for x in secrets if x in done.stdout + done.stderr]
    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    try:
        with dg.DagsterInstance.get() as instance:
            stored = "".join(dg.serialize_value(e) for e in instance.all_logs(instance.get_runs(limit=1)[0].run_id))
    finally:
        del os.environ["DAGSTER_HOME"]
    assert "cursor_after" in stored and not [x for x in secrets if x in stored]
    meta = latest_metadata(env, "stock_move")
    assert meta["rows_read"] == meta["inserted"] == meta["dagster/row_count"] == rpc.env["stock.move"].search_count([])
    newest = rpc.env["stock.move"].read_group([], ["write_date:max"], [], lazy=False, context={"active_test": False})[
        0
    ]["write_date"]
    assert json.loads(meta["cursor_before"]) is None and json.loads(meta["cursor_after"]) == {"write_date": newest}


@pytest.mark.parametrize("warehouse", ["duckdb", "postgres"])
def test_ingest_is_exact_despite_failing_and_cut_responses(srv, rpc, tmp_path, request, warehouse):
    dsn = request.getfixturevalue("pg_dsn") if warehouse == "postgres" else ""
    env = cli_env(srv, tmp_path, warehouse, dsn, ODOO_PAGE_SIZE="1000")
    srv.admin(fail_every=7, cut_every=11, html_every=13)
    try:
        done = ingest_ok(env)
        faults = srv.admin()["faults"]
    finally:
        srv.admin(reset=True)
    assert faults["fail_every"] == 7  # they were on for the whole run
    assert "warning: " in done.stdout and "retry 1/" in done.stdout  # and the client did retry, said once
    assert_raw_equals_source(rpc, env)
    assert_shipments_equal_api(srv, env)


def test_second_ingest_reads_exactly_what_changed(srv, rpc, tmp_path):
    env = cli_env(srv, tmp_path)
    ingest_ok(env)
    tables = [table_for(m) for m in ("res.partner", "sale.order", "sale.order.line", "stock.picking")]
    before = {
        t.table: warehouse_rows("duckdb", where(env), "raw_odoo", t.table, ["id", "write_date"])[0] for t in tables
    }
    cursors = {t.table: json.loads(latest_metadata(env, t.table)["cursor_after"]) for t in tables}

    orders = rpc.env["sale.order"].search([["state", "=", "sale"]], limit=3)
    rpc.env["sale.order"].write(orders, {"client_order_ref": "PO-CHANGED"})
    partners = rpc.env["res.partner"].search([["customer_rank", ">", 0]], limit=2)
    rpc.env["res.partner"].write(partners, {"email": "changed@example.com"})
    new_partner = rpc.env["res.partner"].create({"name": "New Customer Ltd", "is_company": True})
    new_order = rpc.env["sale.order"].create(
        {"partner_id": new_partner, "order_line": [[0, 0, {"product_id": 1, "product_uom_qty": 2, "price_unit": 10.0}]]}
    )
    line = rpc.env["sale.order.line"].search([["order_id", "not in", orders + [new_order]]], limit=1)
    rpc.env["sale.order.line"].unlink(line)
    picking = rpc.env["stock.picking"].search([], limit=1)
    rpc.env["stock.picking"].write(picking, {"origin": "CHANGED"})

    ingest_ok(env, "--models", ",".join(t.model for t in tables))
    for t in tables:
        source = {
            r["id"]: r["write_date"]
            for r in rpc.env[t.model].search_read([], ["write_date"], context={"active_test": False})
        }
        old = {k: v["write_date"].strftime("%Y-%m-%d %H:%M:%S") for k, v in before[t.table].items()}
        inserted = set(source) - set(old)
        deleted = set(old) - set(source)
        updated = {k for k in set(source) & set(old) if source[k] != old[k]}
        lookback_start = (
            datetime.strptime(cursors[t.table]["write_date"], "%Y-%m-%d %H:%M:%S") - timedelta(minutes=10)
        ).strftime("%Y-%m-%d %H:%M:%S")
        window = rpc.env[t.model].search_count([["write_date", ">=", lookback_start]], context={"active_test": False})
        meta = latest_metadata(env, t.table)
        assert (meta["inserted"], meta["updated"], meta["deleted"]) == (len(inserted), len(updated), len(deleted)), (
            t.model
        )
        # The changed rows and the unchanged ones of the look-back window, nothing else: for the master
        # data, all stamped at one instant, that window is the whole table; for the documents, a sliver.
        assert meta["rows_read"] == window, t.model
        assert meta["unchanged_reread"] == window - len(inserted | updated), t.model
        if t.model != "res.partner":
            assert meta["rows_read"] < len(source) / 10, t.model
    assert {new_partner} <= set(source_rows(rpc, tables[0])) and line[0] not in source_rows(rpc, tables[2])
    assert_raw_equals_source(rpc, env, tables)
    deleted_at = (
        duckdb.connect(where(env), read_only=True)
        .execute("SELECT _deleted_at IS NOT NULL FROM raw_odoo.sale_order_line WHERE id = ?", line)
        .fetchone()
    )
    assert deleted_at == (True,)  # kept in raw, marked


@pytest.mark.parametrize("warehouse", ["duckdb", "postgres"])
def test_killed_ingestion_resumes_exactly(srv, rpc, tmp_path, request, warehouse):
    dsn = request.getfixturevalue("pg_dsn") if warehouse == "postgres" else ""
    env = cli_env(srv, tmp_path, warehouse, dsn, ODOO_PAGE_SIZE="100")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reporting_assets.cli", "ingest", "--models", "stock.move"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    srv.admin(latency_ms=20)
    try:
        for line in proc.stdout:
            if "stock.move: page 21," in line:  # 20 pages committed, more to come
                os.killpg(proc.pid, signal.SIGKILL)
                break
        proc.wait(timeout=30)
    finally:
        srv.admin(reset=True)
    assert proc.returncode == -signal.SIGKILL
    done = ingest_ok(env, "--models", "stock.move")
    meta = latest_metadata(env, "stock_move")
    total = rpc.env["stock.move"].search_count([])
    assert 0 < meta["rows_read"] < total - 1000  # resumed from the saved cursor, not from scratch
    assert meta["dagster/row_count"] == total, done.stdout
    assert_raw_equals_source(rpc, env, [table_for("stock.move")])


class _NotOdoo(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - an ordinary web site: no JSON-RPC here
        body = b"<html><body>Welcome to our shop</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def not_odoo_url():
    with serve_http(_NotOdoo) as url:
        yield url


@pytest.mark.parametrize(
    "case, expected",
    [
        (
            "password",
            "Odoo rejected the login of user 'admin' on database 'distribution_demo' at {url}: "
            "wrong password or API key (ODOO_PASSWORD)",
        ),
        ("database", "Odoo database 'no_such_db' does not exist on {url} (it has: distribution_demo)"),
        ("not_odoo", "{url} does not look like an Odoo server: it does not answer JSON-RPC"),
        ("carrier_token", "the carrier API at {carrier} rejected the token (CARRIER_API_TOKEN): HTTP 401"),
        ("timeout", "Odoo at {url} did not answer within 0.2 s (ODOO_TIMEOUT); tried 2 times"),
    ],
)
def test_what_retrying_cannot_fix_gives_one_clear_message(srv, tmp_path, not_odoo_url, case, expected):
    secret = "S3cret-Wrong-Passw0rd"
    env = cli_env(srv, tmp_path, ODOO_PASSWORD=secret)
    if case == "database":
        env.update(ODOO_DB="no_such_db", ODOO_PASSWORD="admin")
    if case == "not_odoo":
        env.update(ODOO_URL=not_odoo_url, ODOO_PASSWORD="admin", ODOO_RETRIES="1")
    if case == "carrier_token":
        env.update(ODOO_PASSWORD="admin", CARRIER_API_TOKEN=secret)
    if case == "timeout":  # every answer slower than the timeout
        env.update(ODOO_PASSWORD="admin", ODOO_TIMEOUT="0.2", ODOO_RETRIES="1")
        srv.admin(latency_ms=500)
    try:
        done = reporting(env, "ingest", "--models", "res.partner,sale.order,stock.move,carrier")
    finally:
        srv.admin(reset=True)
    message = expected.format(url=env["ODOO_URL"], carrier=env["CARRIER_API_URL"])
    if case == "carrier_token":  # an optional source: its failure warns and does not fail the Odoo tables
        assert done.returncode == 0
        assert f"warning: shipments: not extracted: {message}; the shipments extracted before are kept" in done.stdout
        assert "check failed: raw_carrier/shipments source_available" in done.stdout
        return
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert errors == ["error: " + message]
    assert secret not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("ODOO_PAGE_SIZE", "abc", "ODOO_PAGE_SIZE must be a number >= 1, got 'abc'"),
        ("ODOO_WORKERS", "0", "ODOO_WORKERS must be a number >= 1, got '0'"),
        ("REPORTING_WAREHOUSE", "mysql", "REPORTING_WAREHOUSE must be 'duckdb' or 'postgres', got 'mysql'"),
    ],
)
def test_a_bad_configuration_value_is_named(srv, tmp_path, variable, value, message):
    done = reporting(cli_env(srv, tmp_path, **{variable: value}), "ingest")
    assert (done.returncode, done.stderr.strip().splitlines()[-1]) == (2, f"error: {message}")


def test_an_incomplete_copy_blocks_the_marts_and_leaves_them_as_they_were(srv, tmp_path):
    """A raw table whose count is still wrong after the targeted re-read (a row duplicated in the
    warehouse) fails its blocking check: the dbt models are not rebuilt from it, the run exits 1."""
    env = cli_env(srv, tmp_path)
    assert reporting(env, "run", timeout=600).returncode == 0

    def marts() -> dict:
        with duckdb.connect(where(env), read_only=True) as con:
            names = [
                t
                for (t,) in con.execute(
                    "select table_name from information_schema.tables where table_schema = 'marts'"
                ).fetchall()
            ]
            return {t: sorted(map(repr, con.execute(f'select * from marts."{t}"').fetchall())) for t in names}

    before = marts()
    with duckdb.connect(where(env)) as con:
        con.execute(
            "insert into raw_odoo.sale_order_line select * from raw_odoo.sale_order_line "
            "where _deleted_at is null limit 1"
        )
    done = reporting(env, "run", timeout=600)
    assert done.returncode == 1
    assert "check failed: raw_odoo/sale_order_line source_count_matches" in done.stdout
    assert "'difference': 1" in done.stdout
    assert marts() == before  # byte for byte: nothing was rebuilt from the bad copy


def test_a_lost_row_is_noticed_by_the_count_and_re_read_by_id(srv, rpc, tmp_path):
    env = cli_env(srv, tmp_path)
    ingest_ok(env, "--models", "sale.order")
    con = duckdb.connect(where(env))
    lost = con.execute(
        "DELETE FROM raw_odoo.sale_order WHERE id = (SELECT id FROM raw_odoo.sale_order "
        "ORDER BY write_date, id LIMIT 1) RETURNING id"
    ).fetchone()[0]  # outside the look-back
    con.close()
    # Incremental: the window does not reach the old row, but the count does, and the row is re-read.
    done = ingest_ok(env, "--models", "sale.order")
    counts = re.search(r"sale\.order: Odoo has (\d+) records, the warehouse (\d+); 1 records re-read", done.stdout)
    assert counts and int(counts[1]) == int(counts[2]) + 1, done.stdout
    assert "check failed" not in done.stdout
    assert lost in warehouse_rows("duckdb", where(env), "raw_odoo", "sale_order", ["id"])[0]
    assert_raw_equals_source(rpc, env, [table_for("sale.order")])


def test_a_restored_odoo_is_noticed_and_the_vanished_edits_re_read(srv, rpc, tmp_path):
    """Odoo restored from a backup: the edits made since vanish, and the records that carried them
    hold older write_dates than the copy's cursor, which no incremental window reaches. The newest
    write_date going back is the tell; the table is reconciled by (id, write_date)."""
    env = cli_env(srv, tmp_path)
    ingest_ok(env, "--models", "sale.order")
    with duckdb.connect(where(env)) as con:
        # The copy as it was before the restore: three orders edited after anything Odoo now has,
        # and the cursor there.
        edited = [
            r[0]
            for r in con.execute(
                "UPDATE raw_odoo.sale_order SET client_order_ref = 'EDIT LOST IN THE RESTORE', "
                "write_date = (SELECT max(write_date) FROM raw_odoo.sale_order) + INTERVAL 1 HOUR WHERE id IN "
                "(SELECT id FROM raw_odoo.sale_order ORDER BY id LIMIT 3) RETURNING id"
            ).fetchall()
        ]
        newest = con.execute("SELECT strftime(max(write_date), '%Y-%m-%d %H:%M:%S') FROM raw_odoo.sale_order")
        newest = newest.fetchone()[0]
        con.execute(
            "UPDATE raw_odoo._sync_state SET cursor = ? WHERE table_name = 'sale_order'",
            (json.dumps({"write_date": newest}),),
        )
    done = ingest_ok(env, "--models", "sale.order")
    assert "Odoo's newest write_date went back from " + newest in done.stdout, done.stdout
    assert "; 3 records re-read by id" in done.stdout
    assert "check failed" not in done.stdout
    with duckdb.connect(where(env), read_only=True) as con:
        lost = con.execute("SELECT count(*) FROM raw_odoo.sale_order WHERE client_order_ref LIKE 'EDIT LOST%'")
        assert lost.fetchone() == (0,) and len(edited) == 3
    assert_raw_equals_source(rpc, env, [table_for("sale.order")])


def test_odoo16_names_map_to_one_column_and_drift_blocks_until_a_full_refresh(srv, server16, tmp_path):
    """The same warehouse fed by a 17 server, then a 16 one: 16's missing `picked` changes the table's
    shape, so the drift check fails and blocks, run after run, until a full refresh re-reads every
    record in the new shape; then `quantity` comes from 16's `quantity_done`."""
    env17 = cli_env(srv, tmp_path)
    ingest_ok(env17, "--models", "stock.move")
    env16 = {**env17, "ODOO_URL": server16.url}
    for _ in range(2):  # the gate holds until someone re-reads the table
        done = reporting(env16, "ingest", "--models", "stock.move")
        assert done.returncode == 1, done.stdout + done.stderr
        assert "check failed: raw_odoo/stock_move schema_unchanged" in done.stdout
        assert "'removed': 'picked'" in done.stdout and "reporting ingest --full-refresh" in done.stdout
    done = ingest_ok(env16, "--models", "stock.move", "--full-refresh")
    assert "optional field 'picked' is not on this server" in done.stdout + done.stderr
    assert "check failed" not in done.stdout
    assert "check failed" not in ingest_ok(env16, "--models", "stock.move").stdout  # the new shape is the norm
    odoo16 = server16.client()
    moves = {r["id"]: r["quantity_done"] for r in odoo16.env["stock.move"].search_read([], ["quantity_done"])}
    loaded, _ = warehouse_rows("duckdb", where(env16), "raw_odoo", "stock_move", ["id", "quantity"])
    assert {i: loaded[i]["quantity"] for i in moves} == moves
    assert any(moves.values())


def test_commands_started_together_on_a_new_dagster_home_all_open_it(tmp_path):
    """Dagster creates its SQLite storage on first open; four processes opening a new DAGSTER_HOME at
    once used to corrupt it ("alembic_version has more than one head"). Two fresh homes, four at once."""
    code = "from reporting_assets.cli import local_instance; from reporting_assets.settings import get_settings; "
    code += "local_instance(get_settings()).get_runs()"
    for trial in range(2):
        env = {**os.environ, "DAGSTER_HOME": str(tmp_path / f"home{trial}")}
        procs = [
            subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.PIPE, text=True) for _ in range(4)
        ]
        failures = [err for p in procs if (err := p.communicate(timeout=120)[1]) and p.returncode]
        assert failures == [], failures[0][-500:]


def test_concurrent_runs_take_turns_on_the_duckdb_file(srv, rpc, tmp_path, pg_dsn):
    """Two `reporting ingest` processes at once, one DuckDB file: the `warehouse` pool (limit 1)
    makes the second wait for the first instead of failing on DuckDB's file lock. The Dagster
    instance is PostgreSQL-backed, as in a deployment: SQLite storage is not made for several
    processes claiming pool slots at once."""
    env = cli_env(srv, tmp_path, ODOO_PAGE_SIZE="500")
    home = Path(env["DAGSTER_HOME"])
    home.mkdir(parents=True)
    url = pg_dsn.replace("postgresql://", "postgresql+psycopg2://")  # SQLAlchemy 2.1 would pick psycopg 3
    (home / "dagster.yaml").write_text(
        f"storage:\n  postgres:\n    postgres_url: {url}\n"
        "concurrency:\n  pools:\n    default_limit: 1\ntelemetry:\n  enabled: false\n"
    )
    with dg.DagsterInstance.from_config(str(home)) as instance:
        ensure_pool(instance)  # storage and pool created once, before the processes start, as in a deployment
    srv.admin(latency_ms=30)
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "reporting_assets.cli", "ingest", "--models", models],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for models in ("stock.move,sale.order", "stock.picking,sale.order.line")
        ]
        outputs = [p.communicate(timeout=300)[0] for p in procs]
    finally:
        srv.admin(reset=True)
    assert [p.returncode for p in procs] == [0, 0], [o[-3000:] for o in outputs]
    assert_raw_equals_source(
        rpc, env, [table_for(m) for m in ("stock.move", "sale.order", "stock.picking", "sale.order.line")]
    )
