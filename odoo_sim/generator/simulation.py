"""The state of one generation, passed to every step: the records made so far, the master data the
days draw from, and the stock, demand and documents in flight.

Every piece of state is declared here, with what it holds, so that a step's reads and writes can
be followed by name; the master-data fields are filled by master_data.py, the others as the days
run. All randomness comes from `rng`: a step that draws must draw in the same order every time,
so that a seed, scale and as-of date always give byte-identical data.
"""

from __future__ import annotations

import random
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from .parameters import DAYS, GO_LIVE_DAYS, OFFICE_HOURS
from .world import Anomalies, World


def timestamp(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> str:
    """Odoo's text for a datetime, to the second."""
    return datetime(day.year, day.month, day.day, hour, minute, second).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Warehouse:
    """A warehouse's ids and configuration, as the days use them (its record is in `tables`)."""

    id: int
    code: str  # the prefix of its picking names (WH/OUT/00001)
    stock: int  # location id of its Stock
    output: int  # location id of its Output, where picked goods wait to ship
    types: dict[str, dict]  # its operation types by role: incoming, store, pick, outgoing, internal
    two_steps: bool  # receives into Input, then stores into Stock
    share: float  # share of the customers (and so of the demand) it serves


@dataclass(frozen=True)
class Carrier:
    """A delivery method's ids and terms (its record is `delivery.carrier` in `tables`)."""

    id: int
    code: str  # the prefix of its tracking references
    days: int  # service level: days in transit
    product: int  # the service product of its delivery fee line
    fee: float  # fixed price of a delivery


class Customer(NamedTuple):
    id: int  # res.partner
    warehouse: Warehouse  # the warehouse that serves it
    salesperson: int  # res.users
    in_eur: bool  # orders in EUR, not in the company currency


@dataclass
class Simulation:
    """One generation's state; master_data.py fills the master data, the days the rest."""

    scale: float  # volume multiplier: 1 = about 3,000 sale orders
    seed: int
    as_of: date  # the last day of history
    stock_odoo: bool  # a stock Odoo 17 Community: no carriers, no delivery fees
    rng: random.Random = field(init=False)  # the one random stream every draw comes from
    start: date = field(init=False)  # day 0, the first day of history
    go_live: dict = field(init=False)  # create/write stamps and users of the master data, imported at go-live

    # --- the records ---
    tables: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))  # model -> records; id = index + 1
    ids: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # model -> last id given
    seq: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # name prefix -> last number given
    index: dict[tuple[str, str], dict] = field(default_factory=dict)  # see `records_by`

    # --- master data (master_data.py) ---
    warehouses: list[Warehouse] = field(default_factory=list)  # in id order
    carriers: list[Carrier] = field(default_factory=list)  # none for a stock Odoo
    delivery_category: int = 0  # product.category of the carriers' fee products
    services: list[int] = field(default_factory=list)  # product ids of the services sold by the hour
    goods: list[int] = field(default_factory=list)  # product ids of the stockable goods
    cost: dict[int, float] = field(default_factory=dict)  # good -> standard cost (0 for the zero-cost defects)
    price: dict[int, float] = field(default_factory=dict)  # good -> list price
    categ: dict[int, int] = field(default_factory=dict)  # good -> product.category
    popular: list[int] = field(default_factory=list)  # the goods, best seller first
    popular_cum: list[float] = field(default_factory=list)  # cumulative demand weights along `popular`
    suppliers: list[int] = field(default_factory=list)  # res.partner ids of the vendors
    vendor: dict[int, int] = field(default_factory=dict)  # good -> its vendor (none for the no-vendor defects)
    lead: dict[int, int] = field(default_factory=dict)  # good -> its vendor's lead time in days
    customers: list[Customer] = field(default_factory=list)

    # --- stock and demand, in units: (product, warehouse id) -> quantity unless said ---
    rate: dict[tuple[int, int], float] = field(default_factory=dict)  # expected daily demand
    free: dict[tuple[int, int], float] = field(default_factory=lambda: defaultdict(float))  # stock not reserved
    pending: dict[tuple[int, int], float] = field(default_factory=lambda: defaultdict(float))  # demand not reserved
    on_order: dict[tuple[int, int], float] = field(default_factory=lambda: defaultdict(float))  # bought, not received
    # (product, location id) -> FIFO [in_date, qty] layers of the physical stock there
    layers: dict[tuple[int, int], deque] = field(default_factory=lambda: defaultdict(deque))

    # --- documents in flight ---
    moves_by_picking: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))  # picking id -> moves
    to_process: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))  # day -> deliveries to prepare
    waiting: list[dict] = field(default_factory=list)  # deliveries waiting for stock
    arrivals: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))  # day -> receipts arriving
    returns: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))  # day -> shipped moves sent back
    returned: list[tuple[dict, dict]] = field(default_factory=list)  # (return move, original delivery), to refund

    # --- what the generator knows ---
    anomalies: Anomalies = field(default_factory=Anomalies)
    late_causes: dict[int, str] = field(default_factory=dict)  # sale.order.line id -> why it was late
    shipments: list[dict] = field(default_factory=list)  # the carrier API's shipments

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.start = self.as_of - timedelta(days=DAYS - 1)
        go_live = timestamp(self.start - timedelta(days=GO_LIVE_DAYS), 8)
        self.go_live = {"create_date": go_live, "write_date": go_live, "create_uid": 1, "write_uid": 1}

    def world(self) -> World:
        return World(
            self.as_of,
            self.seed,
            self.scale,
            dict(self.tables),
            self.shipments,
            self.anomalies,
            self.late_causes,
            self.stock_odoo,
        )

    def n(self, base: float) -> int:
        """A volume at this scale, at least 1."""
        return max(1, round(base * self.scale))

    def add(self, model: str, **values) -> dict:
        """A new record with the next id of its model."""
        self.ids[model] += 1
        rec = {"id": self.ids[model], **values}
        self.tables[model].append(rec)
        return rec

    def name(self, prefix: str, width: int = 5) -> str:
        """The next name of a sequence: S00001, WH/OUT/00001, ..."""
        self.seq[prefix] += 1
        return f"{prefix}{self.seq[prefix]:0{width}d}"

    def day(self, i: int) -> date:
        return self.start + timedelta(days=i)

    def stamp(self, i: int, hours: tuple[int, int] = OFFICE_HOURS) -> str:
        """A random time of day i, between the hours given (both included)."""
        r = self.rng
        return timestamp(self.day(i), r.randint(*hours), r.randint(0, 59), r.randint(0, 59))

    def product_name(self, p: int) -> str:
        """A product's display name, as on order lines and moves: [P00042] Compact Tools 123."""
        t = self.tables["product.template"][p - 1]
        return f"[{t['default_code']}] {t['name']}"

    def warehouse(self, wid: int) -> Warehouse:
        return self.warehouses[wid - 1]

    def carrier(self, cid: int | None) -> Carrier | None:
        return next((c for c in self.carriers if c.id == cid), None)

    def records_by(self, model: str, fname: str, value: int) -> list[dict]:
        """The records of a model whose field has this value, from an index built at the first call:
        for the closing steps only, once the indexed field no longer changes."""
        if (model, fname) not in self.index:
            groups = defaultdict(list)
            for rec in self.tables[model]:
                groups[rec.get(fname)].append(rec)
            self.index[(model, fname)] = groups
        return self.index[(model, fname)].get(value, [])
