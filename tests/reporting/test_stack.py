"""The deployment shape, end to end: code server, daemon, webserver and webhook receiver as separate
processes on the PostgreSQL-backed instance (tests/support/stack.py), the demo Odoo posting webhooks to the
receiver, and everything asserted through the webserver's GraphQL API and the warehouse."""

from __future__ import annotations

import psycopg2
import pytest
from support.servers import Server
from support.stack import Stack

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it


def mart_on_hand(pg_dsn: str, product_id: int, warehouse_id: int) -> float:
    with psycopg2.connect(pg_dsn) as con, con.cursor() as cur:
        cur.execute(
            "select on_hand_qty from marts.kpi_inventory_position where product_id = %s and warehouse_id = %s",
            (product_id, warehouse_id),
        )
        return float(cur.fetchone()[0])


def an_internal_quant(pg_dsn: str) -> tuple[int, int, int, float]:
    with psycopg2.connect(pg_dsn) as con, con.cursor() as cur:
        cur.execute("""select q.id, q.product_id, l.warehouse_id, q.quantity from raw_odoo.stock_quant q
                       join raw_odoo.stock_location l on l.id = q.location_id
                       where l.usage = 'internal' and l.warehouse_id is not null order by q.id limit 1""")
        quant_id, product_id, warehouse_id, quantity = cur.fetchone()
        return quant_id, product_id, warehouse_id, float(quantity)


def test_an_odoo_change_reaches_the_mart_through_webhook_sensor_and_automation(pg_dsn, tmp_path):
    stack = Stack(tmp_path, pg_dsn)  # the default 60 s poll: only the webhook can make this quick
    server = Server("--webhook-url", stack.webhook_url, scale="0.05")
    try:
        with stack:
            stack.start(server.url)
            before_runs = stack.wait_for_catch_up("marts/kpi_inventory_position", 600)
            assert any(r["tags"].get("dagster/sensor_name") == "odoo_changes" for r in before_runs)

            quant_id, product_id, warehouse_id, quantity = an_internal_quant(pg_dsn)
            on_hand = mart_on_hand(pg_dsn, product_id, warehouse_id)
            server.client().env["stock.quant"].write([quant_id], {"quantity": quantity + 100})

            known = {r["runId"] for r in before_runs}

            def refreshed(runs):
                new = [r for r in runs if r["runId"] not in known and r["status"] == "SUCCESS"]
                ingest = [r for r in new if r["assets"] == {"raw_odoo/stock_quant"}]
                marts = [r for r in new if "marts/kpi_inventory_position" in r["assets"]]
                return ingest and marts and (ingest, marts)

            (ingest,), (marts, *_) = stack.wait_for_runs(refreshed, 300, "the change to reach the mart")
            assert ingest["tags"]["dagster/sensor_name"] == "odoo_changes"
            assert ingest["tags"]["reporting/trigger"] == "webhook"  # not the 60 s poll
            assert marts["tags"].get("dagster/sensor_name") == "kpi_automation", marts["tags"]
            assert marts["startTime"] >= ingest["endTime"]
            assert "raw_odoo/stock_quant" not in marts["assets"]  # the sensor asked for the raw table only
            assert mart_on_hand(pg_dsn, product_id, warehouse_id) == on_hand + 100
    finally:
        server.stop()
