"""Inventory: the weekly cycle counts and their adjustments (with the planted large write-offs in
one warehouse), and the stock at the as-of date: quants made from the FIFO layers left, and a
move line per done move."""

from __future__ import annotations

import math
from collections import defaultdict

from . import stock
from .master_data import INVENTORY_LOC, UNITS
from .parameters import (
    COUNT_DIFFERENCES,
    COUNT_MAX_COST,
    COUNT_MAX_VALUE,
    COUNT_MIN_QTY,
    COUNT_WEEKDAY,
    COUNTING_HOURS,
    COUNTS_PER_WAREHOUSE,
    DISCREPANCY_DAYS,
    DISCREPANCY_MIN_COST,
    DISCREPANCY_MIN_QTY,
    DISCREPANCY_MIN_VALUE,
    DISCREPANCY_VALUE,
    LAST_DAY,
)
from .simulation import Simulation, Warehouse


def cycle_counts(sim: Simulation, i: int) -> None:
    """Weekly cycle counts with small differences; large ones only in the planted warehouse, in its
    last days."""
    rng = sim.rng
    if sim.day(i).weekday() != COUNT_WEEKDAY:
        return
    for wh in sim.warehouses:
        for _ in range(sim.n(COUNTS_PER_WAREHOUSE)):
            p = sim.goods[rng.randrange(len(sim.goods))]
            key = (p, wh.id)
            if sim.free[key] < COUNT_MIN_QTY or sim.cost[p] >= COUNT_MAX_COST:
                continue
            delta = float(rng.choice(COUNT_DIFFERENCES))
            if abs(delta) * sim.cost[p] >= COUNT_MAX_VALUE:
                delta = math.copysign(1.0, delta)
            _adjust(sim, i, wh, p, delta)
    if i > LAST_DAY - DISCREPANCY_DAYS:
        wh = sim.warehouse(sim.anomalies.discrepancy_warehouse_id)
        stocked = [
            p for p in sim.goods if sim.free[(p, wh.id)] >= DISCREPANCY_MIN_QTY and sim.cost[p] >= DISCREPANCY_MIN_COST
        ]
        if stocked:
            p = stocked[rng.randrange(len(stocked))]
            qty = min(sim.free[(p, wh.id)], math.ceil(rng.uniform(*DISCREPANCY_VALUE) / sim.cost[p]))
            if qty * sim.cost[p] >= DISCREPANCY_MIN_VALUE:
                sim.anomalies.discrepancy_move_ids.append(_adjust(sim, i, wh, p, -qty)["id"])


def _adjust(sim: Simulation, i: int, wh: Warehouse, p: int, delta: float) -> dict:
    """An inventory adjustment of the warehouse's Stock: a done move from or to the inventory location."""
    when = sim.stamp(i, COUNTING_HOURS)
    loc = wh.stock
    move = sim.add(
        "stock.move",
        name="Product Quantity Updated",
        reference="Product Quantity Updated",
        origin=None,
        state="done",
        date=when,
        date_deadline=None,
        product_id=p,
        product_uom_qty=abs(delta),
        quantity=abs(delta),
        product_uom=UNITS,
        picked=True,
        location_id=INVENTORY_LOC if delta > 0 else loc,
        location_dest_id=loc if delta > 0 else INVENTORY_LOC,
        picking_id=None,
        picking_type_id=None,
        partner_id=None,
        company_id=1,
        warehouse_id=None,
        price_unit=sim.cost[p],
        origin_returned_move_id=None,
        is_inventory=True,
        sale_line_id=None,
        purchase_line_id=None,
        sequence=10,
        create_date=when,
        write_date=when,
        create_uid=2,
        write_uid=2,
    )
    if delta > 0:
        stock.add_stock(sim, p, wh, delta, when)
    else:
        sim.free[(p, wh.id)] += delta
        stock.take(sim, p, loc, -delta)
    return move


def close(sim: Simulation) -> None:
    """The stock at the as-of date. Quants from the FIFO layers left: one per location and receipt
    date still on hand; goods picked for deliveries that have not left yet sit, reserved, in the
    Output location. And the move lines of the done moves."""
    reserved = defaultdict(float)
    for picking in sim.tables["stock.picking"]:
        if picking["state"] == "assigned" and picking["picking_type_id"] == picking["_wh"].types["outgoing"]["id"]:
            for move in sim.moves_by_picking[picking["id"]]:
                reserved[(move["product_id"], picking["_wh"].output)] += move["quantity"]
    for (p, location), layers in sorted(sim.layers.items()):
        left = reserved[(p, location)]
        for in_date, qty in layers:
            if qty <= 1e-9:
                continue
            take = min(left, qty)
            left -= take
            sim.add(
                "stock.quant",
                product_id=p,
                location_id=location,
                quantity=qty,
                reserved_quantity=take,
                in_date=in_date,
                create_date=in_date,
                write_date=in_date,
                create_uid=2,
                write_uid=2,
            )
    for move in sim.tables["stock.move"]:
        if move["state"] == "done":
            sim.add(
                "stock.move.line",
                move_id=move["id"],
                picking_id=move["picking_id"],
                product_id=move["product_id"],
                product_uom_id=UNITS,
                quantity=move["quantity"],
                picked=True,
                location_id=move["location_id"],
                location_dest_id=move["location_dest_id"],
                date=move["date"],
                company_id=1,
                create_date=move["date"],
                write_date=move["date"],
                create_uid=2,
                write_uid=2,
            )
