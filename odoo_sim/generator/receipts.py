"""Receipts from vendors: each purchase's goods arrive on their day (purchasing.py decides which),
sometimes only in part, the rest in a backorder a few days later; the main warehouse then puts
them away from Input to Stock (two-step reception)."""

from __future__ import annotations

import math

from . import stock
from .parameters import (
    FIRST_PART_SHARE,
    LAST_DAY,
    MIN_SPLIT_QTY,
    PARTIAL_LINE_SHARE,
    PUT_AWAY_HOURS,
    RECEIVING_HOURS,
    REST_AFTER_DAYS,
)
from .simulation import Simulation


def receive(sim: Simulation, i: int) -> None:
    """Every receipt arriving today, done: its goods are in stock and off the purchase orders' open quantities."""
    for picking in sim.arrivals.pop(i, []):
        when = sim.stamp(i, RECEIVING_HOURS)
        moves = sim.moves_by_picking[picking["id"]]
        if picking.pop("_partial", False):
            _split(sim, picking, moves, when, i)
        picking.update(state="done", date_done=when, write_date=when)
        if picking["_wh"].two_steps:
            _store(sim, picking, moves, i)
        for move in moves:
            move.update(state="done", quantity=move["product_uom_qty"], picked=True, date=when, write_date=when)
            key = (move["product_id"], picking["_wh"].id)
            sim.on_order[key] -= move["quantity"]
            stock.add_stock(sim, move["product_id"], picking["_wh"], move["quantity"], when)
            line = sim.tables["purchase.order.line"][move["purchase_line_id"] - 1]
            line["write_date"] = when
            order = sim.tables["purchase.order"][line["order_id"] - 1]
            order["write_date"] = max(order["write_date"], when)


def _split(sim: Simulation, picking: dict, moves: list[dict], when: str, i: int) -> None:
    """A partial receipt: about half of its larger lines arrive in part; the rest of them goes to a
    backorder that arrives a few days later."""
    rest = []
    for move in moves:
        if sim.rng.random() < PARTIAL_LINE_SHARE and move["product_uom_qty"] >= MIN_SPLIT_QTY:
            got = float(math.floor(move["product_uom_qty"] * sim.rng.uniform(*FIRST_PART_SHARE)))
            rest.append((move, move["product_uom_qty"] - got))
            move["product_uom_qty"] = got
    if not rest:
        return
    backorder = stock.picking(
        sim,
        picking["_wh"],
        "incoming",
        when,
        picking["scheduled_date"],
        picking["partner_id"],
        picking["origin"],
        purchase_id=picking["purchase_id"],
        backorder_of=picking,
    )
    backorder["state"] = "assigned"
    for move, qty in rest:
        extra = stock.move(sim, backorder, move["product_id"], qty, purchase_line_id=move["purchase_line_id"])
        extra.update(state="assigned", quantity=qty, price_unit=move["price_unit"])
    later = i + sim.rng.randint(*REST_AFTER_DAYS)
    if later <= LAST_DAY:
        sim.arrivals[later].append(backorder)


def _store(sim: Simulation, receipt: dict, moves: list[dict], i: int) -> None:
    """Two-step reception: put the received goods away from Input to Stock the same afternoon."""
    when = sim.stamp(i, PUT_AWAY_HOURS)
    store = stock.picking(sim, receipt["_wh"], "store", when, when, None, receipt["name"])
    store.update(state="done", date_done=when)
    for received in moves:
        move = stock.move(sim, store, received["product_id"], received["product_uom_qty"])
        move.update(state="done", quantity=received["product_uom_qty"], picked=True, date=when)
