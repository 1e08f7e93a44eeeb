"""Webhook hints: the demo Odoo posting automation-rule webhooks to `reporting webhooks` (both real
processes over HTTP), the receiver's answers to bad requests, and the sensor acting on a hint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import dagster as dg
import pytest
from support.servers import Server, free_port, wait_until

from reporting_assets.defs.odoo_raw import sensors
from reporting_assets.defs.odoo_raw.sensors import odoo_changes
from reporting_assets.odoo.tables import ODOO_TABLES
from reporting_assets.resources import OdooResource
from reporting_assets.webhooks import HINTS_KEY, Recorder, make_server

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it

TOKEN = "hint-token-0123456789abcdef"


def hints(instance: dg.DagsterInstance) -> list[dict]:
    records = instance.fetch_observations(HINTS_KEY, limit=100, ascending=True).records
    return [{k: v.value for k, v in r.asset_observation.metadata.items()} for r in records]


def post(url: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def receiver(tmp_path, monkeypatch):
    """`reporting webhooks` as its own process, on a Dagster instance of its own."""
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster"), "REPORTING_WEBHOOK_TOKEN": TOKEN}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reporting_assets.cli", "webhooks", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: urllib.request.urlopen(url + "/health", timeout=1).status == 200, 60, "the receiver", proc)
    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    instance = dg.DagsterInstance.get()
    yield url, instance, proc
    proc.terminate()
    proc.wait(timeout=10)
    instance.dispose()


def test_the_demo_odoo_posts_webhooks_that_become_hints(receiver):
    url, instance, proc = receiver
    server = Server("--webhook-url", f"{url}/odoo/{TOKEN}", scale="0.05")
    try:
        rpc = server.client()
        orders = rpc.env["sale.order"].search([["state", "=", "sale"]], limit=3)
        rpc.env["sale.order"].write(orders, {"client_order_ref": "HOOK"})
        partner = rpc.env["res.partner"].create({"name": "Hooked"})
        rpc.env["res.partner"].unlink([partner])
    finally:
        server.stop()
    sim_log = server.proc.stdout.read()
    assert "failed" not in sim_log, sim_log  # every POST answered within Odoo's 1-second timeout

    recorded = wait_until(
        lambda: (h := hints(instance)) and {r["model"] for r in h} == {"sale.order", "res.partner"} and h,
        20,
        "both hints",
    )
    by_model: dict[str, set[str]] = {}
    for hint in recorded:
        by_model.setdefault(hint["model"], set()).update(hint["record_ids"].split(", "))
    assert by_model == {
        "sale.order": {str(i) for i in orders},
        "res.partner": {str(partner)},
    }  # create and unlink: one id
    proc.terminate()
    assert TOKEN not in proc.communicate(timeout=10)[0]


def test_bad_requests_get_a_clear_refusal_and_record_nothing(receiver):
    url, instance, _ = receiver
    good = json.dumps({"_action": "Notify(#1)", "_id": 7, "_model": "stock.picking", "id": 7}).encode()
    assert post(f"{url}/odoo/not-the-token", good) == (403, {"error": "wrong webhook token"})
    assert post(f"{url}/elsewhere/{TOKEN}", good)[0] == 404
    status, reply = post(f"{url}/odoo/{TOKEN}", b"<html>")
    assert (status, reply["error"]) == (400, "the body is not JSON")
    status, reply = post(f"{url}/odoo/{TOKEN}", json.dumps({"_model": "hr.employee", "_id": 1}).encode())
    assert status == 400 and "'hr.employee' is not ingested" in reply["error"]
    status, reply = post(f"{url}/odoo/{TOKEN}", json.dumps({"id": 1}).encode())
    assert status == 400 and '"_model"' in reply["error"]
    time.sleep(0.5)
    assert hints(instance) == []
    assert post(f"{url}/odoo/{TOKEN}", good) == (202, {"accepted": "stock.picking"})
    assert wait_until(lambda: hints(instance), 20, "the hint") == [
        {"model": "stock.picking", "records": 1, "record_ids": "7"}
    ]


def test_the_receiver_answers_before_the_hint_is_recorded():
    """Odoo waits one second at most: the request only queues the hint (here nothing records it)."""
    with dg.instance_for_test() as instance:
        recorder = Recorder(instance)  # not started
        server = make_server("127.0.0.1", 0, TOKEN, recorder)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            body = json.dumps({"_id": 3, "_model": "stock.move"}).encode()
            assert post(f"http://127.0.0.1:{server.server_address[1]}/odoo/{TOKEN}", body)[0] == 202
        finally:
            server.shutdown()
        assert recorder.queue.get_nowait() == ("stock.move", 3)


def test_the_receiver_refuses_to_start_without_a_real_token(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "REPORTING_WEBHOOK_TOKEN": "short"}
    done = subprocess.run(
        [sys.executable, "-m", "reporting_assets.cli", "webhooks", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "at least 16 characters" in done.stderr


def test_a_hint_makes_the_next_tick_request_the_model_without_waiting_for_the_poll(monkeypatch):
    server = Server(scale="0.05")
    odoo = OdooResource(url=server.url, db="distribution_demo", username="admin", password="admin")
    monkeypatch.setattr(sensors, "INTERVAL", 3600)
    try:
        with dg.instance_for_test() as instance:

            def tick(cursor):
                context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"odoo": odoo})
                return odoo_changes(context), context.cursor

            first, cursor = tick(None)
            assert len(first.asset_selection) == len(ODOO_TABLES)
            server.stop()  # from here on, a tick that asked Odoo would fail
            quiet, cursor = tick(cursor)
            assert isinstance(quiet, dg.SkipReason) and "not due" in quiet.skip_message

            server = Server(scale="0.05")  # the same data: no fingerprint moves
            odoo = OdooResource(url=server.url, db="distribution_demo", username="admin", password="admin")
            instance.report_runless_asset_event(dg.AssetObservation(HINTS_KEY, metadata={"model": "stock.picking"}))
            hinted, cursor = tick(cursor)
            assert {k.to_user_string() for k in hinted.asset_selection} == {"raw_odoo/stock_picking"}
            assert hinted.tags["reporting/trigger"] == "webhook"
            server.stop()
            again, _ = tick(cursor)  # the hint was consumed
            assert isinstance(again, dg.SkipReason)
    finally:
        server.stop()
