"""The synthetic distributor: about 180 days of a wholesale business in Odoo 17 records.

The generator simulates the business day by day, so that every document is a
consequence of earlier ones, as in a real Odoo:

- customers confirm sale orders; each order's delivery is scheduled for its
  promised date and its lines are served from the warehouse's free stock;
  what is short is shipped later from a backorder when receipts arrive;
- stock is replenished by purchase orders raised on a reorder-point policy,
  received on the vendor's (possibly late) date, sometimes in two parts;
- customers return a few deliveries, cycle counts adjust stock, carriers
  carry the shipments, invoices and vendor bills follow the documents (about
  half of the vendors bill outside Odoo), and posting them raises the
  partners' ranks as Odoo does (see accounting.py).

With `stock_odoo` the database is that of a stock Odoo 17 Community (sale_management,
stock, purchase, account): no carriers, so no delivery fees, tracking references or
carrier API shipments. (The sale_margin fields are recorded anyway, as the truth's
cost of sales; `cli.build_database` leaves them out of such a database.)

Planted problems (see `Anomalies`) shape that simulation, and every sale line
that misses its promised date is given the cause that made it late. The
output is a `World`: plain records per model (as `db.Database` stores them),
the carrier API's shipments, and the ground truth the generator knows.
Everything is drawn from one `random.Random(seed)`, so a seed, scale and
as-of date always give byte-identical data.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

from .accounting import rank_increases, sequence_prefix

DAYS = 180
COMPANY_CURRENCY, EUR = 1, 2
EUR_RATE = 0.92  # company (USD) -> EUR, Odoo's `currency_rate` convention
UNITS, DOZENS, KG, HOURS = 1, 2, 3, 4
CUSTOMERS_LOC, SUPPLIERS_LOC, INVENTORY_LOC = 3, 4, 5  # shared locations, ids fixed below
GOODS_PER_ORDER = 3.0  # mean product lines per sale order
QTY_CHOICES = (1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 24, 30, 50)
SAFETY_UNITS = 20.0  # safety stock: about two typical order lines
REVIEW_DAYS = 4  # a purchase covers a few days of demand: fast movers are bought twice a week
CAUSES = ("supplier_delay", "warehouse_congestion", "master_data", "carrier_disruption", "stock_shortage")

FAMILIES = {
    "Electrical": ["Cables", "Switches", "Lighting", "Fuses"],
    "Plumbing": ["Pipes", "Valves", "Fittings", "Pumps"],
    "Fasteners": ["Screws", "Bolts", "Anchors", "Rivets"],
    "Tools": ["Hand Tools", "Power Tools", "Measuring", "Cutting"],
    "Safety": ["Gloves", "Helmets", "Eyewear", "Signage"],
    "Packaging": ["Boxes", "Tape", "Pallets", "Film"],
}
ADJECTIVES = ["Heavy-Duty", "Compact", "Pro", "Industrial", "Standard", "Premium", "Eco", "Universal", "Marine", "Slim"]
CITIES = ["Antwerp", "Lyon", "Hamburg", "Rotterdam", "Milan", "Porto", "Leeds", "Gdansk", "Dublin", "Graz", "Aarhus", "Valencia"]
WAREHOUSES = [("Main Warehouse", "WH"), ("North Hub", "NRT"), ("South Hub", "STH")]
CARRIERS = [("FastFreight Express", "FFX", 1), ("Regional Road", "RRD", 2), ("Parcel Post", "PPS", 3)]


@dataclass
class Anomalies:
    """The planted problems, chosen once per generation; the truth file reports them."""

    late_supplier_id: int = 0
    congested_warehouse_id: int = 0
    congestion_days: int = 14
    zero_cost_products: list[int] = field(default_factory=list)
    no_vendor_products: list[int] = field(default_factory=list)
    missing_category_products: list[int] = field(default_factory=list)
    disrupted_carrier_id: int = 0
    disruption_days: int = 7
    eroded_category_id: int = 0
    erosion_days: int = 7
    discrepancy_warehouse_id: int = 0
    discrepancy_move_ids: list[int] = field(default_factory=list)


@dataclass
class World:
    as_of: date
    seed: int
    scale: float
    tables: dict[str, list[dict]]
    shipments: list[dict]
    anomalies: Anomalies
    late_causes: dict[int, str]  # sale.order.line id -> cause
    stock_odoo: bool = False  # generated for a stock Odoo, without the delivery and sale_margin modules


def generate(scale: float = 1.0, seed: int = 42, as_of: date | None = None, stock_odoo: bool = False) -> World:
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    return _Generator(scale, seed, as_of or date.today(), stock_odoo).run()


def _ts(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, second).strftime("%Y-%m-%d %H:%M:%S")


class _Generator:
    def __init__(self, scale: float, seed: int, as_of: date, stock_odoo: bool):
        self.scale, self.seed, self.as_of, self.stock_odoo = scale, seed, as_of, stock_odoo
        self.rng = random.Random(seed)
        self.start = as_of - timedelta(days=DAYS - 1)
        self.tables: dict[str, list[dict]] = defaultdict(list)
        self.ids: dict[str, int] = defaultdict(int)
        self.seq: dict[str, int] = defaultdict(int)
        self.anom = Anomalies()
        self.causes: dict[int, str] = {}
        self.shipments: list[dict] = []

    def n(self, base: float) -> int:
        return max(1, round(base * self.scale))

    def add(self, model: str, **values) -> dict:
        self.ids[model] += 1
        rec = {"id": self.ids[model], **values}
        self.tables[model].append(rec)
        return rec

    def name(self, prefix: str, width: int = 5) -> str:
        self.seq[prefix] += 1
        return f"{prefix}{self.seq[prefix]:0{width}d}"

    def day(self, i: int) -> date:
        return self.start + timedelta(days=i)

    def stamp(self, i: int, lo: int = 7, hi: int = 17) -> str:
        r = self.rng
        return _ts(self.day(i), r.randint(lo, hi), r.randint(0, 59), r.randint(0, 59))

    # --- master data ----------------------------------------------------------
    def run(self) -> World:
        self._company()
        self._catalogue()
        self._locations()
        self.carriers: list[dict] = []
        if not self.stock_odoo:
            self._carriers()
        self._partners()
        self._simulate()
        self._finish_stock()
        self._invoices()
        return World(self.as_of, self.seed, self.scale, dict(self.tables), self.shipments, self.anom, self.causes,
                     self.stock_odoo)

    def _company(self):
        t0 = _ts(self.start - timedelta(days=400), 8)
        self.t0 = t0
        base = {"create_date": t0, "write_date": t0, "create_uid": 1, "write_uid": 1}
        self.base = base
        self.add("res.currency", name="USD", full_name="United States dollar", symbol="$", rate=1.0, rounding=0.01,
                 decimal_places=2, position="before", active=True, **base)
        self.add("res.currency", name="EUR", full_name="Euro", symbol="€", rate=EUR_RATE, rounding=0.01,
                 decimal_places=2, position="after", active=True, **base)
        company_partner = self.add("res.partner", name="Northwind Distribution", is_company=True, type="contact",
                                   city="Antwerp", country_code="BE", email="info@northwind.example", active=True,
                                   vat="BE0477472701", customer_rank=0, supplier_rank=0, tz="UTC", lang="en_US", **base)
        company_partner["commercial_partner_id"] = company_partner["id"]
        self.add("res.company", name="Northwind Distribution", partner_id=company_partner["id"], currency_id=COMPANY_CURRENCY,
                 parent_id=None, vat="BE0477472701", active=True, sequence=0, **base)
        for uid, (name, login, active) in enumerate([("OdooBot", "__system__", False), ("Mitchell Admin", "admin", True),
                                                     ("Sofia Reyes", "sofia", True), ("Lars Berg", "lars", True),
                                                     ("Amira Haddad", "amira", True), ("Tom Walsh", "tom", True),
                                                     ("Nina Kovac", "nina", True)], start=1):
            partner = self.add("res.partner", name=name, is_company=False, type="contact", email=f"{login}@northwind.example",
                               active=active, customer_rank=0, supplier_rank=0, company_id=1, tz="UTC", lang="en_US", **base)
            partner["commercial_partner_id"] = partner["id"]
            self.add("res.users", login=login, name=name, partner_id=partner["id"], active=active, share=False,
                     company_id=1, company_ids=[1], tz="UTC", lang="en_US", **base)
        self.salespeople = [3, 4, 5, 6, 7]
        self.add("crm.team", name="Direct Sales", user_id=3, company_id=1, active=True, sequence=1, **base)
        self.add("crm.team", name="Key Accounts", user_id=4, company_id=1, active=True, sequence=2, **base)
        for name, factor, kind in [("Units", 1.0, "reference"), ("Dozens", 1 / 12, "bigger"), ("kg", 1.0, "reference"),
                                   ("Hours", 1.0, "reference")]:
            self.add("uom.uom", name=name, factor=factor, rounding=0.01, uom_type=kind, active=True, **base)

    def _locations(self):
        base = self.base
        def loc(**values):
            defaults = dict(company_id=None, scrap_location=False, return_location=False, replenish_location=False,
                            active=True, warehouse_id=None, **base)
            return self.add("stock.location", **{**defaults, **values})

        partners = loc(name="Partners", usage="view", location_id=None)
        virtual = loc(name="Virtual Locations", usage="view", location_id=None)
        assert loc(name="Customers", usage="customer", location_id=partners["id"])["id"] == CUSTOMERS_LOC
        assert loc(name="Vendors", usage="supplier", location_id=partners["id"])["id"] == SUPPLIERS_LOC
        assert loc(name="Inventory adjustment", usage="inventory", location_id=virtual["id"])["id"] == INVENTORY_LOC
        self.warehouses = []
        for seq, (name, code) in enumerate(WAREHOUSES, start=1):
            wid = self.ids["stock.warehouse"] + 1
            view = loc(name=code, usage="view", location_id=None, company_id=1, warehouse_id=wid)
            stock = loc(name="Stock", usage="internal", location_id=view["id"], company_id=1, warehouse_id=wid,
                        replenish_location=True)
            output = loc(name="Output", usage="internal", location_id=view["id"], company_id=1, warehouse_id=wid)
            # The main warehouse receives in two steps (Input, then Storage); the hubs straight into Stock.
            two_steps = seq == 1
            receive_to = loc(name="Input", usage="internal", location_id=view["id"], company_id=1, warehouse_id=wid) if two_steps else stock
            types = {}
            for key, code_, tname, seq_code, src, dst in [
                ("incoming", "incoming", "Receipts", "IN", SUPPLIERS_LOC, receive_to["id"]),
                ("store", "internal", "Storage", "STOR", receive_to["id"], stock["id"]),
                ("pick", "internal", "Pick", "PICK", stock["id"], output["id"]),
                ("outgoing", "outgoing", "Delivery Orders", "OUT", output["id"], CUSTOMERS_LOC),
                ("internal", "internal", "Internal Transfers", "INT", stock["id"], stock["id"]),
            ]:
                types[key] = self.add("stock.picking.type", name=tname, code=code_, sequence_code=seq_code, warehouse_id=wid,
                                        default_location_src_id=src, default_location_dest_id=dst, company_id=1,
                                        active=True, sequence=seq * 10 + len(types), **base)
            types["outgoing"]["return_picking_type_id"] = types["incoming"]["id"]
            wh = self.add("stock.warehouse", name=name, code=code, active=True, company_id=1, partner_id=1,
                          view_location_id=view["id"], lot_stock_id=stock["id"],
                          reception_steps="two_steps" if two_steps else "one_step",
                          delivery_steps="pick_ship", in_type_id=types["incoming"]["id"], out_type_id=types["outgoing"]["id"],
                          pick_type_id=types["pick"]["id"], int_type_id=types["internal"]["id"], sequence=seq, **base)
            self.warehouses.append({"id": wh["id"], "code": code, "stock": stock["id"], "output": output["id"], "types": types, "two_steps": two_steps,
                                    "share": [0.5, 0.3, 0.2][seq - 1]})
        self.anom.congested_warehouse_id = self.warehouses[1]["id"]
        self.anom.discrepancy_warehouse_id = self.warehouses[2]["id"]

    def _carriers(self):
        """The delivery methods (the delivery module's `delivery.carrier`), each with its service product."""
        base = self.base
        for seq, (name, code, days) in enumerate(CARRIERS, start=1):
            product = self._product_template(f"Delivery: {name}", f"SHIP-{code}", "service", self.delivery_categ, 0.0, 0.0,
                                             sale_ok=False)
            c = self.add("delivery.carrier", name=name, active=True, sequence=seq, delivery_type="fixed",
                         integration_level="rate_and_ship", product_id=product["id"], invoice_policy="estimated",
                         fixed_price=[25.0, 15.0, 9.5][seq - 1], margin=0.0, free_over=False, amount=0.0, **base)
            self.carriers.append({"id": c["id"], "code": code, "days": days, "product": product["id"],
                                  "fee": c["fixed_price"]})
        self.anom.disrupted_carrier_id = self.carriers[self.rng.randrange(len(self.carriers))]["id"]

    def _product_template(self, name, code, ptype, categ, price, cost, sale_ok=True, active=True, uom=UNITS) -> dict:
        values = dict(name=name, default_code=code, detailed_type=ptype, type=ptype, categ_id=categ, list_price=price,
                      standard_price=cost, uom_id=uom, uom_po_id=uom, sale_ok=sale_ok, purchase_ok=ptype != "service",
                      active=active, company_id=None, weight=0.0, volume=0.0, tracking="none",
                      invoice_policy="order", sale_delay=0, **self.base)
        template = self.add("product.template", **values)
        product = self.add("product.product", product_tmpl_id=template["id"], default_code=code, barcode=None,
                           active=active, standard_price=cost, lst_price=price, **self.base)
        assert product["id"] == template["id"]
        return product

    def _catalogue(self):
        rng, base = self.rng, self.base
        root = self.add("product.category", name="All", parent_id=None, parent_path="1/", **base)
        saleable = self.add("product.category", name="Saleable", parent_id=root["id"], parent_path="1/2/", **base)
        leaves = []
        for family, subs in FAMILIES.items():
            fam = self.add("product.category", name=family, parent_id=saleable["id"],
                           parent_path=f"1/2/{self.ids['product.category']}/", **base)
            for sub in subs:
                leaf = self.add("product.category", name=sub, parent_id=fam["id"], **base)
                leaf["parent_path"] = f"{fam['parent_path']}{leaf['id']}/"
                leaves.append(leaf["id"])
        services = self.add("product.category", name="Services", parent_id=root["id"], **base)
        services["parent_path"] = f"1/{services['id']}/"
        deliveries = self.add("product.category", name="Deliveries", parent_id=root["id"], **base)
        deliveries["parent_path"] = f"1/{deliveries['id']}/"
        self.delivery_categ = deliveries["id"]
        self.anom.eroded_category_id = leaves[rng.randrange(len(leaves))]

        self.services = [
            self._product_template("Installation & Commissioning", "SRV-INSTALL", "service", services["id"], 85.0, 40.0, uom=HOURS)["id"],
            self._product_template("On-site Training", "SRV-TRAIN", "service", services["id"], 120.0, 60.0, uom=HOURS)["id"],
        ]
        self.goods: list[int] = []
        self.cost: dict[int, float] = {}
        self.price: dict[int, float] = {}
        self.categ: dict[int, int] = {}
        n_products = self.n(1500)
        # Each category has its own typical cost ratio, so its margin is stable from week to week.
        cost_ratio = {leaf: rng.uniform(0.58, 0.72) for leaf in leaves}
        for i in range(n_products):
            categ = leaves[rng.randrange(len(leaves))]
            family = self.tables["product.category"][categ - 1]["name"]
            price = round(math.exp(rng.uniform(math.log(2), math.log(900))), 2)
            cost = round(price * (cost_ratio[categ] + rng.uniform(-0.02, 0.02)), 2)
            active = rng.random() > 0.03
            p = self._product_template(f"{rng.choice(ADJECTIVES)} {family} {rng.randint(10, 999)}", f"P{i + 1:05d}",
                                       "product", categ, price, cost, active=active)
            self.goods.append(p["id"])
            self.cost[p["id"]], self.price[p["id"]], self.categ[p["id"]] = cost, price, categ
        # Popularity: a few products sell a lot (Zipf-like), the long tail rarely.
        weights = [1 / (rank + 5) ** 0.9 for rank in range(len(self.goods))]
        order = self.goods[:]
        rng.shuffle(order)
        self.popular = order
        self.popular_cum = list(accumulate(weights))
        # Master-data defects on products that sell regularly, kept out of the eroded category so
        # that each problem stays readable on its own.
        candidates = [p for p in self.popular[20:400] if self.categ[p] != self.anom.eroded_category_id]
        picked = rng.sample(candidates, 10)
        self.anom.zero_cost_products = sorted(picked[:5])
        self.anom.no_vendor_products = sorted(picked[5:10])
        # The uncategorised products all come from one category (one import batch gone wrong), so the
        # root category's margin is as stable as any other's.
        batch = max(leaves, key=lambda leaf: sum(1 for p in candidates if self.categ[p] == leaf and p not in picked))
        self.anom.missing_category_products = sorted(rng.sample([p for p in candidates if self.categ[p] == batch and p not in picked], 5))
        products = {r["id"]: r for r in self.tables["product.product"]}
        templates = {r["id"]: r for r in self.tables["product.template"]}
        for p in self.anom.zero_cost_products:
            templates[p]["standard_price"] = products[p]["standard_price"] = 0.0
            self.cost[p] = 0.0
        for p in self.anom.missing_category_products:
            templates[p]["categ_id"] = root["id"]
            self.categ[p] = root["id"]

    def _partners(self):
        """Vendors and customers, imported at go-live: created without a search mode in the context, so
        with both ranks 0, until their first bill or invoice is posted (see `_invoices`)."""
        rng, base = self.rng, self.base
        self.suppliers = []
        for i in range(self.n(40)):
            s = self.add("res.partner", name=f"{rng.choice(['Atlas', 'Borealis', 'Cobalt', 'Delta', 'Evergreen', 'Falcon', 'Granite', 'Harbor'])} "
                                             f"{rng.choice(['Supply', 'Industries', 'Manufacturing', 'Trading', 'Components'])} {i + 1}",
                         ref=f"V{i + 1:04d}", is_company=True, type="contact", city=rng.choice(CITIES), active=True,
                         email=f"orders@vendor{i + 1}.example", customer_rank=0, supplier_rank=0, company_id=None,
                         tz="UTC", lang="en_US", **base)
            s["commercial_partner_id"] = s["id"]
            self.suppliers.append(s["id"])
        self.anom.late_supplier_id = self.suppliers[rng.randrange(len(self.suppliers))]
        self.vendor: dict[int, int] = {}
        self.lead: dict[int, int] = {}
        for p in self.goods:
            if p in self.anom.no_vendor_products:
                continue
            # The chronically late vendor is a big one: it supplies about 8% of the range.
            late = rng.random() < 0.08
            supplier = self.anom.late_supplier_id if late else self.suppliers[rng.randrange(len(self.suppliers))]
            self.vendor[p], self.lead[p] = supplier, rng.randint(3, 12)
            self.add("product.supplierinfo", partner_id=supplier, product_tmpl_id=p, product_id=None,
                     price=self.cost[p] or round(self.price[p] * 0.6, 2), delay=self.lead[p], min_qty=1.0,
                     currency_id=COMPANY_CURRENCY, company_id=1, sequence=1, **base)
        self.customers = []
        for i in range(self.n(300)):
            home = rng.choices(self.warehouses, weights=[w["share"] for w in self.warehouses])[0]
            c = self.add("res.partner", name=f"{rng.choice(['Acme', 'Blue', 'Crown', 'Dyna', 'Echo', 'Forge', 'Globe', 'Hexa', 'Iron', 'Jade'])}"
                                             f"{rng.choice(['tech', 'build', 'works', 'mart', 'line', 'craft'])} {i + 1}",
                         ref=f"C{i + 1:05d}", is_company=True, type="contact", city=rng.choice(CITIES),
                         active=rng.random() > 0.02, email=f"purchasing@customer{i + 1}.example", customer_rank=0,
                         supplier_rank=0, company_id=None, user_id=rng.choice(self.salespeople), tz="UTC", lang="en_US", **base)
            c["commercial_partner_id"] = c["id"]
            self.customers.append((c["id"], home, c["user_id"], rng.random() < 0.05))  # (id, warehouse, salesperson, pays in EUR)
            if rng.random() < 0.15:  # a separate delivery address
                d = self.add("res.partner", name="Receiving Dock", parent_id=c["id"], commercial_partner_id=c["id"],
                             is_company=False, type="delivery", city=c["city"], active=True, customer_rank=0,
                             supplier_rank=0, company_id=None, tz="UTC", lang="en_US", **base)
                c["_delivery_address"] = d["id"]

    # --- the daily simulation ------------------------------------------------
    def _simulate(self):
        rng = self.rng
        self.free = defaultdict(float)         # (product, warehouse) -> stock not yet reserved
        self.layers = defaultdict(deque)       # (product, location) -> FIFO [in_date, qty] of physical stock
        self.on_order = defaultdict(float)     # (product, warehouse) -> purchased, not yet received
        self.pending = defaultdict(float)      # (product, warehouse) -> confirmed demand not yet reserved
        self.rate = {}                         # (product, warehouse) -> expected daily demand
        self.to_process = defaultdict(list)    # day -> pickings to prepare that day
        self.arrivals = defaultdict(list)      # day -> receipt pickings arriving that day
        self.waiting: list[dict] = []          # deliveries waiting for stock
        self.returns = defaultdict(list)       # day -> done moves a customer sends back that day
        self.moves_by_picking = defaultdict(list)
        self.returned: list[tuple[dict, dict]] = []  # (return move, original delivery)
        self.last = DAYS - 1
        orders_per_day = 3000 * self.scale / DAYS
        units_per_line = sum(QTY_CHOICES) / len(QTY_CHOICES)
        total_weight = self.popular_cum[-1]
        for rank, p in enumerate(self.popular):
            w = (self.popular_cum[rank] - (self.popular_cum[rank - 1] if rank else 0)) / total_weight
            for wh in self.warehouses:
                self.rate[(p, wh["id"])] = orders_per_day * GOODS_PER_ORDER * units_per_line * w * wh["share"]
        self._opening_stock()
        for i in range(DAYS):
            self._receive(i)
            self._serve_waiting(i)
            weekday = self.day(i).weekday()
            expected = orders_per_day * (1.3 if weekday < 5 else 0.25)  # averages to 1 over a week
            for _ in range(_poisson(rng, expected)):
                self._sale_order(i)
            for picking in self.to_process.pop(i, []):
                if picking["state"] != "cancel":
                    self._prepare(picking, i)
            self._returns(i)
            self._cycle_counts(i)
            self._replenish(i)

    def _opening_stock(self):
        """Stock on the first day: one received purchase per vendor and warehouse, ordered two weeks
        before; the chronically late vendor delivered it late too."""
        lines = defaultdict(list)
        for p, supplier in self.vendor.items():
            for wh in self.warehouses:
                qty = _pack(self._policy(p, self.rate[(p, wh["id"])])[1])
                if qty > 0:
                    lines[(supplier, wh["id"])].append((p, qty))
        for (supplier, wid), items in sorted(lines.items()):
            planned = -self.rng.randint(4, 12) if supplier == self.anom.late_supplier_id else 0
            self._purchase(-14, supplier, self._wh(wid), items, opening=(planned, 0))

    def _wh(self, wid: int) -> dict:
        return self.warehouses[wid - 1]

    def _sale_order(self, i: int):
        rng = self.rng
        cid, wh, salesperson, in_eur = self.customers[rng.randrange(len(self.customers))]
        customer = self.tables["res.partner"][cid - 1]
        when = self.stamp(i)
        roll = rng.random()
        state = "cancel" if roll < 0.05 else "draft" if roll < 0.09 else "sent" if roll < 0.12 else "sale"
        lead = rng.choice([1, 2, 2, 3, 3, 5, 7])
        commitment = _ts(self.day(i + lead + rng.randint(1, 4)), 12) if rng.random() < 0.15 else None
        currency, rate = (EUR, EUR_RATE) if in_eur else (COMPANY_CURRENCY, 1.0)
        carrier = rng.choices(self.carriers + [None], weights=[4, 3, 3, 1.5])[0] if self.carriers else None
        order = self.add("sale.order", name=self.name("S"), state=state, locked=False, date_order=when,
                         commitment_date=commitment, validity_date=(self.day(i) + timedelta(days=30)).isoformat(),
                         origin=None, client_order_ref=f"PO-{rng.randint(1000, 99999)}" if rng.random() < 0.6 else None,
                         partner_id=cid, partner_invoice_id=cid, partner_shipping_id=customer.get("_delivery_address", cid),
                         user_id=salesperson, team_id=1 if rng.random() < 0.7 else 2, company_id=1, currency_id=currency,
                         currency_rate=rate, invoice_status="no", warehouse_id=wh["id"], picking_policy="direct",
                         carrier_id=carrier["id"] if carrier else None, create_date=when, write_date=when,
                         create_uid=salesperson, write_uid=salesperson)
        seq = 10
        lines = []

        def line(**values):
            nonlocal seq
            defaults = dict(order_id=order["id"], sequence=seq, display_type=False, product_uom=UNITS, discount=0.0,
                            customer_lead=float(lead), is_downpayment=False, is_delivery=False, qty_invoiced=0.0,
                            create_date=when, write_date=when, create_uid=salesperson, write_uid=salesperson)
            rec = self.add("sale.order.line", **{**defaults, **values})
            seq += 10
            lines.append(rec)
            return rec

        if rng.random() < 0.1:
            line(display_type="line_section", name="Main items", product_id=None, product_template_id=None,
                 product_uom_qty=0.0, product_uom=None, price_unit=0.0, purchase_price=0.0)
        eroded = i >= self.last - self.anom.erosion_days + 1
        n_goods = min(_geometric(rng, 1 / GOODS_PER_ORDER), 15)
        chosen = set()
        for _ in range(n_goods):
            p = self.popular[bisect(self.popular_cum, rng.random() * self.popular_cum[-1])]
            if p in chosen:
                continue
            chosen.add(p)
            discount = rng.choice([0.0] * 7 + [5.0])
            if eroded and self.categ[p] == self.anom.eroded_category_id:
                discount = rng.choice([20.0, 25.0, 30.0])
            qty = float(rng.choice(QTY_CHOICES))
            line(product_id=p, product_template_id=p, name=self._product_name(p), product_uom_qty=qty,
                 price_unit=round(self.price[p] * rng.uniform(0.95, 1.0) * rate, 2), discount=discount,
                 purchase_price=round(self.cost[p] * rate, 2))
        if rng.random() < 0.08:
            s = rng.choice(self.services)
            line(product_id=s, product_template_id=s, name=self._product_name(s), product_uom_qty=float(rng.randint(1, 6)),
                 product_uom=HOURS, price_unit=round(self.price_of(s) * rate, 2), purchase_price=round(self.cost_of(s) * rate, 2))
        if carrier and rng.random() < 0.4:
            line(product_id=carrier["product"], product_template_id=carrier["product"], name=f"Delivery: {carrier['code']}",
                 product_uom_qty=1.0, price_unit=round(carrier["fee"] * rate, 2), purchase_price=0.0, is_delivery=True)
        order["_lines"] = lines
        if state in ("draft", "sent"):
            return
        promised_day = i + lead if commitment is None else (datetime.strptime(commitment[:10], "%Y-%m-%d").date() - self.start).days
        scheduled = commitment or (datetime.strptime(when, "%Y-%m-%d %H:%M:%S") + timedelta(days=lead)).strftime("%Y-%m-%d %H:%M:%S")
        goods = [ln for ln in lines if ln["product_id"] in self.cost and not ln["display_type"]]
        if not goods:
            return
        picking = self._picking(wh, "outgoing", when, scheduled, partner=order["partner_shipping_id"], origin=order["name"],
                                sale_id=order["id"], carrier=carrier)
        picking["_promised_day"] = promised_day
        for ln in goods:
            self._move(picking, ln["product_id"], ln["product_uom_qty"], sale_line_id=ln["id"])
            ln["_promised_day"] = promised_day
        if state == "cancel":
            cancel_at = self.stamp(min(i + rng.randint(0, 1), self.last))
            order["write_date"] = cancel_at
            self._set_state(picking, "cancel", cancel_at)
            return
        for ln in goods:
            self.pending[(ln["product_id"], wh["id"])] += ln["product_uom_qty"]
        early = rng.random() < 0.2 and promised_day - 1 > i
        process_day = promised_day - 1 if early else promised_day
        if process_day <= self.last:
            self.to_process[max(process_day, i)].append(picking)

    def _product_name(self, p: int) -> str:
        t = self.tables["product.template"][p - 1]
        return f"[{t['default_code']}] {t['name']}"

    def price_of(self, p: int) -> float:
        return self.tables["product.template"][p - 1]["list_price"]

    def cost_of(self, p: int) -> float:
        return self.tables["product.template"][p - 1]["standard_price"]

    def _picking(self, wh: dict, code: str, created: str, scheduled: str, partner, origin, sale_id=None,
                 carrier=None, purchase_id=None, backorder_of: dict | None = None, return_of: dict | None = None) -> dict:
        ptype = wh["types"][code]
        picking = self.add("stock.picking", name=self.name(f"{wh['code']}/{ptype['sequence_code']}/"), origin=origin,
                           state="confirmed", move_type="direct", priority="0", scheduled_date=scheduled,
                           date_deadline=scheduled if code == "outgoing" else None, date=created, date_done=None,
                           location_id=ptype["default_location_src_id"] if not return_of else CUSTOMERS_LOC,
                           location_dest_id=ptype["default_location_dest_id"] if not return_of else wh["stock"],
                           picking_type_id=ptype["id"],
                           partner_id=partner, user_id=None, backorder_id=backorder_of["id"] if backorder_of else None,
                           return_id=return_of["id"] if return_of else None, sale_id=sale_id, purchase_id=purchase_id,
                           carrier_id=carrier["id"] if carrier else None, carrier_tracking_ref=None,
                           carrier_price=carrier["fee"] if carrier else 0.0, weight=0.0,
                           create_date=created, write_date=created, create_uid=2, write_uid=2)
        picking["_wh"] = wh
        return picking

    def _move(self, picking: dict, product: int, qty: float, **links) -> dict:
        links = {"origin_returned_move_id": None, "sale_line_id": None, "purchase_line_id": None, **links}
        move = self.add("stock.move", name=self._product_name(product), reference=picking["name"], origin=picking["origin"],
                        state=picking["state"], date=picking["scheduled_date"], date_deadline=picking["date_deadline"],
                        product_id=product, product_uom_qty=qty, quantity=0.0, product_uom=UNITS, picked=False,
                        location_id=picking["location_id"], location_dest_id=picking["location_dest_id"],
                        picking_id=picking["id"], picking_type_id=picking["picking_type_id"], partner_id=picking["partner_id"],
                        company_id=1, warehouse_id=picking["_wh"]["id"], price_unit=self.cost[product] if product in self.cost else 0.0,
                        is_inventory=False, sequence=10, create_date=picking["create_date"], write_date=picking["create_date"],
                        create_uid=2, write_uid=2, **links)
        self.moves_by_picking[picking["id"]].append(move)
        return move

    def _set_state(self, picking: dict, state: str, when: str):
        picking["state"], picking["write_date"] = state, when
        for move in self.moves_by_picking[picking["id"]]:
            move["state"], move["write_date"] = state if state != "assigned" else move["state"], when

    # --- deliveries -----------------------------------------------------------
    def _lag(self, picking: dict, i: int) -> tuple[int, str | None]:
        """Days between preparing and shipping a delivery, and what caused any delay."""
        rng, anom = self.rng, self.anom
        lag, cause = 0, None
        if picking["_wh"]["id"] == anom.congested_warehouse_id and i > self.last - anom.congestion_days:
            lag, cause = rng.randint(2, 5), "warehouse_congestion"
        if picking["carrier_id"] == anom.disrupted_carrier_id and i > self.last - anom.disruption_days:
            lag += rng.randint(1, 3)
            cause = cause or "carrier_disruption"
        return lag, cause

    def _shortage_cause(self, product: int) -> str:
        if product not in self.vendor:
            return "master_data"
        if self.vendor[product] == self.anom.late_supplier_id:
            return "supplier_delay"
        return "stock_shortage"

    def _prepare(self, picking: dict, i: int):
        """Reserve what free stock allows; ship it (after any delay), and leave the rest in a backorder."""
        wid = picking["_wh"]["id"]
        reserved = {}
        for move in self.moves_by_picking[picking["id"]]:
            key = (move["product_id"], wid)
            got = min(max(self.free[key], 0.0), move["product_uom_qty"])
            self.free[key] -= got
            self.pending[key] -= got
            reserved[move["id"]] = got
            if got < move["product_uom_qty"]:
                self._late(move, self._shortage_cause(move["product_id"]))
        if not any(reserved.values()):
            self.waiting.append(picking)
            return
        self._ship(picking, reserved, i)

    def _serve_waiting(self, i: int):
        """Each morning, ship from waiting deliveries every move that stock now covers in full."""
        still = []
        for picking in self.waiting:
            wid = picking["_wh"]["id"]
            reserved = {}
            for move in self.moves_by_picking[picking["id"]]:
                key = (move["product_id"], wid)
                if self.free[key] >= move["product_uom_qty"]:
                    self.free[key] -= move["product_uom_qty"]
                    self.pending[key] -= move["product_uom_qty"]
                    reserved[move["id"]] = move["product_uom_qty"]
            if reserved:
                self._ship(picking, reserved, i)
            else:
                still.append(picking)
        self.waiting = still

    def _ship(self, picking: dict, reserved: dict[int, float], i: int):
        """Pick the reserved goods to the Output location today; ship them after any delay (pick + ship)."""
        lag, cause = self._lag(picking, i)
        ship_day = i + lag
        moves = self.moves_by_picking[picking["id"]]
        self._pick(picking, [(m, reserved[m["id"]]) for m in moves if reserved.get(m["id"])], i)
        if ship_day > self.last:  # not shipped by the as-of date: reserved, waiting at the dock
            picking["state"] = "assigned"
            for move in moves:
                got = reserved.get(move["id"], 0.0)
                move["quantity"] = got
                move["state"] = "assigned" if got >= move["product_uom_qty"] else "partially_available" if got else "confirmed"
            if cause:
                for move in moves:
                    if move["id"] in reserved:
                        self._late(move, cause)
            return
        when = self.stamp(ship_day, 9, 18)
        rest = [(m, m["product_uom_qty"] - reserved.get(m["id"], 0.0)) for m in moves]
        rest = [(m, q) for m, q in rest if q > 1e-9]
        if rest:
            backorder = self._picking(picking["_wh"], "outgoing", when, picking["scheduled_date"], picking["partner_id"],
                                      picking["origin"], sale_id=picking["sale_id"], backorder_of=picking,
                                      carrier=self._carrier(picking["carrier_id"]))
            backorder["_promised_day"] = picking["_promised_day"]
            for move, qty in rest:
                if reserved.get(move["id"], 0.0) > 0:
                    self._move(backorder, move["product_id"], qty, sale_line_id=move["sale_line_id"])
                    move["product_uom_qty"] = reserved[move["id"]]
                else:  # nothing of this move shipped: the whole move goes to the backorder
                    moves.remove(move)
                    move.update(picking_id=backorder["id"], reference=backorder["name"])
                    self.moves_by_picking[backorder["id"]].append(move)
            self.waiting.append(backorder)
        picking.update(state="done", date_done=when, write_date=when)
        if picking["carrier_id"]:
            picking["carrier_tracking_ref"] = f"{self._carrier(picking['carrier_id'])['code']}{picking['id']:09d}"
            self._shipment(picking, ship_day, when)
        promised = picking["_promised_day"]
        for move in moves:
            key = (move["product_id"], picking["_wh"]["id"])
            move.update(state="done", quantity=move["product_uom_qty"], picked=True, date=when, write_date=when)
            self._take(move["product_id"], picking["_wh"]["output"], move["quantity"])
            self._line_touched(move["sale_line_id"], when)
            if ship_day > promised and cause:
                self._late(move, cause)
            if self.rng.random() < 0.025:
                back_day = ship_day + self.rng.randint(3, 10)
                if back_day <= self.last:
                    self.returns[back_day].append(move)

    def _carrier(self, cid):
        return next((c for c in self.carriers if c["id"] == cid), None)

    def _late(self, move: dict, cause: str):
        if move.get("sale_line_id"):
            self.causes.setdefault(move["sale_line_id"], cause)

    def _line_touched(self, line_id, when: str):
        line = self.tables["sale.order.line"][line_id - 1]
        line["write_date"] = max(line["write_date"], when)
        order = self.tables["sale.order"][line["order_id"] - 1]
        order["write_date"] = max(order["write_date"], when)

    def _shipment(self, picking: dict, ship_day: int, when: str):
        carrier = self._carrier(picking["carrier_id"])
        rng = self.rng
        days = carrier["days"]
        transit = rng.choice([days - 1, days, days, days]) if days > 1 else days
        if rng.random() < 0.05:
            transit = days + 1
        if carrier["id"] == self.anom.disrupted_carrier_id and ship_day > self.last - self.anom.disruption_days:
            transit = days + rng.randint(2, 5)
        shipped = datetime.strptime(when, "%Y-%m-%d %H:%M:%S")
        delivered = shipped + timedelta(days=max(transit, 0), hours=rng.randint(1, 6))
        end_of_as_of = datetime(self.as_of.year, self.as_of.month, self.as_of.day, 23, 59, 59)
        iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
        done = delivered <= end_of_as_of
        self.shipments.append({"tracking_ref": picking["carrier_tracking_ref"], "carrier_code": carrier["code"],
                               "shipped_at": iso(shipped), "delivered_at": iso(delivered) if done else None,
                               "status": "delivered" if done else "in_transit", "service_level_days": days,
                               "updated_at": iso(delivered if done else shipped)})

    def _pick(self, out: dict, items: list[tuple[dict, float]], i: int):
        wh = out["_wh"]
        when = self.stamp(i, 6, 8)
        pick = self._picking(wh, "pick", when, when, out["partner_id"], out["origin"], sale_id=out["sale_id"])
        pick.update(state="done", date_done=when)
        for out_move, qty in items:
            move = self._move(pick, out_move["product_id"], qty, sale_line_id=out_move["sale_line_id"])
            move.update(state="done", quantity=qty, picked=True, date=when)
            for in_date, piece in self._take(out_move["product_id"], wh["stock"], qty):
                self.layers[(out_move["product_id"], wh["output"])].append([in_date, piece])

    def _take(self, product: int, location: int, qty: float) -> list[tuple[str, float]]:
        """Remove qty from a location's stock, oldest first (FIFO); return the (in_date, qty) pieces taken."""
        layers, taken = self.layers[(product, location)], []
        while qty > 1e-9 and layers:
            take = min(layers[0][1], qty)
            layers[0][1] -= take
            qty -= take
            taken.append((layers[0][0], take))
            if layers[0][1] <= 1e-9:
                layers.popleft()
        return taken

    def _returns(self, i: int):
        for move in self.returns.pop(i, []):
            out = self.tables["stock.picking"][move["picking_id"] - 1]
            wh = out["_wh"]
            when = self.stamp(i)
            ret = self._picking(wh, "incoming", when, when, out["partner_id"], f"Return of {out['name']}",
                                sale_id=out["sale_id"], return_of=out)
            qty = float(self.rng.randint(1, int(min(move["quantity"], 3))))
            back = self._move(ret, move["product_id"], qty, sale_line_id=move["sale_line_id"],
                              origin_returned_move_id=move["id"])
            ret.update(state="done", date_done=when)
            back.update(state="done", quantity=qty, picked=True, date=when)
            self._receive_qty(move["product_id"], wh, qty, when)
            self._line_touched(move["sale_line_id"], when)
            self.returned.append((back, out))

    def _receive_qty(self, product: int, wh: dict, qty: float, when: str):
        self.free[(product, wh["id"])] += qty
        self.layers[(product, wh["stock"])].append([when, qty])

    # --- purchasing -----------------------------------------------------------
    def _replenish(self, i: int):
        """End of day: reorder-point purchasing for every product and warehouse below its point."""
        lines = defaultdict(list)
        for (p, wid), rate in self.rate.items():
            if p not in self.vendor or rate <= 0:
                continue
            key = (p, wid)
            position = self.free[key] + self.on_order[key] - self.pending[key]
            reorder_point, order_up_to = self._policy(p, rate)
            if position < reorder_point:
                qty = _pack(order_up_to - position)
                if qty > 0:
                    lines[(self.vendor[p], wid)].append((p, qty))
        for (supplier, wid), items in sorted(lines.items()):
            self._purchase(i, supplier, self._wh(wid), items)

    def _policy(self, p: int, rate: float) -> tuple[float, float]:
        """(reorder point, order-up-to level): lead-time demand plus a safety stock of a typical
        order line, and a few days of demand on top, as a distributor's buyer would set them."""
        reorder_point = rate * (self.lead[p] + 7) + SAFETY_UNITS
        return reorder_point, reorder_point + rate * REVIEW_DAYS

    def _purchase(self, i: int, supplier: int, wh: dict, items, opening: tuple[int, int] | None = None):
        """A confirmed purchase and its receipt; `opening` = (planned day, arrival day) of the opening stock."""
        rng = self.rng
        when = self.stamp(i) if i >= 0 else _ts(self.day(i), 10)
        planned_day = i + max(self.lead[p] for p, _ in items)
        if opening:
            planned_day, arrive = opening
        else:
            if supplier == self.anom.late_supplier_id:
                arrive = planned_day + (rng.randint(4, 12) if rng.random() < 0.9 else 0)
            else:
                arrive = planned_day + (rng.randint(1, 4) if rng.random() < 0.07 else rng.choice([-2, -1, 0, 0, 0]))
            arrive = max(arrive, i + 1)
        partial = not opening and rng.random() < 0.1
        planned = _ts(self.day(planned_day), 12)
        order = self.add("purchase.order", name=self.name("P"), partner_ref=None, origin="Replenishment", state="purchase",
                         priority="0", date_order=when, date_approve=when, date_planned=planned, partner_id=supplier,
                         user_id=2, company_id=1, currency_id=COMPANY_CURRENCY, currency_rate=1.0,
                         invoice_status="no", picking_type_id=wh["types"]["incoming"]["id"],
                         create_date=when, write_date=when, create_uid=2, write_uid=2)
        picking = self._picking(wh, "incoming", when, planned, supplier, order["name"], purchase_id=order["id"])
        picking["state"] = "assigned"
        for seq, (p, qty) in enumerate(items, start=1):
            line = self.add("purchase.order.line", order_id=order["id"], display_type=False, name=self._product_name(p),
                            product_id=p, product_qty=qty, product_uom=UNITS, price_unit=self._buy_price(p), discount=0.0,
                            date_planned=planned, qty_invoiced=0.0, sequence=seq * 10,
                            create_date=when, write_date=when, create_uid=2, write_uid=2)
            move = self._move(picking, p, qty, purchase_line_id=line["id"])
            move.update(state="assigned", quantity=qty, price_unit=line["price_unit"])
            self.on_order[(p, wh["id"])] += qty
        picking["_partial"] = partial
        order["_picking"] = picking
        if arrive <= self.last:
            self.arrivals[arrive].append(picking)

    def _store(self, receipt: dict, moves: list[dict], i: int):
        """Two-step reception: put the received goods away from Input to Stock the same afternoon."""
        when = self.stamp(i, 12, 16)
        store = self._picking(receipt["_wh"], "store", when, when, None, receipt["name"])
        store.update(state="done", date_done=when)
        for received in moves:
            move = self._move(store, received["product_id"], received["product_uom_qty"])
            move.update(state="done", quantity=received["product_uom_qty"], picked=True, date=when)

    def _buy_price(self, p: int) -> float:
        return self.cost[p] if self.cost[p] else round(self.price[p] * 0.6, 2)

    def _receive(self, i: int):
        for picking in self.arrivals.pop(i, []):
            when = self.stamp(i, 6, 11)
            moves = self.moves_by_picking[picking["id"]]
            if picking.pop("_partial", False):
                rest = []
                for move in moves:
                    if self.rng.random() < 0.5 and move["product_uom_qty"] >= 4:
                        got = float(math.floor(move["product_uom_qty"] * self.rng.uniform(0.5, 0.9)))
                        rest.append((move, move["product_uom_qty"] - got))
                        move["product_uom_qty"] = got
                if rest:
                    backorder = self._picking(picking["_wh"], "incoming", when, picking["scheduled_date"],
                                              picking["partner_id"], picking["origin"], purchase_id=picking["purchase_id"],
                                              backorder_of=picking)
                    backorder["state"] = "assigned"
                    for move, qty in rest:
                        extra = self._move(backorder, move["product_id"], qty, purchase_line_id=move["purchase_line_id"])
                        extra.update(state="assigned", quantity=qty, price_unit=move["price_unit"])
                    later = i + self.rng.randint(2, 6)
                    if later <= self.last:
                        self.arrivals[later].append(backorder)
            picking.update(state="done", date_done=when, write_date=when)
            if picking["_wh"]["two_steps"]:
                self._store(picking, moves, i)
            for move in moves:
                move.update(state="done", quantity=move["product_uom_qty"], picked=True, date=when, write_date=when)
                key = (move["product_id"], picking["_wh"]["id"])
                self.on_order[key] -= move["quantity"]
                self._receive_qty(move["product_id"], picking["_wh"], move["quantity"], when)
                line = self.tables["purchase.order.line"][move["purchase_line_id"] - 1]
                line["write_date"] = when
                order = self.tables["purchase.order"][line["order_id"] - 1]
                order["write_date"] = max(order["write_date"], when)

    # --- inventory adjustments ------------------------------------------------
    def _cycle_counts(self, i: int):
        """Weekly cycle counts with small differences; large ones only in the planted warehouse, last 60 days."""
        rng = self.rng
        if self.day(i).weekday() != 4:
            return
        for wh in self.warehouses:
            for _ in range(self.n(10)):
                p = self.goods[rng.randrange(len(self.goods))]
                key = (p, wh["id"])
                if self.free[key] < 3 or self.cost[p] >= 150:
                    continue
                delta = float(rng.choice([-2, -1, 1, 2]))
                if abs(delta) * self.cost[p] >= 450:
                    delta = math.copysign(1.0, delta)
                self._adjust(i, wh, p, delta)
        if i > self.last - 60:
            wh = self._wh(self.anom.discrepancy_warehouse_id)
            stocked = [p for p in self.goods if self.free[(p, wh["id"])] >= 5 and self.cost[p] >= 40]
            if stocked:
                p = stocked[rng.randrange(len(stocked))]
                qty = min(self.free[(p, wh["id"])], math.ceil(rng.uniform(600, 2500) / self.cost[p]))
                if qty * self.cost[p] >= 500:
                    self.anom.discrepancy_move_ids.append(self._adjust(i, wh, p, -qty)["id"])

    def _adjust(self, i: int, wh: dict, p: int, delta: float) -> dict:
        when = self.stamp(i, 15, 17)
        stock = wh["stock"]
        move = self.add("stock.move", name="Product Quantity Updated", reference="Product Quantity Updated", origin=None,
                        state="done", date=when, date_deadline=None, product_id=p, product_uom_qty=abs(delta),
                        quantity=abs(delta), product_uom=UNITS, picked=True,
                        location_id=INVENTORY_LOC if delta > 0 else stock, location_dest_id=stock if delta > 0 else INVENTORY_LOC,
                        picking_id=None, picking_type_id=None, partner_id=None, company_id=1, warehouse_id=None,
                        price_unit=self.cost[p], origin_returned_move_id=None, is_inventory=True, sale_line_id=None,
                        purchase_line_id=None, sequence=10, create_date=when, write_date=when, create_uid=2, write_uid=2)
        if delta > 0:
            self._receive_qty(p, wh, delta, when)
        else:
            self.free[(p, wh["id"])] += delta
            self._take(p, stock, -delta)
        return move

    # --- closing the books ----------------------------------------------------
    def _finish_stock(self):
        """Quants from the FIFO layers left at the as-of date; one quant per receipt date still on hand.
        Goods picked for deliveries that have not left yet sit, reserved, in the Output location."""
        reserved = defaultdict(float)
        for picking in self.tables["stock.picking"]:
            if picking["state"] == "assigned" and picking["picking_type_id"] == picking["_wh"]["types"]["outgoing"]["id"]:
                for move in self.moves_by_picking[picking["id"]]:
                    reserved[(move["product_id"], picking["_wh"]["output"])] += move["quantity"]
        for (p, location), layers in sorted(self.layers.items()):
            left = reserved[(p, location)]
            for in_date, qty in layers:
                if qty <= 1e-9:
                    continue
                take = min(left, qty)
                left -= take
                self.add("stock.quant", product_id=p, location_id=location, quantity=qty,
                         reserved_quantity=take, in_date=in_date, create_date=in_date, write_date=in_date,
                         create_uid=2, write_uid=2)
        for move in self.tables["stock.move"]:
            if move["state"] == "done":
                self.add("stock.move.line", move_id=move["id"], picking_id=move["picking_id"], product_id=move["product_id"],
                         product_uom_id=UNITS, quantity=move["quantity"], picked=True, location_id=move["location_id"],
                         location_dest_id=move["location_dest_id"], date=move["date"], company_id=1,
                         create_date=move["date"], write_date=move["date"], create_uid=2, write_uid=2)

    def _invoices(self):
        """A customer invoice per confirmed order at its first delivery, refunds for returns, and a bill
        per receipt from the vendors whose bills are entered in Odoo. The others (about half, as
        when the bookkeeper enters bills in another system) have no bill: their received orders stay
        "to invoice" and their supplier_rank 0. Every document is posted, which raises the ranks."""
        for order in self.tables["sale.order"]:
            if order["state"] != "sale":
                continue
            done = [p for p in self.tables_by("stock.picking", "sale_id", order["id"]) if p["state"] == "done" and not p["return_id"]]
            if not done:
                continue
            when = min(p["date_done"] for p in done)
            items = [(ln, ln["product_uom_qty"]) for ln in order["_lines"] if not ln["display_type"]]
            self._account_move("out_invoice", order, when, items, order["name"])
            for ln, qty in items:
                ln["qty_invoiced"] = qty
            order["invoice_status"] = "invoiced"
        for back, out in self.returned:
            order = self.tables["sale.order"][out["sale_id"] - 1]
            line = self.tables["sale.order.line"][back["sale_line_id"] - 1]
            self._account_move("out_refund", order, back["date"], [(line, back["quantity"])], order["name"])
        billed_elsewhere = set(self.rng.sample(self.suppliers, len(self.suppliers) // 2))
        for order in self.tables["purchase.order"]:
            picking = order["_picking"]
            if picking["state"] != "done":
                continue
            if order["partner_id"] in billed_elsewhere:
                order["invoice_status"] = "to invoice"
                continue
            lines = self.tables_by("purchase.order.line", "order_id", order["id"])
            self._account_move("in_invoice", order, picking["date_done"], [(ln, ln["product_qty"]) for ln in lines], order["name"])
            for ln in lines:
                ln["qty_invoiced"] = ln["product_qty"]
            order["invoice_status"] = "invoiced"
        partners = self.tables["res.partner"]
        posted = rank_increases(self.tables["account.move"], lambda p: partners[p - 1]["commercial_partner_id"])
        for (partner, field), n in posted.items():
            partners[partner - 1][field] += n  # raw SQL in Odoo: the partner's write_date stays

    def tables_by(self, model: str, field: str, value: int) -> list[dict]:
        index = self.__dict__.setdefault("_by", {})
        if (model, field) not in index:
            groups = defaultdict(list)
            for rec in self.tables[model]:
                groups[rec.get(field)].append(rec)
            index[(model, field)] = groups
        return index[(model, field)].get(value, [])

    def _account_move(self, move_type: str, order: dict, when: str, items, origin: str):
        rate = order.get("currency_rate") or 1.0
        day = when[:10]
        purchase = move_type.startswith("in_")
        untaxed = round(sum(_line_amount(ln, qty) for ln, qty in items), 2)
        tax = round(untaxed * 0.15, 2)
        due = (date.fromisoformat(day) + timedelta(days=30))
        paid = due <= self.as_of
        move = self.add("account.move", name=self.name(*sequence_prefix(move_type, day)), ref=order.get("client_order_ref") or order.get("partner_ref"),
                        date=day, invoice_date=day, invoice_date_due=due.isoformat(), state="posted", move_type=move_type,
                        payment_state="paid" if paid else "not_paid", company_id=1, partner_id=order["partner_id"],
                        commercial_partner_id=order["partner_id"], currency_id=order["currency_id"],
                        amount_untaxed=untaxed, amount_tax=tax, amount_total=round(untaxed + tax, 2),
                        amount_residual=0.0 if paid else round(untaxed + tax, 2), invoice_origin=origin,
                        invoice_user_id=order["user_id"], _currency_rate=rate,
                        create_date=when, write_date=when, create_uid=2, write_uid=2)
        sign = 1 if move_type in ("out_invoice", "in_refund") else -1  # income is a credit on invoices
        for ln, qty in items:
            amount = _line_amount(ln, qty)
            self._aml(move, ln, qty, amount, -sign * amount / rate, "product", purchase)
        self._aml(move, None, 0.0, tax, -sign * tax / rate, "tax", purchase)
        self._aml(move, None, 0.0, untaxed + tax, sign * (untaxed + tax) / rate, "payment_term", purchase)

    def _aml(self, move, line, qty, amount, balance, kind, purchase):
        balance = round(balance, 2)
        self.add("account.move.line", move_id=move["id"], name=line["name"] if line else kind.replace("_", " "),
                 partner_id=move["partner_id"], product_id=line["product_id"] if line else None,
                 product_uom_id=UNITS if line else None, quantity=qty, price_unit=line["price_unit"] if line else 0.0,
                 discount=line.get("discount", 0.0) if line else 0.0, price_subtotal=round(amount, 2) if line else 0.0,
                 price_total=round(amount * 1.15, 2) if line else 0.0, balance=balance, debit=max(balance, 0.0),
                 credit=max(-balance, 0.0), amount_currency=round(balance * (move["_currency_rate"]), 2),
                 currency_id=move["currency_id"], display_type=kind,
                 sale_line_ids=[line["id"]] if line and not purchase else [],
                 purchase_line_id=line["id"] if line and purchase else None,
                 create_date=move["create_date"], write_date=move["write_date"], create_uid=2, write_uid=2)


def _line_amount(line: dict, qty: float) -> float:
    discount = line.get("discount") or 0.0
    return round(qty * line["price_unit"] * (1 - discount / 100), 2)


def _pack(qty: float) -> float:
    """Round a purchase quantity up to the vendor's pack of 5."""
    return float(math.ceil(qty / 5) * 5) if qty > 0 else 0.0


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _geometric(rng: random.Random, p: float) -> int:
    return 1 + int(math.log(1 - rng.random()) / math.log(1 - p))
