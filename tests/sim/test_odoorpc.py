"""The real odoorpc 0.10.1 client against a running demo server, over HTTP."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

import odoorpc
import pytest
from support.servers import AS_OF, DB, SIM_DATA

from odoo_sim.schema import MODELS

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it


def test_login_reads_version_and_context(odoo):
    assert odoo.version == "17.0"
    assert odoo.env.uid == 2
    assert odoo.env.context["tz"] == "UTC"
    assert odoo.db.list() == [DB]


def test_api_key_is_accepted_in_place_of_the_password(server):
    odoo = odoorpc.ODOO("127.0.0.1", port=server.port)
    odoo.login(DB, "admin", "test-api-key")
    assert odoo.env["res.partner"].search_count([]) > 0


def test_wrong_password_is_refused(server):
    odoo = odoorpc.ODOO("127.0.0.1", port=server.port)
    with pytest.raises(odoorpc.error.RPCError, match="Wrong login ID or password"):
        odoo.login(DB, "admin", "wrong")
    reply = server.post(
        "/jsonrpc",
        {"service": "object", "method": "execute_kw", "args": [DB, 2, "wrong", "sale.order", "search_count", [[]]]},
    )
    assert reply["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert reply["error"]["code"] == 200 and reply["error"]["data"]["message"] == "Access Denied"


def test_unknown_database_is_reported_like_odoo(server):
    odoo = odoorpc.ODOO("127.0.0.1", port=server.port)
    with pytest.raises(odoorpc.error.RPCError, match='database "no_such_db" does not exist'):
        odoo.login("no_such_db", "admin", "admin")


def test_fields_get_matches_a_real_odoo_17(odoo):
    real = json.loads((SIM_DATA / "odoo17-fields.json").read_text())["models"]
    for model in MODELS:
        served = odoo.execute_kw(model, "fields_get", [], {"attributes": ["type", "relation", "selection"]})
        assert {"id", "write_date", "display_name"} <= set(served)
        for name, meta in served.items():
            if model not in real or name not in real[model]:
                continue  # product.supplierinfo is not in the captured file
            expected = real[model][name]
            assert meta["type"] == expected["type"], (model, name)
            assert meta.get("relation") == expected.get("relation"), (model, name)
            assert meta.get("selection") == expected.get("selection"), (model, name)


def test_every_model_pages_completely_with_search_read(odoo):
    for model in MODELS:
        Model = odoo.env[model]
        total = Model.search_count([], context={"active_test": False})
        seen, offset = [], 0
        while True:
            page = Model.search_read(
                [],
                ["id", "write_date", "display_name"],
                offset=offset,
                limit=700,
                order="id asc",
                context={"active_test": False},
            )
            seen += [r["id"] for r in page]
            if len(page) < 700:
                break
            offset += 700
        assert len(seen) == total == len(set(seen)), model
        assert total > 0, model


def test_values_have_odoo_shapes(odoo):
    line = odoo.env["sale.order.line"].search_read(
        [("display_type", "=", False), ("state", "=", "sale")],
        [
            "order_id",
            "product_id",
            "move_ids",
            "price_subtotal",
            "write_date",
            "product_uom_qty",
            "price_unit",
            "discount",
        ],
        limit=1,
    )[0]
    assert isinstance(line["order_id"], list) and isinstance(line["order_id"][1], str)
    assert isinstance(line["move_ids"], list)
    assert len(line["write_date"]) == 19 and line["write_date"][10] == " "
    expected = round(line["product_uom_qty"] * line["price_unit"] * (1 - line["discount"] / 100), 2)
    assert line["price_subtotal"] == pytest.approx(expected)
    order = odoo.execute_kw(
        "sale.order", "read", [[line["order_id"][0]], ["partner_id", "commitment_date"]], {"load": None}
    )[0]
    assert isinstance(order["partner_id"], int)
    assert order["commitment_date"] is False or isinstance(order["commitment_date"], str)


def test_prefix_domains_and_dotted_paths(odoo):
    Move = odoo.env["stock.move"]
    out = Move.search_count([("state", "=", "done"), ("picking_code", "=", "outgoing")])
    done = Move.search_count([("state", "=", "done")])
    not_out = Move.search_count(["&", ("state", "=", "done"), "!", ("picking_code", "=", "outgoing")])
    assert out > 0 and out + not_out == done
    via_path = Move.search_count([("picking_id.picking_type_id.code", "=", "outgoing"), ("state", "=", "done")])
    assert via_path == out
    either = Move.search_count(["|", ("state", "=", "done"), ("state", "=", "cancel")])
    assert either == done + Move.search_count([("state", "=", "cancel")])


def test_read_group_lazy_and_not(odoo):
    SO = odoo.env["sale.order"]
    groups = SO.read_group(
        [("state", "=", "sale")], ["amount_untaxed:sum"], ["date_order:month", "user_id"], lazy=False
    )
    assert sum(g["__count"] for g in groups) == SO.search_count([("state", "=", "sale")])
    first = groups[0]
    assert first["__range"]["date_order:month"]["from"].endswith("-01 00:00:00")
    assert first["date_order:month"].split()[0] in ("May", "June", "July", "August", "September", "October", "November")
    total = sum(r["amount_untaxed"] for r in SO.search_read(first["__domain"], ["amount_untaxed"]))
    assert first["amount_untaxed"] == pytest.approx(total) and len(SO.search(first["__domain"])) == first["__count"]
    lazy = SO.read_group([("state", "=", "sale")], ["amount_untaxed"], ["warehouse_id", "user_id"])
    assert all("warehouse_id_count" in g and g["__context"] == {"group_by": ["user_id"]} for g in lazy)
    days = odoo.env["stock.picking"].read_group([("state", "=", "done")], [], ["date_done:day"], lazy=False)
    weeks = odoo.env["stock.picking"].read_group([("state", "=", "done")], [], ["date_done:week"], lazy=False)
    assert sum(g["__count"] for g in days) == sum(g["__count"] for g in weeks)
    assert weeks[0]["date_done:week"].startswith("W")


def test_write_create_unlink_bump_write_date(odoo):
    Partner = odoo.env["res.partner"]
    pid = Partner.create({"name": "Test Customer", "is_company": True})
    before = Partner.read([pid], ["write_date", "active"])[0]
    assert before["active"] is True and before["write_date"] >= f"{AS_OF} 00:00:00"
    Partner.write([pid], {"name": "Renamed"})
    after = Partner.search_read([("id", "=", pid)], ["name", "write_date"])[0]
    assert after["name"] == "Renamed" and after["write_date"] >= before["write_date"]
    assert Partner.search([("write_date", ">=", after["write_date"]), ("id", "=", pid)]) == [pid]
    Partner.unlink([pid])
    assert Partner.search([("id", "=", pid)], context={"active_test": False}) == []


def test_write_date_keeps_microseconds_and_is_served_truncated_as_in_odoo_17(odoo):
    """One write is one transaction: every record gets the same stamp, stored with microseconds,
    answered without them. So the answered value matches nothing with `=`, and `>` returns the
    whole second again, as a real Odoo 17 does (ODOO.md 4.4)."""
    Move = odoo.env["stock.move"]
    ids = Move.search([("state", "=", "done")], limit=300, order="id")
    Move.write(ids, {"origin": "MASS-UPDATE"})
    stamps = {r["write_date"] for r in Move.read(ids, ["write_date"])}
    assert len(stamps) == 1
    stamp = stamps.pop()
    assert len(stamp) == 19  # "YYYY-MM-DD HH:MM:SS", no fraction
    assert Move.search_count([("write_date", "=", stamp)]) == 0
    assert set(ids) <= set(Move.search([("write_date", ">", stamp)]))
    assert Move.search_count([("write_date", ">=", stamp), ("id", "in", ids)]) == len(ids)
    newest = Move.read_group([], ["write_date:max"], [], lazy=False)[0]["write_date"]
    assert newest == stamp
    # The next write is a later transaction: ordered after this one even within the same second.
    Move.write(ids[:1], {"origin": "LATER"})
    assert Move.search([("id", "in", ids)], order="write_date desc, id asc", limit=1) == ids[:1]


def test_a_write_changes_the_computed_figures(odoo):
    Line = odoo.env["sale.order.line"]
    line = Line.search_read(
        [("display_type", "=", False), ("state", "=", "sale"), ("price_subtotal", ">", 0)],
        ["order_id", "product_uom_qty", "price_subtotal"],
        limit=1,
    )[0]
    order_before = odoo.env["sale.order"].read([line["order_id"][0]], ["amount_untaxed"])[0]["amount_untaxed"]
    Line.write([line["id"]], {"product_uom_qty": line["product_uom_qty"] * 2})
    try:
        order_after = odoo.env["sale.order"].read([line["order_id"][0]], ["amount_untaxed"])[0]["amount_untaxed"]
        assert order_after == pytest.approx(order_before + line["price_subtotal"], abs=0.011)
    finally:
        Line.write([line["id"]], {"product_uom_qty": line["product_uom_qty"]})


@pytest.mark.parametrize(
    "model,method,args,name,message",
    [
        ("no.such.model", "search_read", [[]], "odoo.exceptions.UserError", "Object no.such.model doesn't exist"),
        (
            "sale.order",
            "search_read",
            [[], ["no_such_field"]],
            "builtins.ValueError",
            "Invalid field 'no_such_field' on model 'sale.order'",
        ),
        (
            "sale.order",
            "search_read",
            [[["no_such_field", "=", 1]]],
            "builtins.ValueError",
            "Invalid field sale.order.no_such_field in leaf ('no_such_field', '=', 1)",
        ),
        (
            "sale.order",
            "search_read",
            [[["name", "~~", "x"]]],
            "builtins.ValueError",
            "Invalid leaf ('name', '~~', 'x')",
        ),
        (
            "sale.order",
            "_compute_amounts",
            [[1]],
            "odoo.exceptions.AccessError",
            "Private methods (such as _compute_amounts) cannot be called remotely.",
        ),
        (
            "sale.order",
            "no_such_method",
            [[1]],
            "builtins.AttributeError",
            "The method 'no_such_method' does not exist on the model 'sale.order'",
        ),
    ],
)
def test_errors_have_odoo_names_and_messages(odoo, model, method, args, name, message):
    with pytest.raises(odoorpc.error.RPCError) as err:
        odoo.execute_kw(model, method, args, {})
    assert str(err.value) == message
    assert err.value.info["data"]["name"] == name and err.value.info["code"] == 200


def test_http_level_errors(server):
    with pytest.raises(urllib.error.HTTPError) as err:
        server.post("/jsonrpc", {}, raw=b"{not json")
    assert err.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as err:
        server.post("/web/no/such/route", {})
    assert err.value.code == 404


def test_server_on_time_rate_equals_the_ground_truth(odoo):
    from datetime import date

    from odoo_sim.generator import generate
    from odoo_sim.truth import ground_truth

    truth = ground_truth(generate(0.2, 42, date.fromisoformat(AS_OF)))["kpis"]["supplier"]
    served = odoo.env["res.partner"].read([int(k) for k in truth], ["on_time_rate", "supplier_rank"])
    assert any(p["supplier_rank"] == 0 for p in served)  # vendors billed outside Odoo are suppliers too
    for partner in served:
        assert partner["on_time_rate"] == pytest.approx(truth[str(partner["id"])]["odoo_on_time_rate"], abs=1e-4)


# --- carrier API ---------------------------------------------------------------


def carrier_get(server, query: str, token: str = "carrier-demo-token"):
    req = urllib.request.Request(
        f"{server.url}/carrier-api/v1/shipments?{query}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_carrier_api_pages_and_filters(server):
    first = carrier_get(server, "page=1&page_size=100")
    assert first["total"] > 100 and len(first["shipments"]) == 100 and first["next_page"] == 2
    refs, page = [], 1
    while page:
        body = carrier_get(server, f"page={page}&page_size=100")
        refs += [s["tracking_ref"] for s in body["shipments"]]
        page = body["next_page"]
    assert len(refs) == len(set(refs)) == first["total"]
    record = first["shipments"][0]
    assert set(record) == {
        "tracking_ref",
        "carrier_code",
        "shipped_at",
        "delivered_at",
        "status",
        "service_level_days",
        "updated_at",
    }
    since = first["shipments"][50]["updated_at"]
    later = carrier_get(server, f"updated_since={since}&page_size=1000")
    assert later["total"] > 0 and all(s["updated_at"] > since for s in later["shipments"])


def test_carrier_api_needs_the_bearer_token(server):
    with pytest.raises(urllib.error.HTTPError) as err:
        carrier_get(server, "page=1", token="wrong")
    assert err.value.code == 401
    with pytest.raises(urllib.error.HTTPError) as err:
        carrier_get(server, "updated_since=yesterday")
    assert err.value.code == 400


# --- fault injection -----------------------------------------------------------


@pytest.fixture
def faults(server):
    yield server.admin
    server.admin(reset=True)


def test_admin_endpoint_needs_the_admin_password(server):
    req = urllib.request.Request(
        server.url + "/sim/admin/faults", data=json.dumps({"admin_password": "x", "fail_every": 1}).encode()
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req)
    assert err.value.code == 403


def test_fail_every_nth_request_with_http_500(server, odoo, faults):
    faults(fail_every=3)
    outcomes = []
    for _ in range(6):
        try:
            odoo.env["res.partner"].search_count([])
            outcomes.append("ok")
        except urllib.error.HTTPError as exc:
            outcomes.append(exc.code)
    assert outcomes == ["ok", "ok", 500, "ok", "ok", 500]


def test_fail_in_odoo_shape(server, odoo, faults):
    faults(fail_every=1, fail_mode="odoo")
    with pytest.raises(odoorpc.error.RPCError, match="server closed the connection"):
        odoo.env["res.partner"].search_count([])


def test_cut_responses_and_html_pages(server, odoo, faults):
    faults(cut_every=1)
    with pytest.raises(http.client.IncompleteRead):
        odoo.env["res.partner"].search_read([], ["name"], limit=50)
    faults(reset=True, html_every=1)
    with pytest.raises(json.JSONDecodeError):
        odoo.env["res.partner"].search_count([])


def test_latency_is_added(server, odoo, faults):
    import time

    faults(latency_ms=300)
    start = time.monotonic()
    odoo.env["res.partner"].search_count([])
    assert time.monotonic() - start >= 0.3


def test_bad_fault_settings_are_refused(server, faults):
    with pytest.raises(urllib.error.HTTPError) as err:
        faults(fail_every=-1)
    assert err.value.code == 400


# --- Odoo 16 -----------------------------------------------------------------


def test_odoo16_names(server16):
    odoo = server16.client()
    assert odoo.version == "16.0"
    fields = odoo.env["stock.move"].fields_get()
    assert "quantity_done" in fields and "quantity" not in fields
    states = [s[0] for s in odoo.env["sale.order"].fields_get(["state"])["state"]["selection"]]
    assert "done" in states
    assert odoo.env["sale.order"].search_count([("state", "=", "done")]) > 0
    done = odoo.env["stock.move"].search_read([("state", "=", "done")], ["quantity_done", "product_uom_qty"], limit=5)
    assert all(m["quantity_done"] == m["product_uom_qty"] > 0 for m in done)


def test_browse_reads_an_empty_many2one_as_an_empty_record(odoo):
    """odoorpc builds an empty record for an unset many2one, asking the server for default_get."""
    move_id = odoo.env["stock.move"].search([["sale_line_id", "=", False]], limit=1)[0]
    move = odoo.env["stock.move"].browse(move_id)
    assert not move.sale_line_id and move.sale_line_id.id is None
    assert move.product_id.id == odoo.env["stock.move"].read([move_id], ["product_id"])[0]["product_id"][0]


def test_several_worker_processes_serve_reads_and_refuse_writes():
    """`--workers 2`, as Odoo's setting: two processes on one port, each with its own copy of the
    data, so the server is read-only and says so."""
    from pathlib import Path

    from support.servers import Server, wait_until

    srv = Server("--workers", "2", scale="0.05")
    try:
        children = Path(f"/proc/{srv.proc.pid}/task/{srv.proc.pid}/children").read_text().split()
        assert len(children) == 1
        odoo = srv.client()
        assert odoo.env["sale.order"].search_count([]) > 0
        with pytest.raises(odoorpc.error.RPCError, match="runs several worker processes.*read-only"):
            odoo.env["res.partner"].write([1], {"name": "Renamed"})
    finally:
        srv.stop()
    wait_until(lambda: not Path(f"/proc/{children[0]}").exists(), 10, "the worker to exit with the server")
