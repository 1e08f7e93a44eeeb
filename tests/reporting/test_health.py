"""`pipeline_health` from a real Dagster instance after real extractions from a demo server."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest
from support.servers import DB, Server

from reporting_assets.defs.odoo_raw.assets import odoo_raw_asset
from reporting_assets.defs.orchestration.health import freshness_status, pipeline_health
from reporting_assets.odoo.tables import ODOO_TABLES, table_for
from reporting_assets.resources import OdooResource, WarehouseResource

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it


@pytest.fixture(scope="module")
def srv():
    server = Server(scale="0.05")
    yield server
    server.stop()


def test_freshness_status_by_the_policy_windows():
    assert [freshness_status(m, 120, 360) for m in (None, 0, 120, 121, 360, 361)] == [
        "never loaded",
        "fresh",
        "fresh",
        "warn",
        "warn",
        "fail",
    ]


def test_pipeline_health_names_fresh_never_loaded_and_failing(srv, tmp_path):
    path = str(tmp_path / "w.duckdb")
    orders, partners = odoo_raw_asset(table_for("sale.order")), odoo_raw_asset(table_for("res.partner"))
    assets = [orders, partners, pipeline_health]
    resources = {
        "odoo": OdooResource(url=srv.url, db=DB, username="admin", password="admin"),
        "warehouse": WarehouseResource(duckdb_path=path),
    }
    with dg.instance_for_test() as instance:
        assert dg.materialize(assets, selection=[orders.key], instance=instance, resources=resources).success
        with duckdb.connect(path) as con:  # a row doubled behind the connector's back: the count check fails
            con.execute("INSERT INTO raw_odoo.sale_order SELECT * FROM raw_odoo.sale_order LIMIT 1")
        failed = dg.materialize(
            assets, selection=[orders.key], instance=instance, resources=resources, raise_on_error=False
        )
        assert not failed.success  # the count check blocks
        result = dg.materialize(assets, selection=[pipeline_health.key], instance=instance, resources=resources)
        metadata = result.asset_materializations_for_node("marts__pipeline_health")[0].metadata
    with duckdb.connect(path, read_only=True) as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT source, minutes_since_extraction, freshness, last_run_status, failing_checks "
                "FROM marts.pipeline_health"
            ).fetchall()
        }
    assert set(rows) == {f"raw_odoo/{t.table}" for t in ODOO_TABLES} | {"raw_carrier/shipments"}
    minutes, freshness, last_run, failing = rows["raw_odoo/sale_order"]
    # Fresh (the copy was written), but its run failed on the blocking count check, which is named.
    assert 0 <= minutes < 5 and freshness == "fresh" and last_run == "FAILURE" and failing == "source_count_matches"
    assert rows["raw_odoo/res_partner"] == (None, "never loaded", "FAILURE", None)  # the last run, failed
    stale = metadata["stale_or_never_loaded"].value.split(", ")
    assert "raw_odoo/res_partner" in stale and "raw_odoo/sale_order" not in stale
