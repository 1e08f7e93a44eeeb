"""What a generation returns: the records, the carrier API's shipments, and the ground truth only
the generator knows (the planted problems and why each late sale line was late)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .parameters import CONGESTION_DAYS, DISRUPTION_DAYS, EROSION_DAYS

CAUSES = ("supplier_delay", "warehouse_congestion", "master_data", "carrier_disruption", "stock_shortage")


@dataclass
class Anomalies:
    """The planted problems, chosen once per generation; the truth file reports them."""

    late_supplier_id: int = 0
    congested_warehouse_id: int = 0
    congestion_days: int = CONGESTION_DAYS
    zero_cost_products: list[int] = field(default_factory=list)
    no_vendor_products: list[int] = field(default_factory=list)
    missing_category_products: list[int] = field(default_factory=list)
    disrupted_carrier_id: int = 0
    disruption_days: int = DISRUPTION_DAYS
    eroded_category_id: int = 0
    erosion_days: int = EROSION_DAYS
    discrepancy_warehouse_id: int = 0
    discrepancy_move_ids: list[int] = field(default_factory=list)


@dataclass
class World:
    """A generated history, what `generate` returns."""

    as_of: date
    seed: int
    scale: float
    tables: dict[str, list[dict]]  # model -> records, as `db.Database` stores them (keys with `_` are private)
    shipments: list[dict]  # the carrier API's shipments
    anomalies: Anomalies
    late_causes: dict[int, str]  # sale.order.line id -> cause, one of CAUSES
    stock_odoo: bool = False  # generated for a stock Odoo, without the delivery and sale_margin modules
