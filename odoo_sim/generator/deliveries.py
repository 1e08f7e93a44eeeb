"""Deliveries to customers: preparing them from free stock, picking and shipping (Odoo's pick +
ship), the backorders of what was short, the carrier's shipments, and customer returns.

Every sale line shipped after its promised day is given the cause that made it late
(`Simulation.late_causes`): the first cause met is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from . import stock
from .parameters import (
    CARRIER_LATE_SHARE,
    CONGESTION_DELAY_DAYS,
    DELIVERY_HOURS,
    DISRUPTION_SHIP_DELAY_DAYS,
    DISRUPTION_TRANSIT_DAYS,
    LAST_DAY,
    MAX_RETURN_UNITS,
    PICKING_HOURS,
    RETURN_AFTER_DAYS,
    RETURN_SHARE,
    SHIPPING_HOURS,
    TRANSIT_OFFSETS,
)
from .simulation import Simulation


def prepare(sim: Simulation, picking: dict, i: int) -> None:
    """Reserve what free stock allows; ship it (after any delay), and leave the rest in a backorder.
    With nothing in stock, the delivery waits."""
    wid = picking["_wh"].id
    reserved = {}
    for move in sim.moves_by_picking[picking["id"]]:
        key = (move["product_id"], wid)
        got = min(max(sim.free[key], 0.0), move["product_uom_qty"])
        sim.free[key] -= got
        sim.pending[key] -= got
        reserved[move["id"]] = got
        if got < move["product_uom_qty"]:
            _late(sim, move, _shortage_cause(sim, move["product_id"]))
    if not any(reserved.values()):
        sim.waiting.append(picking)
        return
    _ship(sim, picking, reserved, i)


def serve_waiting(sim: Simulation, i: int) -> None:
    """Each morning, ship from waiting deliveries every move that stock now covers in full."""
    still = []
    for picking in sim.waiting:
        wid = picking["_wh"].id
        reserved = {}
        for move in sim.moves_by_picking[picking["id"]]:
            key = (move["product_id"], wid)
            if sim.free[key] >= move["product_uom_qty"]:
                sim.free[key] -= move["product_uom_qty"]
                sim.pending[key] -= move["product_uom_qty"]
                reserved[move["id"]] = move["product_uom_qty"]
        if reserved:
            _ship(sim, picking, reserved, i)
        else:
            still.append(picking)
    sim.waiting = still


def receive_returns(sim: Simulation, i: int) -> None:
    """The shipped moves customers send back today: a few units each, back into Stock."""
    for move in sim.returns.pop(i, []):
        out = sim.tables["stock.picking"][move["picking_id"] - 1]
        wh = out["_wh"]
        when = sim.stamp(i)
        ret = stock.picking(
            sim,
            wh,
            "incoming",
            when,
            when,
            out["partner_id"],
            f"Return of {out['name']}",
            sale_id=out["sale_id"],
            return_of=out,
        )
        qty = float(sim.rng.randint(1, int(min(move["quantity"], MAX_RETURN_UNITS))))
        back = stock.move(
            sim, ret, move["product_id"], qty, sale_line_id=move["sale_line_id"], origin_returned_move_id=move["id"]
        )
        ret.update(state="done", date_done=when)
        back.update(state="done", quantity=qty, picked=True, date=when)
        stock.add_stock(sim, move["product_id"], wh, qty, when)
        _line_touched(sim, move["sale_line_id"], when)
        sim.returned.append((back, out))


def _lag(sim: Simulation, picking: dict, i: int) -> tuple[int, str | None]:
    """Days between preparing and shipping a delivery, and what caused any delay: the planted
    congestion and carrier disruption, in their last days."""
    rng, anom = sim.rng, sim.anomalies
    lag, cause = 0, None
    if picking["_wh"].id == anom.congested_warehouse_id and i > LAST_DAY - anom.congestion_days:
        lag, cause = rng.randint(*CONGESTION_DELAY_DAYS), "warehouse_congestion"
    if picking["carrier_id"] == anom.disrupted_carrier_id and i > LAST_DAY - anom.disruption_days:
        lag += rng.randint(*DISRUPTION_SHIP_DELAY_DAYS)
        cause = cause or "carrier_disruption"
    return lag, cause


def _shortage_cause(sim: Simulation, product: int) -> str:
    """Why a product was short: no vendor to buy it from, the late vendor, or demand beyond the policy."""
    if product not in sim.vendor:
        return "master_data"
    if sim.vendor[product] == sim.anomalies.late_supplier_id:
        return "supplier_delay"
    return "stock_shortage"


def _ship(sim: Simulation, picking: dict, reserved: dict[int, float], i: int) -> None:
    """Pick the reserved goods to the Output location today; ship them after any delay (pick + ship).
    What was not reserved goes to a backorder, which waits for stock."""
    lag, cause = _lag(sim, picking, i)
    ship_day = i + lag
    moves = sim.moves_by_picking[picking["id"]]
    _pick(sim, picking, [(m, reserved[m["id"]]) for m in moves if reserved.get(m["id"])], i)
    if ship_day > LAST_DAY:  # not shipped by the as-of date: reserved, waiting at the dock
        picking["state"] = "assigned"
        for move in moves:
            got = reserved.get(move["id"], 0.0)
            move["quantity"] = got
            move["state"] = (
                "assigned" if got >= move["product_uom_qty"] else "partially_available" if got else "confirmed"
            )
        if cause:
            for move in moves:
                if move["id"] in reserved:
                    _late(sim, move, cause)
        return
    when = sim.stamp(ship_day, SHIPPING_HOURS)
    rest = [(m, m["product_uom_qty"] - reserved.get(m["id"], 0.0)) for m in moves]
    rest = [(m, q) for m, q in rest if q > 1e-9]
    if rest:
        backorder = stock.picking(
            sim,
            picking["_wh"],
            "outgoing",
            when,
            picking["scheduled_date"],
            picking["partner_id"],
            picking["origin"],
            sale_id=picking["sale_id"],
            backorder_of=picking,
            carrier=sim.carrier(picking["carrier_id"]),
        )
        backorder["_promised_day"] = picking["_promised_day"]
        for move, qty in rest:
            if reserved.get(move["id"], 0.0) > 0:
                stock.move(sim, backorder, move["product_id"], qty, sale_line_id=move["sale_line_id"])
                move["product_uom_qty"] = reserved[move["id"]]
            else:  # nothing of this move shipped: the whole move goes to the backorder
                moves.remove(move)
                move.update(picking_id=backorder["id"], reference=backorder["name"])
                sim.moves_by_picking[backorder["id"]].append(move)
        sim.waiting.append(backorder)
    picking.update(state="done", date_done=when, write_date=when)
    if picking["carrier_id"]:
        picking["carrier_tracking_ref"] = f"{sim.carrier(picking['carrier_id']).code}{picking['id']:09d}"
        _carrier_shipment(sim, picking, ship_day, when)
    promised = picking["_promised_day"]
    for move in moves:
        move.update(state="done", quantity=move["product_uom_qty"], picked=True, date=when, write_date=when)
        stock.take(sim, move["product_id"], picking["_wh"].output, move["quantity"])
        _line_touched(sim, move["sale_line_id"], when)
        if ship_day > promised and cause:
            _late(sim, move, cause)
        if sim.rng.random() < RETURN_SHARE:
            back_day = ship_day + sim.rng.randint(*RETURN_AFTER_DAYS)
            if back_day <= LAST_DAY:
                sim.returns[back_day].append(move)


def _pick(sim: Simulation, out: dict, items: list[tuple[dict, float]], i: int) -> None:
    """The pick operation of a delivery, done: the goods move from Stock to Output, FIFO layers and all."""
    wh = out["_wh"]
    when = sim.stamp(i, PICKING_HOURS)
    pick = stock.picking(sim, wh, "pick", when, when, out["partner_id"], out["origin"], sale_id=out["sale_id"])
    pick.update(state="done", date_done=when)
    for out_move, qty in items:
        move = stock.move(sim, pick, out_move["product_id"], qty, sale_line_id=out_move["sale_line_id"])
        move.update(state="done", quantity=qty, picked=True, date=when)
        for in_date, piece in stock.take(sim, out_move["product_id"], wh.stock, qty):
            sim.layers[(out_move["product_id"], wh.output)].append([in_date, piece])


def _carrier_shipment(sim: Simulation, picking: dict, ship_day: int, when: str) -> None:
    """The carrier API's record of a shipped delivery: in transit for about the carrier's service
    level (longer for the disrupted carrier in its last days), delivered if that is by the as-of date."""
    carrier = sim.carrier(picking["carrier_id"])
    rng = sim.rng
    days = carrier.days
    transit = days + rng.choice(TRANSIT_OFFSETS) if days > 1 else days
    if rng.random() < CARRIER_LATE_SHARE:
        transit = days + 1
    if carrier.id == sim.anomalies.disrupted_carrier_id and ship_day > LAST_DAY - sim.anomalies.disruption_days:
        transit = days + rng.randint(*DISRUPTION_TRANSIT_DAYS)
    shipped = datetime.strptime(when, "%Y-%m-%d %H:%M:%S")
    delivered = shipped + timedelta(days=max(transit, 0), hours=rng.randint(*DELIVERY_HOURS))
    end_of_as_of = datetime(sim.as_of.year, sim.as_of.month, sim.as_of.day, 23, 59, 59)
    done = delivered <= end_of_as_of
    sim.shipments.append(
        {
            "tracking_ref": picking["carrier_tracking_ref"],
            "carrier_code": carrier.code,
            "shipped_at": _iso(shipped),
            "delivered_at": _iso(delivered) if done else None,
            "status": "delivered" if done else "in_transit",
            "service_level_days": days,
            "updated_at": _iso(delivered if done else shipped),
        }
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _late(sim: Simulation, move: dict, cause: str) -> None:
    """Record why a sale line is late, unless a cause is already known."""
    if move.get("sale_line_id"):
        sim.late_causes.setdefault(move["sale_line_id"], cause)


def _line_touched(sim: Simulation, line_id: int, when: str) -> None:
    """A delivery or return updates the sale line's delivered quantity: the line and its order are written."""
    line = sim.tables["sale.order.line"][line_id - 1]
    line["write_date"] = max(line["write_date"], when)
    order = sim.tables["sale.order"][line["order_id"] - 1]
    order["write_date"] = max(order["write_date"], when)
