"""Alerts: a real failed run (wrong Odoo password) through the run-failure sensor, delivered to a
real SMTP server (aiosmtpd) and to a JSON webhook receiver, both started here."""

from __future__ import annotations

import email
import email.policy

import dagster as dg
import duckdb
import pytest
from aiosmtpd.controller import Controller
from support.servers import DB, Server, free_port

from reporting_assets.defs.odoo_raw.assets import odoo_raw_asset
from reporting_assets.defs.orchestration.alerts import (
    alert_on_check_failure,
    alert_on_run_failure,
    alert_on_stale_data,
)
from reporting_assets.odoo.tables import table_for
from reporting_assets.resources import OdooResource, WarehouseResource

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture(scope="module")
def srv():
    server = Server(scale="0.05")
    yield server
    server.stop()


def test_a_failed_run_is_mailed_and_posted_with_what_why_since_and_a_link(srv, smtp, webhook, tmp_path, monkeypatch):
    port, inbox = smtp
    url, received = webhook
    monkeypatch.setenv("REPORTING_ALERT_EMAIL_TO", "controller@example.com, ops@example.com")
    monkeypatch.setenv("REPORTING_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REPORTING_SMTP_PORT", str(port))
    monkeypatch.setenv("REPORTING_ALERT_WEBHOOK_URL", url)
    asset = odoo_raw_asset(table_for("res.company"))
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [asset],
            instance=instance,
            raise_on_error=False,
            resources={
                "odoo": OdooResource(url=srv.url, db=DB, username="admin", password="Wr0ng-Secret"),
                "warehouse": WarehouseResource(duckdb_path=str(tmp_path / "w.duckdb")),
            },
        )
        assert not result.success
        run = instance.get_run_by_id(result.run_id)
        failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
        context = dg.build_run_status_sensor_context(
            sensor_name="alert_on_run_failure", dagster_instance=instance, dagster_run=run, dagster_event=failure
        ).for_run_failure()
        alert_on_run_failure(context)

    ((recipients, raw),) = inbox.messages
    message = email.message_from_string(raw, policy=email.policy.default)
    mail = message.get_content()
    assert recipients == ["controller@example.com", "ops@example.com"]
    assert message["Subject"] == "[reporting] Run failed: __ephemeral_asset_job__"
    assert f"Why: Odoo rejected the login of user 'admin' on database '{DB}' at {srv.url}" in mail
    assert f"Details: http://localhost:3000/runs/{result.run_id}" in mail and "Since: 20" in mail
    assert "Wr0ng-Secret" not in raw
    (posted,) = received
    assert posted["subject"] == "Run failed: __ephemeral_asset_job__" and posted["text"].startswith("Run failed")
    assert posted["link"].endswith(result.run_id) and "wrong password or API key" in posted["why"]


def test_a_failed_check_is_posted_once(srv, webhook, tmp_path, monkeypatch):
    """The count check fails when the warehouse holds a row twice (a lost row would be re-read)."""
    url, received = webhook
    monkeypatch.setenv("REPORTING_ALERT_WEBHOOK_URL", url)
    asset = odoo_raw_asset(table_for("sale.order"))
    path = str(tmp_path / "w.duckdb")
    resources = {
        "odoo": OdooResource(url=srv.url, db=DB, username="admin", password="admin"),
        "warehouse": WarehouseResource(duckdb_path=path),
    }
    from reporting_assets.definitions import defs

    repository = defs.get_repository_def()
    with dg.instance_for_test() as instance:

        def look(cursor):
            context = dg.build_sensor_context(instance=instance, cursor=cursor, repository_def=repository)
            alert_on_check_failure(context)
            return context.cursor

        cursor = look(None)
        assert dg.materialize([asset], instance=instance, resources=resources).success
        cursor = look(cursor)
        assert received == []  # passing checks say nothing
        with duckdb.connect(path) as con:
            con.execute("INSERT INTO raw_odoo.sale_order SELECT * FROM raw_odoo.sale_order LIMIT 1")
        result = dg.materialize([asset], instance=instance, resources=resources, raise_on_error=False)
        assert not result.success  # the check blocks: the run fails
        cursor = look(cursor)
        look(cursor)  # nothing new: no second alert
    (posted,) = received
    assert posted["subject"] == "Check failed: raw_odoo/sale_order source_count_matches"
    assert "difference=1" in posted["why"] and posted["link"].endswith(result.run_id)


def test_a_table_failing_its_freshness_policy_is_posted_once(webhook, monkeypatch):
    from dagster._core.definitions.freshness import FreshnessState, FreshnessStateChange

    url, received = webhook
    monkeypatch.setenv("REPORTING_ALERT_WEBHOOK_URL", url)
    key = dg.AssetKey(["raw_odoo", "stock_move"])
    with dg.instance_for_test() as instance:

        def look(cursor):
            context = dg.build_sensor_context(instance=instance, cursor=cursor)
            alert_on_stale_data(context)
            return context.cursor

        cursor = look(None)
        assert received == []  # nothing recorded as stale yet
        # what the freshness daemon records when the table's fail window has passed
        instance.report_runless_asset_event(
            FreshnessStateChange(
                key=key,
                previous_state=FreshnessState.WARN,
                new_state=FreshnessState.FAIL,
                state_change_timestamp=1_790_000_000.0,
            )
        )
        cursor = look(cursor)
        look(cursor)  # still failing: no second alert
    (posted,) = received
    assert posted["subject"] == "Stale data: raw_odoo/stock_move"
    assert posted["why"] == "not updated within its freshness window (fail after 6 h)"
    assert posted["link"].endswith("/assets/raw_odoo/stock_move")
