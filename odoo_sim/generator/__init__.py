"""The synthetic distributor: about 180 days of a wholesale business in Odoo 17 records.

The generator simulates the business day by day, so that every document is a consequence of
earlier ones, as in a real Odoo:

- customers confirm sale orders; each order's delivery is scheduled for its promised date and its
  lines are served from the warehouse's free stock; what is short is shipped later from a
  backorder when receipts arrive;
- stock is replenished by purchase orders raised on a reorder-point policy, received on the
  vendor's (possibly late) date, sometimes in two parts;
- customers return a few deliveries, cycle counts adjust stock, carriers carry the shipments,
  invoices and vendor bills follow the documents (about half of the vendors bill outside Odoo),
  and posting them raises the partners' ranks as Odoo does (see odoo_sim/accounting.py).

With `stock_odoo` the database is that of a stock Odoo 17 Community (sale_management, stock,
purchase, account): no carriers, so no delivery fees, tracking references or carrier API
shipments. (The sale_margin fields are recorded anyway, as the truth's cost of sales;
`cli.build_database` leaves them out of such a database.)

Planted problems (see `Anomalies`) shape that simulation, and every sale line that misses its
promised date is given the cause that made it late. The output is a `World`: plain records per
model (as `db.Database` stores them), the carrier API's shipments, and the ground truth the
generator knows. Everything is drawn from one `random.Random(seed)`, so a seed, scale and as-of
date always give byte-identical data.

The modules, in the order a generation uses them: parameters.py (every probability and tuning
number), simulation.py (the state every step reads and changes), master_data.py, days.py (the
daily loop) with sales.py, deliveries.py, receipts.py, purchasing.py, inventory.py and stock.py
(pickings, moves and stock levels), then invoicing.py; world.py holds what `generate` returns.
"""

from __future__ import annotations

from datetime import date

from . import inventory, invoicing, master_data
from .days import simulate
from .simulation import Simulation
from .world import CAUSES, Anomalies, World

__all__ = ["CAUSES", "Anomalies", "World", "generate"]


def generate(scale: float = 1.0, seed: int = 42, as_of: date | None = None, stock_odoo: bool = False) -> World:
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    sim = Simulation(scale, seed, as_of or date.today(), stock_odoo)
    master_data.create(sim)
    simulate(sim)
    inventory.close(sim)
    invoicing.invoice(sim)
    return sim.world()
