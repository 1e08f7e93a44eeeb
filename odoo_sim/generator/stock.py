"""Stock documents and stock levels: pickings and their moves as Odoo's stock module records them,
and what they change: a warehouse's free (unreserved) stock, and the FIFO layers of physical stock
in each location, from which inventory.py makes the quants at the as-of date."""

from __future__ import annotations

from .master_data import CUSTOMERS_LOC, UNITS
from .simulation import Carrier, Simulation, Warehouse


def picking(
    sim: Simulation,
    wh: Warehouse,
    code: str,
    created: str,
    scheduled: str,
    partner,
    origin,
    sale_id=None,
    carrier: Carrier | None = None,
    purchase_id=None,
    backorder_of: dict | None = None,
    return_of: dict | None = None,
) -> dict:
    """A confirmed picking of one of the warehouse's operation types (`code`: incoming, store, pick,
    outgoing) between that type's default locations; a customer return goes from the customers'
    location back to Stock."""
    ptype = wh.types[code]
    rec = sim.add(
        "stock.picking",
        name=sim.name(f"{wh.code}/{ptype['sequence_code']}/"),
        origin=origin,
        state="confirmed",
        move_type="direct",
        priority="0",
        scheduled_date=scheduled,
        date_deadline=scheduled if code == "outgoing" else None,
        date=created,
        date_done=None,
        location_id=ptype["default_location_src_id"] if not return_of else CUSTOMERS_LOC,
        location_dest_id=ptype["default_location_dest_id"] if not return_of else wh.stock,
        picking_type_id=ptype["id"],
        partner_id=partner,
        user_id=None,
        backorder_id=backorder_of["id"] if backorder_of else None,
        return_id=return_of["id"] if return_of else None,
        sale_id=sale_id,
        purchase_id=purchase_id,
        carrier_id=carrier.id if carrier else None,
        carrier_tracking_ref=None,
        carrier_price=carrier.fee if carrier else 0.0,
        weight=0.0,
        create_date=created,
        write_date=created,
        create_uid=2,
        write_uid=2,
    )
    rec["_wh"] = wh
    return rec


def move(sim: Simulation, picking: dict, product: int, qty: float, **links) -> dict:
    """A move of a picking, in the picking's state; `links` to the sale line, purchase line or the
    move it returns."""
    links = {"origin_returned_move_id": None, "sale_line_id": None, "purchase_line_id": None, **links}
    rec = sim.add(
        "stock.move",
        name=sim.product_name(product),
        reference=picking["name"],
        origin=picking["origin"],
        state=picking["state"],
        date=picking["scheduled_date"],
        date_deadline=picking["date_deadline"],
        product_id=product,
        product_uom_qty=qty,
        quantity=0.0,
        product_uom=UNITS,
        picked=False,
        location_id=picking["location_id"],
        location_dest_id=picking["location_dest_id"],
        picking_id=picking["id"],
        picking_type_id=picking["picking_type_id"],
        partner_id=picking["partner_id"],
        company_id=1,
        warehouse_id=picking["_wh"].id,
        price_unit=sim.cost[product] if product in sim.cost else 0.0,
        is_inventory=False,
        sequence=10,
        create_date=picking["create_date"],
        write_date=picking["create_date"],
        create_uid=2,
        write_uid=2,
        **links,
    )
    sim.moves_by_picking[picking["id"]].append(rec)
    return rec


def cancel(sim: Simulation, picking: dict, when: str) -> None:
    """Cancel a picking and its moves."""
    picking["state"], picking["write_date"] = "cancel", when
    for m in sim.moves_by_picking[picking["id"]]:
        m["state"], m["write_date"] = "cancel", when


def add_stock(sim: Simulation, product: int, wh: Warehouse, qty: float, when: str) -> None:
    """Goods come into the warehouse's Stock: free at once, in a new FIFO layer received `when`."""
    sim.free[(product, wh.id)] += qty
    sim.layers[(product, wh.stock)].append([when, qty])


def take(sim: Simulation, product: int, location: int, qty: float) -> list[tuple[str, float]]:
    """Remove qty from a location's stock, oldest first (FIFO); return the (in_date, qty) pieces taken."""
    layers, taken = sim.layers[(product, location)], []
    while qty > 1e-9 and layers:
        piece = min(layers[0][1], qty)
        layers[0][1] -= piece
        qty -= piece
        taken.append((layers[0][0], piece))
        if layers[0][1] <= 1e-9:
            layers.popleft()
    return taken
