"""Event capture: the change sensors against a running demo server (real odoorpc, real HTTP), and
the daily full-refresh schedule."""

from __future__ import annotations

import dagster as dg
import pytest
from support.servers import DB, Server

from reporting_assets.defs.odoo_raw import sensors
from reporting_assets.defs.odoo_raw.sensors import carrier_changes, odoo_changes
from reporting_assets.defs.orchestration.schedules import daily_full_refresh
from reporting_assets.odoo.tables import ODOO_TABLES
from reporting_assets.resources import CarrierApiResource, OdooResource

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it


@pytest.fixture(scope="module")
def srv():
    server = Server()
    yield server
    server.stop()


def evaluate(sensor, instance, cursor, **resources):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources)
    result = sensor(context)
    return result, context.cursor


def requested(result) -> set[str]:
    assert isinstance(result, dg.RunRequest), result
    return {k.to_user_string() for k in result.asset_selection}


def test_odoo_sensor_requests_exactly_the_models_that_changed(srv, monkeypatch):
    monkeypatch.setattr(sensors, "INTERVAL", 0)  # every evaluation polls Odoo
    odoo = OdooResource(url=srv.url, db=DB, username="admin", password="admin")
    rpc = srv.client()
    with dg.instance_for_test() as instance:
        first, cursor = evaluate(odoo_changes, instance, None, odoo=odoo)
        assert requested(first) == {f"raw_odoo/{t.table}" for t in ODOO_TABLES}  # a new deployment catches up
        quiet, cursor = evaluate(odoo_changes, instance, cursor, odoo=odoo)
        assert isinstance(quiet, dg.SkipReason)

        order = rpc.env["sale.order"].search([["state", "=", "sale"]], limit=1)
        rpc.env["sale.order"].write(order, {"client_order_ref": "SENSOR"})
        written, cursor = evaluate(odoo_changes, instance, cursor, odoo=odoo)
        # the order, and its lines whose stored related fields Odoo recomputes
        assert requested(written) == {"raw_odoo/sale_order", "raw_odoo/sale_order_line"}

        partner = rpc.env["res.partner"].create({"name": "Short-lived"})
        rpc.env["res.partner"].unlink([partner])  # created and deleted between two looks: nothing to load
        net_nothing, cursor = evaluate(odoo_changes, instance, cursor, odoo=odoo)
        assert isinstance(net_nothing, dg.SkipReason)
        supplierless = rpc.env["res.partner"].search([["supplier_rank", "=", 0], ["customer_rank", "=", 0]], limit=1)
        rpc.env["res.partner"].unlink(supplierless)
        gone, cursor = evaluate(odoo_changes, instance, cursor, odoo=odoo)
        assert requested(gone) == {"raw_odoo/res_partner"}  # a plain deletion lowers the count


def test_carrier_sensor_requests_the_shipments_once_until_they_change(srv):
    carrier = CarrierApiResource(url=srv.url + "/carrier-api/v1", token="carrier-demo-token")
    with dg.instance_for_test() as instance:
        first, cursor = evaluate(carrier_changes, instance, None, carrier_api=carrier)
        assert requested(first) == {"raw_carrier/shipments"} and cursor.endswith("Z")
        again, _ = evaluate(carrier_changes, instance, cursor, carrier_api=carrier)
        assert isinstance(again, dg.SkipReason)


def test_the_daily_full_refresh_reads_every_raw_table_again():
    from reporting_assets.definitions import defs

    assert (daily_full_refresh.cron_schedule, daily_full_refresh.execution_timezone) == ("0 2 * * *", "UTC")
    raw_ops = {f"raw_odoo__{t.table}" for t in ODOO_TABLES} | {"raw_carrier__shipments"}
    assert raw_ops <= set(defs.resolve_job_def("full_refresh").graph.node_dict)
    assert {n for n, c in daily_full_refresh.job.config["ops"].items() if c["config"]["full_refresh"]} == raw_ops
