"""Fields Odoo computes, computed here from the stored records on every read.

Computing at read time (rather than storing results) keeps every derived
figure consistent after `write`, `create` and `unlink` through RPC, which the
ingestion tests and benchmarks use to change data. Related fields that are a
plain path (e.g. `stock.move.location_dest_usage` = `location_dest_id.usage`)
are not listed: the database follows the `related` path of their metadata.
"""

from __future__ import annotations

from datetime import datetime, timedelta

TAX_RATE = 0.15  # the one sales/purchase tax of the demo company


def _r(x: float) -> float:
    return round(x + 0.0, 2)


def _line_subtotal(rec: dict, qty_field: str) -> float:
    if rec.get("display_type"):
        return 0.0
    return _r((rec.get(qty_field) or 0.0) * (rec.get("price_unit") or 0.0) * (1 - (rec.get("discount") or 0.0) / 100))


def _product_is_service(db, product_id) -> bool:
    prod = db.record("product.product", product_id) if product_id else None
    return bool(prod) and db.value("product.product", prod, "type") == "service"


def _done_moves(db, field: str, rid: int):
    for move in db.inverse("stock.move", field, rid):
        if move.get("state") == "done":
            yield move


def _usage(db, location_id) -> str | None:
    loc = db.record("stock.location", location_id) if location_id else None
    return loc.get("usage") if loc else None


def _move_qty(move: dict) -> float:
    return move.get("quantity") or 0.0


# --- sale ------------------------------------------------------------------


def sol_subtotal(db, rec):
    return _line_subtotal(rec, "product_uom_qty")


def sol_tax(db, rec):
    return 0.0 if rec.get("display_type") else _r(sol_subtotal(db, rec) * TAX_RATE)


def sol_total(db, rec):
    return _r(sol_subtotal(db, rec) + sol_tax(db, rec))


def sol_qty_delivered(db, rec):
    """sale_stock: done moves to a customer location minus done returns from one."""
    if rec.get("display_type") or _product_is_service(db, rec.get("product_id")):
        return rec.get("qty_delivered") or 0.0
    qty = 0.0
    for move in _done_moves(db, "sale_line_id", rec["id"]):
        if _usage(db, move.get("location_dest_id")) == "customer":
            qty += _move_qty(move)
        elif _usage(db, move.get("location_id")) == "customer":
            qty -= _move_qty(move)
    return qty


def sol_delivered_method(db, rec):
    return "manual" if _product_is_service(db, rec.get("product_id")) else "stock_move"


def sol_margin(db, rec):
    if rec.get("display_type"):
        return 0.0
    return _r(sol_subtotal(db, rec) - (rec.get("purchase_price") or 0.0) * (rec.get("product_uom_qty") or 0.0))


def sol_margin_percent(db, rec):
    subtotal = sol_subtotal(db, rec)
    return sol_margin(db, rec) / subtotal if subtotal else 0.0


def _order_lines(db, model, rec):
    return db.inverse(model, "order_id", rec["id"])


def so_amount_untaxed(db, rec):
    return _r(sum(sol_subtotal(db, line) for line in _order_lines(db, "sale.order.line", rec)))


def so_amount_tax(db, rec):
    return _r(sum(sol_tax(db, line) for line in _order_lines(db, "sale.order.line", rec)))


def so_amount_total(db, rec):
    return _r(so_amount_untaxed(db, rec) + so_amount_tax(db, rec))


def so_margin(db, rec):
    return _r(sum(sol_margin(db, line) for line in _order_lines(db, "sale.order.line", rec)))


def so_margin_percent(db, rec):
    untaxed = so_amount_untaxed(db, rec)
    return so_margin(db, rec) / untaxed if untaxed else 0.0


def _picking_status(pickings: list[dict], partial: str) -> str | bool:
    live = [p for p in pickings if p.get("state") != "cancel"]
    if not live:
        return False
    if all(p.get("state") == "done" for p in live):
        return "full"
    if any(p.get("state") == "done" for p in live):
        return partial
    return "pending"


def so_delivery_status(db, rec):
    return _picking_status(db.inverse("stock.picking", "sale_id", rec["id"]), "partial")


def _first_done(pickings) -> str | None:
    dates = [p["date_done"] for p in pickings if p.get("state") == "done" and p.get("date_done")]
    return min(dates) if dates else None


def so_effective_date(db, rec):
    return _first_done(db.inverse("stock.picking", "sale_id", rec["id"]))


def so_delivery_count(db, rec):
    return len(db.inverse("stock.picking", "sale_id", rec["id"]))


# --- purchase --------------------------------------------------------------


def pol_subtotal(db, rec):
    return _line_subtotal(rec, "product_qty")


def pol_tax(db, rec):
    return 0.0 if rec.get("display_type") else _r(pol_subtotal(db, rec) * TAX_RATE)


def pol_total(db, rec):
    return _r(pol_subtotal(db, rec) + pol_tax(db, rec))


def pol_qty_received(db, rec):
    """purchase_stock: done moves into the company minus done returns to the vendor."""
    if rec.get("display_type") or _product_is_service(db, rec.get("product_id")):
        return rec.get("qty_received") or 0.0
    qty = 0.0
    for move in _done_moves(db, "purchase_line_id", rec["id"]):
        if _usage(db, move.get("location_dest_id")) == "supplier":
            qty -= _move_qty(move)
        elif _usage(db, move.get("location_id")) == "supplier":
            qty += _move_qty(move)
    return qty


def pol_received_method(db, rec):
    return "manual" if _product_is_service(db, rec.get("product_id")) else "stock_moves"


def pol_product_uom_qty(db, rec):
    return rec.get("product_qty") or 0.0


def po_amount_untaxed(db, rec):
    return _r(sum(pol_subtotal(db, line) for line in _order_lines(db, "purchase.order.line", rec)))


def po_amount_tax(db, rec):
    return _r(sum(pol_tax(db, line) for line in _order_lines(db, "purchase.order.line", rec)))


def po_amount_total(db, rec):
    return _r(po_amount_untaxed(db, rec) + po_amount_tax(db, rec))


def po_receipt_status(db, rec):
    return _picking_status(db.inverse("stock.picking", "purchase_id", rec["id"]), "partial")


def po_effective_date(db, rec):
    return _first_done(db.inverse("stock.picking", "purchase_id", rec["id"]))


def po_incoming_picking_count(db, rec):
    return len(db.inverse("stock.picking", "purchase_id", rec["id"]))


def po_is_shipped(db, rec):
    return po_receipt_status(db, rec) == "full"


def partner_on_time_rate(db, rec):
    """purchase_stock's `res.partner._compute_on_time_rate`, with today = the server's as-of date.

    PO lines of the partner ordered in the last 365 days with something
    received, of confirmed orders and non-service products; on time = done
    moves whose date is on or before the line's planned date (compared as
    UTC dates); rate = 100 * on-time qty / ordered qty, or -1 without lines.
    """
    since = (datetime.strptime(db.today, "%Y-%m-%d") - timedelta(days=365)).strftime("%Y-%m-%d %H:%M:%S")
    on_time = ordered = 0.0
    for order in db.inverse("purchase.order", "partner_id", rec["id"]):
        if (
            order.get("state") not in ("purchase", "done")
            or not order.get("date_order")
            or order["date_order"] <= since
        ):
            continue
        for line in db.inverse("purchase.order.line", "order_id", order["id"]):
            if line.get("display_type") or _product_is_service(db, line.get("product_id")):
                continue
            if pol_qty_received(db, line) == 0:
                continue
            ordered += pol_product_uom_qty(db, line)
            planned = (line.get("date_planned") or "")[:10]
            on_time += sum(
                _move_qty(m) for m in _done_moves(db, "purchase_line_id", line["id"]) if m["date"][:10] <= planned
            )
    return on_time / ordered * 100 if ordered else -1.0


# --- stock -----------------------------------------------------------------


def quant_available(db, rec):
    return (rec.get("quantity") or 0.0) - (rec.get("reserved_quantity") or 0.0)


def move_product_qty(db, rec):
    return rec.get("product_uom_qty") or 0.0


def move_quantity_done16(db, rec):
    return rec.get("quantity") or 0.0 if rec.get("state") == "done" else 0.0


def move_line_qty_done16(db, rec):
    return rec.get("quantity") or 0.0


def move_line_qty_product_uom(db, rec):
    return rec.get("quantity") or 0.0


# --- accounting -----------------------------------------------------------

_SIGN = {
    "out_invoice": 1,
    "in_refund": 1,
    "out_receipt": 1,
    "out_refund": -1,
    "in_invoice": -1,
    "in_receipt": -1,
    "entry": 1,
}


def _signed(field):
    def compute(db, rec):
        rate = rec.get("_currency_rate") or 1.0
        return _r(_SIGN.get(rec.get("move_type"), 1) * (rec.get(field) or 0.0) / rate)

    return compute


def move_date(db, rec):
    """Stored by Odoo (the generator stores it too); computed here for entries created over RPC:
    the invoice date, else today (`account.move._compute_date`, without lock dates)."""
    return rec.get("invoice_date") or db.today


def move_invoice_lines(db, rec):
    """The `invoice_line_ids` of an entry: its journal items shown on the invoice (products,
    sections, notes), not the tax and payment-term items that `line_ids` also holds."""
    return [
        line["id"]
        for line in db.inverse("account.move.line", "move_id", rec["id"])
        if line.get("display_type") in ("product", "line_section", "line_note")
    ]


def partner_commercial(db, rec):
    """Stored by Odoo (the generator stores it too); computed here for partners created over RPC:
    the partner itself, or for a contact of a company, the company's commercial entity."""
    parent = db.record("res.partner", rec["parent_id"]) if rec.get("parent_id") else None
    if parent is None or rec.get("is_company"):
        return rec["id"]
    return db.value("res.partner", parent, "commercial_partner_id")


def uom_factor_inv(db, rec):
    return 1.0 / rec["factor"] if rec.get("factor") else 0.0


def currency_inverse_rate(db, rec):
    return 1.0 / rec["rate"] if rec.get("rate") else 0.0


COMPUTE = {
    ("sale.order.line", "price_subtotal"): sol_subtotal,
    ("sale.order.line", "price_tax"): sol_tax,
    ("sale.order.line", "price_total"): sol_total,
    ("sale.order.line", "qty_delivered"): sol_qty_delivered,
    ("sale.order.line", "qty_delivered_method"): sol_delivered_method,
    ("sale.order.line", "margin"): sol_margin,
    ("sale.order.line", "margin_percent"): sol_margin_percent,
    ("sale.order", "amount_untaxed"): so_amount_untaxed,
    ("sale.order", "amount_tax"): so_amount_tax,
    ("sale.order", "amount_total"): so_amount_total,
    ("sale.order", "margin"): so_margin,
    ("sale.order", "margin_percent"): so_margin_percent,
    ("sale.order", "delivery_status"): so_delivery_status,
    ("sale.order", "effective_date"): so_effective_date,
    ("sale.order", "delivery_count"): so_delivery_count,
    ("purchase.order.line", "price_subtotal"): pol_subtotal,
    ("purchase.order.line", "price_tax"): pol_tax,
    ("purchase.order.line", "price_total"): pol_total,
    ("purchase.order.line", "qty_received"): pol_qty_received,
    ("purchase.order.line", "qty_received_method"): pol_received_method,
    ("purchase.order.line", "product_uom_qty"): pol_product_uom_qty,
    ("purchase.order", "amount_untaxed"): po_amount_untaxed,
    ("purchase.order", "amount_tax"): po_amount_tax,
    ("purchase.order", "amount_total"): po_amount_total,
    ("purchase.order", "receipt_status"): po_receipt_status,
    ("purchase.order", "effective_date"): po_effective_date,
    ("purchase.order", "incoming_picking_count"): po_incoming_picking_count,
    ("purchase.order", "is_shipped"): po_is_shipped,
    ("res.partner", "on_time_rate"): partner_on_time_rate,
    ("stock.quant", "available_quantity"): quant_available,
    ("stock.move", "product_qty"): move_product_qty,
    ("stock.move", "quantity_done"): move_quantity_done16,
    ("stock.move.line", "qty_done"): move_line_qty_done16,
    ("stock.move.line", "quantity_product_uom"): move_line_qty_product_uom,
    ("account.move", "amount_untaxed_signed"): _signed("amount_untaxed"),
    ("account.move", "amount_tax_signed"): _signed("amount_tax"),
    ("account.move", "amount_total_signed"): _signed("amount_total"),
    ("account.move", "amount_residual_signed"): _signed("amount_residual"),
    ("account.move", "date"): move_date,
    ("account.move", "invoice_line_ids"): move_invoice_lines,
    ("res.partner", "commercial_partner_id"): partner_commercial,
    ("uom.uom", "factor_inv"): uom_factor_inv,
    ("res.currency", "inverse_rate"): currency_inverse_rate,
}


# --- display names ---------------------------------------------------------


def _joined(db, model, rec, parent_field, sep):
    names, seen = [], set()
    while rec is not None and rec["id"] not in seen:
        seen.add(rec["id"])
        names.append(rec.get("name") or "")
        parent = rec.get(parent_field)
        rec = db.record(model, parent) if parent else None
    return sep.join(reversed(names))


def location_complete_name(db, rec):
    if rec.get("usage") == "view" and not rec.get("location_id"):
        return rec.get("name") or ""
    return _joined(db, "stock.location", rec, "location_id", "/")


def category_complete_name(db, rec):
    return _joined(db, "product.category", rec, "parent_id", " / ")


def partner_complete_name(db, rec):
    parent = db.record("res.partner", rec["parent_id"]) if rec.get("parent_id") else None
    if parent and not rec.get("is_company"):
        return f"{parent.get('name')}, {rec.get('name') or ''}"
    return rec.get("name") or ""


def product_display(db, rec):
    code, name = rec.get("default_code"), db.value("product.product", rec, "name")
    return f"[{code}] {name}" if code else name


def template_display(db, rec):
    code, name = rec.get("default_code"), rec.get("name")
    return f"[{code}] {name}" if code else name


def picking_type_display(db, rec):
    wh = db.record("stock.warehouse", rec["warehouse_id"]) if rec.get("warehouse_id") else None
    return f"{wh['name']}: {rec['name']}" if wh else rec["name"]


def sol_display(db, rec):
    order = db.record("sale.order", rec["order_id"]) if rec.get("order_id") else None
    first = (rec.get("name") or "").split("\n")[0]
    return f"{order['name']} - {first}" if order else first


def supplierinfo_display(db, rec):
    return db.display_name("res.partner", rec["partner_id"]) if rec.get("partner_id") else ""


def quant_display(db, rec):
    return db.display_name("product.product", rec["product_id"]) if rec.get("product_id") else ""


def move_display(db, rec):
    return rec.get("reference") or rec.get("name") or ""


COMPUTE.update(
    {
        ("stock.location", "complete_name"): location_complete_name,
        ("product.category", "complete_name"): category_complete_name,
        ("res.partner", "complete_name"): partner_complete_name,
    }
)

DISPLAY = {
    "stock.location": location_complete_name,
    "product.category": category_complete_name,
    "res.partner": partner_complete_name,
    "product.product": product_display,
    "product.template": template_display,
    "stock.picking.type": picking_type_display,
    "sale.order.line": sol_display,
    "product.supplierinfo": supplierinfo_display,
    "stock.quant": quant_display,
    "stock.move": move_display,
    "stock.move.line": move_display,
}
