"""The demo Odoo where Odoo 17 is inconvenient: partner ranks, a stock Odoo without the delivery and
margin modules, and fields that Odoo cannot search, sort or group on. Real odoorpc over HTTP
against demo servers of their own (these tests write), expected values counted from what the
server serves, not from the generator."""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.error
import urllib.request

import odoorpc
import pytest
from support.servers import AS_OF, Server, wait_until

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it

ODOO_ERROR = odoorpc.error.RPCError


@pytest.fixture(scope="module")
def webhooks():
    """A receiver of the demo Odoo's automation-rule webhooks: the bodies, in arrival order."""
    received: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", received
    httpd.shutdown()


@pytest.fixture(scope="module")
def full(webhooks):
    srv = Server("--webhook-url", webhooks[0], scale="0.1")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def odoo(full):
    return full.client()


@pytest.fixture(scope="module")
def stock():
    srv = Server("--stock-odoo", scale="0.05")
    yield srv
    srv.stop()


def posted_count(odoo, partner_id: int, move_types: list[str]) -> int:
    return odoo.env["account.move"].search_count(
        [
            ("state", "=", "posted"),
            ("move_type", "in", move_types),
            "|",
            ("partner_id", "=", partner_id),
            ("commercial_partner_id", "=", partner_id),
        ]
    )


def vendors(odoo) -> dict[int, dict]:
    """The partners the distributor buys from: those of its confirmed purchase orders."""
    orders = odoo.env["purchase.order"].search_read([("state", "in", ["purchase", "done"])], ["partner_id"])
    ids = sorted({o["partner_id"][0] for o in orders})
    return {p["id"]: p for p in odoo.env["res.partner"].read(ids, ["supplier_rank", "customer_rank", "write_date"])}


# --- ranks ---------------------------------------------------------------------------------------


def test_supplier_rank_is_the_number_of_posted_bills_and_zero_without_any(odoo):
    ranks = {v: p["supplier_rank"] for v, p in vendors(odoo).items()}
    bills = {v: posted_count(odoo, v, ["in_invoice", "in_refund"]) for v in ranks}
    assert ranks == bills
    unbilled = [v for v, n in bills.items() if n == 0]
    assert unbilled and len(unbilled) < len(bills)  # vendors billed outside Odoo, next to billed ones


def test_customer_rank_is_the_number_of_posted_invoices_and_credit_notes(odoo):
    customers = odoo.env["res.partner"].search_read(
        [("ref", "=like", "C%")], ["customer_rank", "supplier_rank"], context={"active_test": False}
    )
    assert len(customers) == 30
    for c in customers:
        assert c["customer_rank"] == posted_count(odoo, c["id"], ["out_invoice", "out_refund"]), c
        assert c["supplier_rank"] == 0


def test_confirming_a_purchase_does_not_raise_supplier_rank(odoo):
    vendor = odoo.env["res.partner"].create({"name": "New Vendor Ltd", "is_company": True})
    order = odoo.env["purchase.order"].create(
        {
            "partner_id": vendor,
            "order_line": [(0, 0, {"product_id": 1, "product_qty": 5, "price_unit": 2.0, "name": "x"})],
        }
    )
    odoo.env["purchase.order"].write([order], {"state": "purchase"})
    assert odoo.env["res.partner"].read([vendor], ["supplier_rank"])[0]["supplier_rank"] == 0


def test_a_partner_created_from_a_vendor_or_customer_field_starts_at_rank_one(odoo):
    def create(mode, **vals):
        pid = odoo.execute_kw(
            "res.partner", "create", [{"name": f"Via {mode}", **vals}], {"context": {"res_partner_search_mode": mode}}
        )
        return odoo.env["res.partner"].read([pid], ["supplier_rank", "customer_rank"])[0]

    assert create("supplier") | {"id": 0} == {"id": 0, "supplier_rank": 1, "customer_rank": 0}
    assert create("customer") | {"id": 0} == {"id": 0, "supplier_rank": 0, "customer_rank": 1}
    assert create("supplier", supplier_rank=0)["supplier_rank"] == 0  # a value given wins


def draft_bill(odoo, vendor: int, invoice_date=AS_OF) -> int:
    return odoo.env["account.move"].create(
        {
            "move_type": "in_invoice",
            "partner_id": vendor,
            "invoice_date": invoice_date,
            "line_ids": [(0, 0, {"display_type": "product", "name": "Pallets", "quantity": 4, "price_unit": 12.5})],
        }
    )


def test_posting_a_bill_raises_supplier_rank_without_a_write_or_a_webhook(odoo, webhooks):
    """A vendor billed outside Odoo gets its first bill in Odoo: posting it raises supplier_rank from
    0 to 1 with a raw SQL UPDATE, so the partner's write_date stays and no webhook names it."""
    _, received = webhooks
    vendor, before = next((v, p) for v, p in vendors(odoo).items() if p["supplier_rank"] == 0)
    Move = odoo.env["account.move"]
    bill = draft_bill(odoo, vendor)
    draft = Move.read([bill], ["state", "name", "write_date"])[0]
    assert (draft["state"], draft["name"]) == ("draft", "/")
    month = f"BILL/{AS_OF[:4]}/{AS_OF[5:7]}/"
    numbered = Move.search_count([("name", "=like", month + "%")])
    time.sleep(1.1)  # the posting's stamp falls in a later second than the creation's
    del received[:]
    assert odoo.execute_kw("account.move", "action_post", [[bill]]) is False

    after = odoo.env["res.partner"].read([vendor], ["supplier_rank", "write_date"])[0]
    assert after["supplier_rank"] == 1 == posted_count(odoo, vendor, ["in_invoice", "in_refund"])
    assert after["write_date"] == before["write_date"] < f"{AS_OF} 23:59:59"
    posted = Move.read([bill], ["state", "name", "write_date", "invoice_line_ids"])[0]
    assert posted["state"] == "posted" and posted["name"] == f"{month}{numbered + 1:04d}"
    assert posted["write_date"] > draft["write_date"]
    lines = odoo.env["account.move.line"].search_read([("move_id", "=", bill)], ["parent_state", "write_date"])
    assert [ln["id"] for ln in lines] == posted["invoice_line_ids"]
    assert all(ln["parent_state"] == "posted" and ln["write_date"] == posted["write_date"] for ln in lines)
    wait_until(lambda: any(h["_model"] == "account.move" and h["_id"] == bill for h in received), 10, "the webhook")
    assert not [h for h in received if h["_model"] == "res.partner"]


def test_writing_state_posted_is_not_posting(odoo):
    """`write({'state': 'posted'})` is allowed and skips `_post`: no rank, no number."""
    vendor = odoo.env["res.partner"].create({"name": "Written Vendor", "is_company": True})
    bill = draft_bill(odoo, vendor)
    odoo.env["account.move"].write([bill], {"state": "posted"})
    assert odoo.env["res.partner"].read([vendor], ["supplier_rank"])[0]["supplier_rank"] == 0
    assert odoo.env["account.move"].read([bill], ["name"])[0]["name"] == "/"


@pytest.mark.parametrize(
    "vals,message",
    [
        ({"invoice_date": False}, "The Bill/Refund date is required to validate this document."),
        ({"partner_id": False}, "The field 'Vendor' is required, please complete it to validate the Vendor Bill."),
        ({"line_ids": []}, "You need to add a line before posting."),
    ],
)
def test_posting_checks_what_odoo_checks(odoo, vals, message):
    vendor = odoo.env["res.partner"].create({"name": "Careless Vendor", "is_company": True})
    bill = odoo.env["account.move"].create(
        {
            "move_type": "in_invoice",
            "partner_id": vendor,
            "invoice_date": AS_OF,
            "line_ids": [(0, 0, {"display_type": "product", "name": "x"})],
            **vals,
        }
    )
    with pytest.raises(ODOO_ERROR) as err:
        odoo.execute_kw("account.move", "action_post", [[bill]])
    assert str(err.value) == message and err.value.info["data"]["name"] == "odoo.exceptions.UserError"


def test_a_posted_entry_cannot_be_posted_again_and_other_models_have_no_post(odoo):
    bill = odoo.env["account.move"].search([("state", "=", "posted"), ("move_type", "=", "in_invoice")], limit=1)[0]
    name = odoo.env["account.move"].read([bill], ["name"])[0]["name"]
    with pytest.raises(ODOO_ERROR, match=f"^The entry {name} \\(id {bill}\\) must be in draft.$"):
        odoo.execute_kw("account.move", "action_post", [[bill]])
    with pytest.raises(ODOO_ERROR, match="^The method 'action_post' does not exist on the model 'sale.order'$"):
        odoo.execute_kw("sale.order", "action_post", [[1]])


# --- fields Odoo cannot search, sort or group on ----------------------------------------------------


def test_a_leaf_on_a_field_odoo_cannot_search_matches_everything(odoo):
    """Odoo 17 drops a leaf on a non-stored field without a search method (it logs "Non-stored field
    ... cannot be searched."): the filter silently does nothing, negated or not."""
    Partner, Line = odoo.env["res.partner"], odoo.env["sale.order.line"]
    everyone = Partner.search_count([])
    assert Partner.search_count([("on_time_rate", "<", -50)]) == everyone
    assert Partner.search_count([("on_time_rate", "!=", 12.5)]) == everyone
    assert Partner.search_count([("display_name", "=", "No such partner")]) == everyone
    assert (
        Partner.search_count([("supplier_rank", ">", 0), ("on_time_rate", ">", 1000)])
        == Partner.search_count([("supplier_rank", ">", 0)])
        < everyone
    )
    # through a path, every record whose path leads to a record remains
    assert Line.search_count([("order_id.delivery_count", "=", 12345)]) == Line.search_count(
        [("order_id", "!=", False)]
    )
    # related, stored and fields with a search method do filter
    assert Partner.search_count([("country_code", "=", "ZZ")]) == 0
    assert Line.search_count([("product_template_id", "=", -1)]) == 0


def test_an_order_on_a_field_that_is_not_a_column_is_skipped(odoo):
    Partner = odoo.env["res.partner"]
    assert Partner.search([], order="on_time_rate desc, id desc", limit=20) == Partner.search(
        [], order="id desc", limit=20
    )
    assert Partner.search([], order="display_name, id desc", limit=20) == Partner.search([], order="id desc", limit=20)
    # an inherited column sorts (product.product's name is product.template's)
    names = [p["name"] for p in odoo.env["product.product"].search_read([], ["name"], order="name, id", limit=50)]
    assert names == sorted(names)


def test_read_group_refuses_what_is_not_a_column_and_uses_group_operators(odoo):
    SO = odoo.env["sale.order"]
    for args in ([["amount_total"], ["delivery_count"]], [["delivery_count:sum"], ["user_id"]]):
        with pytest.raises(ODOO_ERROR, match="^Cannot convert field sale.order.delivery_count to SQL$"):
            SO.read_group([], *args)
    groups = SO.read_group(
        [("state", "=", "sale")], ["delivery_count", "margin_percent", "amount_untaxed"], ["user_id"]
    )
    for group in groups:
        assert "delivery_count" not in group  # named without a function and not a column: left out
        orders = SO.search_read(group["__domain"], ["margin_percent", "amount_untaxed"])
        assert group["margin_percent"] == pytest.approx(sum(o["margin_percent"] for o in orders) / len(orders))  # avg
        assert group["amount_untaxed"] == pytest.approx(sum(o["amount_untaxed"] for o in orders))  # sum
    [lines] = odoo.env["account.move.line"].read_group([], ["date", "amount_currency", "balance"], [], lazy=False)
    dates = [ln["date"] for ln in odoo.env["account.move.line"].search_read([], ["date"])]
    assert lines["date"] == min(dates) and "amount_currency" not in lines and "balance" in lines


def test_invoice_lines_are_the_product_lines_of_an_invoice(odoo):
    invoice = odoo.env["account.move"].search_read(
        [("move_type", "=", "out_invoice")], ["invoice_line_ids", "line_ids"], limit=1
    )[0]
    products = odoo.env["account.move.line"].search([("move_id", "=", invoice["id"]), ("display_type", "=", "product")])
    assert sorted(invoice["invoice_line_ids"]) == sorted(products) and set(products) < set(invoice["line_ids"])


# --- a stock Odoo (--stock-odoo) ------------------------------------------------------------------------


@pytest.mark.parametrize("method,args", [("fields_get", []), ("search_read", [[]])])
def test_stock_odoo_does_not_know_delivery_carriers(stock, method, args):
    reply = stock.post(
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": ["distribution_demo", 2, "admin", "delivery.carrier", method, args],
        },
    )
    error = reply["error"]
    assert (error["code"], error["message"]) == (200, "Odoo Server Error")
    assert (error["data"]["name"], error["data"]["message"]) == (
        "odoo.exceptions.UserError",
        "Object delivery.carrier doesn't exist",
    )


def test_stock_odoo_has_no_delivery_or_margin_fields(stock):
    odoo = stock.client()
    missing = {
        "stock.picking": {"carrier_id", "carrier_tracking_ref", "carrier_price", "weight"},
        "sale.order": {"carrier_id", "margin", "margin_percent"},
        "sale.order.line": {"is_delivery", "purchase_price", "margin", "margin_percent"},
    }
    kept = {
        "stock.picking": {"sale_id", "date_done"},
        "sale.order": {"amount_untaxed"},
        "sale.order.line": {"price_subtotal"},
        "product.template": {"weight", "volume"},
    }
    for model in set(missing) | set(kept):
        fields = set(odoo.env[model].fields_get())
        assert not fields & missing.get(model, set()) and kept[model] <= fields, model
    with pytest.raises(ODOO_ERROR, match="^Invalid field 'carrier_id' on model 'stock.picking'$"):
        odoo.env["stock.picking"].search_read([], ["carrier_id"], limit=1)
    with pytest.raises(ODOO_ERROR, match="^Invalid field stock.picking.carrier_id in leaf"):
        odoo.env["stock.picking"].search_count([("carrier_id", "!=", False)])
    # no delivery fees: no sale line sells a delivery product
    assert (
        odoo.env["product.product"].search_count([("default_code", "=like", "SHIP-%")], context={"active_test": False})
        == 0
    )


def test_stock_odoo_has_no_carrier_api(stock):
    request = urllib.request.Request(
        f"{stock.url}/carrier-api/v1/shipments?page=1", headers={"Authorization": "Bearer carrier-demo-token"}
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=10)
    assert err.value.code == 404 and err.value.headers["Content-Type"] == "text/html"


def test_stock_odoo_ranks_follow_the_bills_too(stock):
    odoo = stock.client()
    ranks = {v: p["supplier_rank"] for v, p in vendors(odoo).items()}
    assert ranks == {v: posted_count(odoo, v, ["in_invoice", "in_refund"]) for v in ranks}
    assert 0 in ranks.values()
