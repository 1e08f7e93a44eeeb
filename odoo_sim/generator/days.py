"""The days of the simulation: the opening stock, then each business day's events in the order
they happen, so that every document follows from earlier ones."""

from __future__ import annotations

from . import deliveries, inventory, purchasing, receipts, sales
from .distributions import poisson
from .parameters import DAYS
from .simulation import Simulation


def simulate(sim: Simulation) -> None:
    sales.plan_demand(sim)
    purchasing.opening_stock(sim)
    for i in range(DAYS):
        receipts.receive(sim, i)  # the vendors' goods arriving today
        deliveries.serve_waiting(sim, i)  # the backorders and waiting deliveries that stock now covers
        for _ in range(poisson(sim.rng, sales.expected_orders(sim, i))):
            sales.sale_order(sim, i)
        for picking in sim.to_process.pop(i, []):  # the deliveries due for preparation today
            if picking["state"] != "cancel":
                deliveries.prepare(sim, picking, i)
        deliveries.receive_returns(sim, i)
        inventory.cycle_counts(sim, i)
        purchasing.replenish(sim, i)  # end of day: reorder what fell below its reorder point
