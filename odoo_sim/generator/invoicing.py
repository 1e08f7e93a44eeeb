"""Invoicing, once the days have run: a customer invoice per confirmed order at its first delivery,
a credit note per return, and a vendor bill per receipt from the vendors whose bills are entered in
Odoo. Every document is posted, which raises the partners' ranks.

The posting rules are those of the demo server's `account.move.action_post`, shared with it in
odoo_sim/accounting.py: the entry numbers of Odoo 17's default journals (`sequence_prefix`) and
the ranks `_post` raises (`rank_increases`).
"""

from __future__ import annotations

from datetime import date, timedelta

from ..accounting import rank_increases, sequence_prefix
from .master_data import UNITS
from .parameters import BILLED_ELSEWHERE_SHARE, PAYMENT_DAYS, TAX_RATE
from .simulation import Simulation


def invoice(sim: Simulation) -> None:
    """The invoices, credit notes and bills. About half of the vendors are billed outside Odoo (as
    when the bookkeeper enters bills in another system): their received orders stay "to invoice"
    and their supplier_rank 0."""
    for order in sim.tables["sale.order"]:
        if order["state"] != "sale":
            continue
        done = [
            p
            for p in sim.records_by("stock.picking", "sale_id", order["id"])
            if p["state"] == "done" and not p["return_id"]
        ]
        if not done:
            continue
        when = min(p["date_done"] for p in done)
        items = [(ln, ln["product_uom_qty"]) for ln in order["_lines"] if not ln["display_type"]]
        _account_move(sim, "out_invoice", order, when, items, order["name"])
        for ln, qty in items:
            ln["qty_invoiced"] = qty
        order["invoice_status"] = "invoiced"
    for back, out in sim.returned:
        order = sim.tables["sale.order"][out["sale_id"] - 1]
        line = sim.tables["sale.order.line"][back["sale_line_id"] - 1]
        _account_move(sim, "out_refund", order, back["date"], [(line, back["quantity"])], order["name"])
    billed_elsewhere = set(sim.rng.sample(sim.suppliers, int(len(sim.suppliers) * BILLED_ELSEWHERE_SHARE)))
    for order in sim.tables["purchase.order"]:
        picking = order["_picking"]
        if picking["state"] != "done":
            continue
        if order["partner_id"] in billed_elsewhere:
            order["invoice_status"] = "to invoice"
            continue
        lines = sim.records_by("purchase.order.line", "order_id", order["id"])
        _account_move(
            sim, "in_invoice", order, picking["date_done"], [(ln, ln["product_qty"]) for ln in lines], order["name"]
        )
        for ln in lines:
            ln["qty_invoiced"] = ln["product_qty"]
        order["invoice_status"] = "invoiced"
    partners = sim.tables["res.partner"]
    posted = rank_increases(sim.tables["account.move"], lambda p: partners[p - 1]["commercial_partner_id"])
    for (partner, fname), n in posted.items():
        partners[partner - 1][fname] += n  # raw SQL in Odoo: the partner's write_date stays


def _account_move(sim: Simulation, move_type: str, order: dict, when: str, items, origin: str) -> None:
    """A posted invoice, credit note or bill of an order's lines (line, quantity), dated the day of
    `when`, with its product, tax and payment-term lines; paid if due by the as-of date."""
    rate = order.get("currency_rate") or 1.0
    day = when[:10]
    purchase = move_type.startswith("in_")
    untaxed = round(sum(_line_amount(ln, qty) for ln, qty in items), 2)
    tax = round(untaxed * TAX_RATE, 2)
    due = date.fromisoformat(day) + timedelta(days=PAYMENT_DAYS)
    paid = due <= sim.as_of
    move = sim.add(
        "account.move",
        name=sim.name(*sequence_prefix(move_type, day)),
        ref=order.get("client_order_ref") or order.get("partner_ref"),
        date=day,
        invoice_date=day,
        invoice_date_due=due.isoformat(),
        state="posted",
        move_type=move_type,
        payment_state="paid" if paid else "not_paid",
        company_id=1,
        partner_id=order["partner_id"],
        commercial_partner_id=order["partner_id"],
        currency_id=order["currency_id"],
        amount_untaxed=untaxed,
        amount_tax=tax,
        amount_total=round(untaxed + tax, 2),
        amount_residual=0.0 if paid else round(untaxed + tax, 2),
        invoice_origin=origin,
        invoice_user_id=order["user_id"],
        _currency_rate=rate,
        create_date=when,
        write_date=when,
        create_uid=2,
        write_uid=2,
    )
    sign = 1 if move_type in ("out_invoice", "in_refund") else -1  # income is a credit on invoices
    for ln, qty in items:
        amount = _line_amount(ln, qty)
        _move_line(sim, move, ln, qty, amount, -sign * amount / rate, "product", purchase)
    _move_line(sim, move, None, 0.0, tax, -sign * tax / rate, "tax", purchase)
    _move_line(sim, move, None, 0.0, untaxed + tax, sign * (untaxed + tax) / rate, "payment_term", purchase)


def _move_line(
    sim: Simulation, move: dict, line: dict | None, qty: float, amount: float, balance: float, kind: str, purchase: bool
) -> None:
    """A journal item of the move: a product line (of a sale or purchase order line), the tax or the
    payment term; `balance` in the company currency."""
    balance = round(balance, 2)
    sim.add(
        "account.move.line",
        move_id=move["id"],
        name=line["name"] if line else kind.replace("_", " "),
        partner_id=move["partner_id"],
        product_id=line["product_id"] if line else None,
        product_uom_id=UNITS if line else None,
        quantity=qty,
        price_unit=line["price_unit"] if line else 0.0,
        discount=line.get("discount", 0.0) if line else 0.0,
        price_subtotal=round(amount, 2) if line else 0.0,
        price_total=round(amount * (1 + TAX_RATE), 2) if line else 0.0,
        balance=balance,
        debit=max(balance, 0.0),
        credit=max(-balance, 0.0),
        amount_currency=round(balance * (move["_currency_rate"]), 2),
        currency_id=move["currency_id"],
        display_type=kind,
        sale_line_ids=[line["id"]] if line and not purchase else [],
        purchase_line_id=line["id"] if line and purchase else None,
        create_date=move["create_date"],
        write_date=move["write_date"],
        create_uid=2,
        write_uid=2,
    )


def _line_amount(line: dict, qty: float) -> float:
    """The untaxed amount of qty of an order line, after its discount."""
    discount = line.get("discount") or 0.0
    return round(qty * line["price_unit"] * (1 - discount / 100), 2)
