"""Purchasing: the opening stock, and the buyer's end-of-day reorder-point policy that raises a
confirmed purchase order per vendor and warehouse, with its receipt due on the vendor's (possibly
late) day; receipts.py receives it."""

from __future__ import annotations

import math
from collections import defaultdict

from . import stock
from .master_data import COMPANY_CURRENCY, UNITS, buy_price
from .parameters import (
    COVER_EXTRA_DAYS,
    LAST_DAY,
    LATE_VENDOR_DELAY_DAYS,
    LATE_VENDOR_LATE_SHARE,
    OPENING_ORDER_DAY,
    PACK_SIZE,
    PARTIAL_RECEIPT_SHARE,
    REVIEW_DAYS,
    SAFETY_UNITS,
    VENDOR_DELAY_DAYS,
    VENDOR_LATE_SHARE,
    VENDOR_ON_TIME_OFFSETS,
)
from .simulation import Simulation, Warehouse, timestamp


def opening_stock(sim: Simulation) -> None:
    """Stock on the first day: one purchase per vendor and warehouse, up to the policy's level,
    ordered two weeks before and received on day 0; the chronically late vendor delivered it late too."""
    lines = defaultdict(list)
    for p, supplier in sim.vendor.items():
        for wh in sim.warehouses:
            qty = _pack(_policy(sim, p, sim.rate[(p, wh.id)])[1])
            if qty > 0:
                lines[(supplier, wh.id)].append((p, qty))
    for (supplier, wid), items in sorted(lines.items()):
        planned = -sim.rng.randint(*LATE_VENDOR_DELAY_DAYS) if supplier == sim.anomalies.late_supplier_id else 0
        _purchase(sim, OPENING_ORDER_DAY, supplier, sim.warehouse(wid), items, opening=(planned, 0))


def replenish(sim: Simulation, i: int) -> None:
    """End of day: reorder-point purchasing for every product and warehouse below its point."""
    lines = defaultdict(list)
    for (p, wid), rate in sim.rate.items():
        if p not in sim.vendor or rate <= 0:
            continue
        key = (p, wid)
        position = sim.free[key] + sim.on_order[key] - sim.pending[key]
        reorder_point, order_up_to = _policy(sim, p, rate)
        if position < reorder_point:
            qty = _pack(order_up_to - position)
            if qty > 0:
                lines[(sim.vendor[p], wid)].append((p, qty))
    for (supplier, wid), items in sorted(lines.items()):
        _purchase(sim, i, supplier, sim.warehouse(wid), items)


def _policy(sim: Simulation, p: int, rate: float) -> tuple[float, float]:
    """(reorder point, order-up-to level): lead-time demand plus a safety stock of a typical
    order line, and a few days of demand on top, as a distributor's buyer would set them."""
    reorder_point = rate * (sim.lead[p] + COVER_EXTRA_DAYS) + SAFETY_UNITS
    return reorder_point, reorder_point + rate * REVIEW_DAYS


def _pack(qty: float) -> float:
    """Round a purchase quantity up to the vendor's pack."""
    return float(math.ceil(qty / PACK_SIZE) * PACK_SIZE) if qty > 0 else 0.0


def _purchase(
    sim: Simulation,
    i: int,
    supplier: int,
    wh: Warehouse,
    items: list[tuple[int, float]],
    opening: tuple[int, int] | None = None,
) -> None:
    """A confirmed purchase of day i and its receipt, due on the day it arrives; `opening` =
    (planned day, arrival day) of the opening stock, ordered at a fixed time and received whole."""
    if opening:
        when = timestamp(sim.day(i), 10)
        planned_day, arrive = opening
        partial = False
    else:
        when = sim.stamp(i)
        planned_day = i + max(sim.lead[p] for p, _ in items)
        arrive = max(_arrival_day(sim, supplier, planned_day), i + 1)
        partial = sim.rng.random() < PARTIAL_RECEIPT_SHARE
    planned = timestamp(sim.day(planned_day), 12)
    order = sim.add(
        "purchase.order",
        name=sim.name("P"),
        partner_ref=None,
        origin="Replenishment",
        state="purchase",
        priority="0",
        date_order=when,
        date_approve=when,
        date_planned=planned,
        partner_id=supplier,
        user_id=2,
        company_id=1,
        currency_id=COMPANY_CURRENCY,
        currency_rate=1.0,
        invoice_status="no",
        picking_type_id=wh.types["incoming"]["id"],
        create_date=when,
        write_date=when,
        create_uid=2,
        write_uid=2,
    )
    picking = stock.picking(sim, wh, "incoming", when, planned, supplier, order["name"], purchase_id=order["id"])
    picking["state"] = "assigned"
    for seq, (p, qty) in enumerate(items, start=1):
        line = sim.add(
            "purchase.order.line",
            order_id=order["id"],
            display_type=False,
            name=sim.product_name(p),
            product_id=p,
            product_qty=qty,
            product_uom=UNITS,
            price_unit=buy_price(sim, p),
            discount=0.0,
            date_planned=planned,
            qty_invoiced=0.0,
            sequence=seq * 10,
            create_date=when,
            write_date=when,
            create_uid=2,
            write_uid=2,
        )
        move = stock.move(sim, picking, p, qty, purchase_line_id=line["id"])
        move.update(state="assigned", quantity=qty, price_unit=line["price_unit"])
        sim.on_order[(p, wh.id)] += qty
    picking["_partial"] = partial
    order["_picking"] = picking
    if arrive <= LAST_DAY:
        sim.arrivals[arrive].append(picking)


def _arrival_day(sim: Simulation, supplier: int, planned_day: int) -> int:
    """The day a vendor's goods arrive: the chronically late vendor is late nearly always, the
    others now and then, and otherwise on time or a little early."""
    rng = sim.rng
    if supplier == sim.anomalies.late_supplier_id:
        return planned_day + (rng.randint(*LATE_VENDOR_DELAY_DAYS) if rng.random() < LATE_VENDOR_LATE_SHARE else 0)
    return planned_day + (
        rng.randint(*VENDOR_DELAY_DAYS) if rng.random() < VENDOR_LATE_SHARE else rng.choice(VENDOR_ON_TIME_OFFSETS)
    )
