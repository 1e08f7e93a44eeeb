"""Master data, imported at go-live before the history starts: the company, its users, currencies
and units; the product catalogue (with its planted defects); the warehouses with their locations
and operation types; the carriers; the vendors and the customers.

Partners are created as an import creates them, without a search mode in the context, so with
both ranks 0 until their first bill or invoice is posted (see invoicing.py).
"""

from __future__ import annotations

import math
from itertools import accumulate

from .parameters import (
    CARRIERS,
    CATEGORY_COST_RATIO,
    CONGESTED_WAREHOUSE,
    COST_RATIO_SPREAD,
    CUSTOMERS,
    DEFECT_RANKS,
    DEFECTIVE_PRODUCTS,
    DELIVERY_ADDRESS_SHARE,
    DISCREPANCY_WAREHOUSE,
    EUR_CUSTOMER_SHARE,
    EUR_RATE,
    FALLBACK_COST_RATIO,
    INACTIVE_CUSTOMER_SHARE,
    INACTIVE_PRODUCT_SHARE,
    LATE_VENDOR_SHARE,
    POPULARITY_EXPONENT,
    POPULARITY_OFFSET,
    PRICE_RANGE,
    PRODUCTS,
    VENDOR_LEAD_DAYS,
    VENDORS,
    WAREHOUSES,
)
from .simulation import Carrier, Customer, Simulation, Warehouse

# Record ids the other steps use, fixed by the order in which the records are created here.
COMPANY_CURRENCY, EUR = 1, 2  # res.currency: USD, the company's, and EUR
UNITS, HOURS = 1, 4  # uom.uom (Dozens and kg are 2 and 3)
CUSTOMERS_LOC, SUPPLIERS_LOC, INVENTORY_LOC = 3, 4, 5  # the stock.location records shared by the warehouses

USERS = [
    ("OdooBot", "__system__", False),
    ("Mitchell Admin", "admin", True),
    ("Sofia Reyes", "sofia", True),
    ("Lars Berg", "lars", True),
    ("Amira Haddad", "amira", True),
    ("Tom Walsh", "tom", True),
    ("Nina Kovac", "nina", True),
]  # name, login, active
SALESPEOPLE = [3, 4, 5, 6, 7]  # res.users ids: the USERS after OdooBot and the administrator
FAMILIES = {
    "Electrical": ["Cables", "Switches", "Lighting", "Fuses"],
    "Plumbing": ["Pipes", "Valves", "Fittings", "Pumps"],
    "Fasteners": ["Screws", "Bolts", "Anchors", "Rivets"],
    "Tools": ["Hand Tools", "Power Tools", "Measuring", "Cutting"],
    "Safety": ["Gloves", "Helmets", "Eyewear", "Signage"],
    "Packaging": ["Boxes", "Tape", "Pallets", "Film"],
}
ADJECTIVES = ["Heavy-Duty", "Compact", "Pro", "Industrial", "Standard", "Premium", "Eco", "Universal", "Marine", "Slim"]
CITIES = [
    "Antwerp",
    "Lyon",
    "Hamburg",
    "Rotterdam",
    "Milan",
    "Porto",
    "Leeds",
    "Gdansk",
    "Dublin",
    "Graz",
    "Aarhus",
    "Valencia",
]
VENDOR_NAMES = (
    ["Atlas", "Borealis", "Cobalt", "Delta", "Evergreen", "Falcon", "Granite", "Harbor"],
    ["Supply", "Industries", "Manufacturing", "Trading", "Components"],
)
CUSTOMER_NAMES = (
    ["Acme", "Blue", "Crown", "Dyna", "Echo", "Forge", "Globe", "Hexa", "Iron", "Jade"],
    ["tech", "build", "works", "mart", "line", "craft"],
)


def create(sim: Simulation) -> None:
    """All the master data, in the order of its random draws."""
    _company(sim)
    _catalogue(sim)
    _locations(sim)
    if not sim.stock_odoo:
        _carriers(sim)
    _partners(sim)


def _company(sim: Simulation) -> None:
    """The company with its currencies, users (the sales team among them), sales teams and units."""
    base = sim.go_live
    sim.add(
        "res.currency",
        name="USD",
        full_name="United States dollar",
        symbol="$",
        rate=1.0,
        rounding=0.01,
        decimal_places=2,
        position="before",
        active=True,
        **base,
    )
    sim.add(
        "res.currency",
        name="EUR",
        full_name="Euro",
        symbol="€",
        rate=EUR_RATE,
        rounding=0.01,
        decimal_places=2,
        position="after",
        active=True,
        **base,
    )
    company_partner = sim.add(
        "res.partner",
        name="Northwind Distribution",
        is_company=True,
        type="contact",
        city="Antwerp",
        country_code="BE",
        email="info@northwind.example",
        active=True,
        vat="BE0477472701",
        customer_rank=0,
        supplier_rank=0,
        tz="UTC",
        lang="en_US",
        **base,
    )
    company_partner["commercial_partner_id"] = company_partner["id"]
    sim.add(
        "res.company",
        name="Northwind Distribution",
        partner_id=company_partner["id"],
        currency_id=COMPANY_CURRENCY,
        parent_id=None,
        vat="BE0477472701",
        active=True,
        sequence=0,
        **base,
    )
    for name, login, active in USERS:
        partner = sim.add(
            "res.partner",
            name=name,
            is_company=False,
            type="contact",
            email=f"{login}@northwind.example",
            active=active,
            customer_rank=0,
            supplier_rank=0,
            company_id=1,
            tz="UTC",
            lang="en_US",
            **base,
        )
        partner["commercial_partner_id"] = partner["id"]
        sim.add(
            "res.users",
            login=login,
            name=name,
            partner_id=partner["id"],
            active=active,
            share=False,
            company_id=1,
            company_ids=[1],
            tz="UTC",
            lang="en_US",
            **base,
        )
    sim.add("crm.team", name="Direct Sales", user_id=3, company_id=1, active=True, sequence=1, **base)
    sim.add("crm.team", name="Key Accounts", user_id=4, company_id=1, active=True, sequence=2, **base)
    for name, factor, kind in [
        ("Units", 1.0, "reference"),
        ("Dozens", 1 / 12, "bigger"),
        ("kg", 1.0, "reference"),
        ("Hours", 1.0, "reference"),
    ]:
        sim.add("uom.uom", name=name, factor=factor, rounding=0.01, uom_type=kind, active=True, **base)


def _locations(sim: Simulation) -> None:
    """The shared locations, then each warehouse with its locations and operation types (the
    delivery in two steps, pick then ship, as distributors set it)."""
    base = sim.go_live

    def loc(**values):
        defaults = dict(
            company_id=None,
            scrap_location=False,
            return_location=False,
            replenish_location=False,
            active=True,
            warehouse_id=None,
            **base,
        )
        return sim.add("stock.location", **{**defaults, **values})

    partners = loc(name="Partners", usage="view", location_id=None)
    virtual = loc(name="Virtual Locations", usage="view", location_id=None)
    assert loc(name="Customers", usage="customer", location_id=partners["id"])["id"] == CUSTOMERS_LOC
    assert loc(name="Vendors", usage="supplier", location_id=partners["id"])["id"] == SUPPLIERS_LOC
    assert loc(name="Inventory adjustment", usage="inventory", location_id=virtual["id"])["id"] == INVENTORY_LOC
    for seq, (name, code, share, two_steps) in enumerate(WAREHOUSES, start=1):
        wid = sim.ids["stock.warehouse"] + 1
        view = loc(name=code, usage="view", location_id=None, company_id=1, warehouse_id=wid)
        stock = loc(
            name="Stock",
            usage="internal",
            location_id=view["id"],
            company_id=1,
            warehouse_id=wid,
            replenish_location=True,
        )
        output = loc(name="Output", usage="internal", location_id=view["id"], company_id=1, warehouse_id=wid)
        # A two-step warehouse receives into Input, then stores into Stock; the others straight into Stock.
        receive_to = (
            loc(name="Input", usage="internal", location_id=view["id"], company_id=1, warehouse_id=wid)
            if two_steps
            else stock
        )
        types = {}
        for key, code_, tname, seq_code, src, dst in [
            ("incoming", "incoming", "Receipts", "IN", SUPPLIERS_LOC, receive_to["id"]),
            ("store", "internal", "Storage", "STOR", receive_to["id"], stock["id"]),
            ("pick", "internal", "Pick", "PICK", stock["id"], output["id"]),
            ("outgoing", "outgoing", "Delivery Orders", "OUT", output["id"], CUSTOMERS_LOC),
            ("internal", "internal", "Internal Transfers", "INT", stock["id"], stock["id"]),
        ]:
            types[key] = sim.add(
                "stock.picking.type",
                name=tname,
                code=code_,
                sequence_code=seq_code,
                warehouse_id=wid,
                default_location_src_id=src,
                default_location_dest_id=dst,
                company_id=1,
                active=True,
                sequence=seq * 10 + len(types),
                **base,
            )
        types["outgoing"]["return_picking_type_id"] = types["incoming"]["id"]
        wh = sim.add(
            "stock.warehouse",
            name=name,
            code=code,
            active=True,
            company_id=1,
            partner_id=1,
            view_location_id=view["id"],
            lot_stock_id=stock["id"],
            reception_steps="two_steps" if two_steps else "one_step",
            delivery_steps="pick_ship",
            in_type_id=types["incoming"]["id"],
            out_type_id=types["outgoing"]["id"],
            pick_type_id=types["pick"]["id"],
            int_type_id=types["internal"]["id"],
            sequence=seq,
            **base,
        )
        sim.warehouses.append(Warehouse(wh["id"], code, stock["id"], output["id"], types, two_steps, share))
    sim.anomalies.congested_warehouse_id = _warehouse_id(sim, CONGESTED_WAREHOUSE)
    sim.anomalies.discrepancy_warehouse_id = _warehouse_id(sim, DISCREPANCY_WAREHOUSE)


def _warehouse_id(sim: Simulation, code: str) -> int:
    return next(w.id for w in sim.warehouses if w.code == code)


def _carriers(sim: Simulation) -> None:
    """The delivery methods (the delivery module's `delivery.carrier`), each with its service product;
    one of them is the disrupted carrier."""
    for seq, (name, code, days, fee) in enumerate(CARRIERS, start=1):
        product = _product_template(
            sim, f"Delivery: {name}", f"SHIP-{code}", "service", sim.delivery_category, 0.0, 0.0, sale_ok=False
        )
        c = sim.add(
            "delivery.carrier",
            name=name,
            active=True,
            sequence=seq,
            delivery_type="fixed",
            integration_level="rate_and_ship",
            product_id=product["id"],
            invoice_policy="estimated",
            fixed_price=fee,
            margin=0.0,
            free_over=False,
            amount=0.0,
            **sim.go_live,
        )
        sim.carriers.append(Carrier(c["id"], code, days, product["id"], fee))
    sim.anomalies.disrupted_carrier_id = sim.carriers[sim.rng.randrange(len(sim.carriers))].id


def _product_template(
    sim: Simulation, name, code, ptype, categ, price, cost, sale_ok=True, active=True, uom=UNITS
) -> dict:
    """A product template and its single variant, which shares its id."""
    values = dict(
        name=name,
        default_code=code,
        detailed_type=ptype,
        type=ptype,
        categ_id=categ,
        list_price=price,
        standard_price=cost,
        uom_id=uom,
        uom_po_id=uom,
        sale_ok=sale_ok,
        purchase_ok=ptype != "service",
        active=active,
        company_id=None,
        weight=0.0,
        volume=0.0,
        tracking="none",
        invoice_policy="order",
        sale_delay=0,
        **sim.go_live,
    )
    template = sim.add("product.template", **values)
    product = sim.add(
        "product.product",
        product_tmpl_id=template["id"],
        default_code=code,
        barcode=None,
        active=active,
        standard_price=cost,
        lst_price=price,
        **sim.go_live,
    )
    assert product["id"] == template["id"]
    return product


def _catalogue(sim: Simulation) -> None:
    """Categories, the services, the goods with their prices, costs and popularity, and the
    planted problems of the catalogue: the eroded category and the master-data defects."""
    rng, base = sim.rng, sim.go_live
    root = sim.add("product.category", name="All", parent_id=None, parent_path="1/", **base)
    saleable = sim.add("product.category", name="Saleable", parent_id=root["id"], parent_path="1/2/", **base)
    leaves = []
    for family, subs in FAMILIES.items():
        fam = sim.add(
            "product.category",
            name=family,
            parent_id=saleable["id"],
            parent_path=f"1/2/{sim.ids['product.category']}/",
            **base,
        )
        for sub in subs:
            leaf = sim.add("product.category", name=sub, parent_id=fam["id"], **base)
            leaf["parent_path"] = f"{fam['parent_path']}{leaf['id']}/"
            leaves.append(leaf["id"])
    services = sim.add("product.category", name="Services", parent_id=root["id"], **base)
    services["parent_path"] = f"1/{services['id']}/"
    deliveries = sim.add("product.category", name="Deliveries", parent_id=root["id"], **base)
    deliveries["parent_path"] = f"1/{deliveries['id']}/"
    sim.delivery_category = deliveries["id"]
    sim.anomalies.eroded_category_id = leaves[rng.randrange(len(leaves))]

    sim.services = [
        _product_template(
            sim, "Installation & Commissioning", "SRV-INSTALL", "service", services["id"], 85.0, 40.0, uom=HOURS
        )["id"],
        _product_template(sim, "On-site Training", "SRV-TRAIN", "service", services["id"], 120.0, 60.0, uom=HOURS)[
            "id"
        ],
    ]
    # Each category has its own typical cost ratio, so its margin is stable from week to week.
    cost_ratio = {leaf: rng.uniform(*CATEGORY_COST_RATIO) for leaf in leaves}
    low_price, high_price = PRICE_RANGE
    for i in range(sim.n(PRODUCTS)):
        categ = leaves[rng.randrange(len(leaves))]
        family = sim.tables["product.category"][categ - 1]["name"]
        price = round(math.exp(rng.uniform(math.log(low_price), math.log(high_price))), 2)
        cost = round(price * (cost_ratio[categ] + rng.uniform(-COST_RATIO_SPREAD, COST_RATIO_SPREAD)), 2)
        active = rng.random() > INACTIVE_PRODUCT_SHARE
        p = _product_template(
            sim,
            f"{rng.choice(ADJECTIVES)} {family} {rng.randint(10, 999)}",
            f"P{i + 1:05d}",
            "product",
            categ,
            price,
            cost,
            active=active,
        )
        sim.goods.append(p["id"])
        sim.cost[p["id"]], sim.price[p["id"]], sim.categ[p["id"]] = cost, price, categ
    # Popularity: a few products sell a lot (Zipf-like), the long tail rarely.
    weights = [1 / (rank + POPULARITY_OFFSET) ** POPULARITY_EXPONENT for rank in range(len(sim.goods))]
    order = sim.goods[:]
    rng.shuffle(order)
    sim.popular = order
    sim.popular_cum = list(accumulate(weights))
    # Master-data defects on products that sell regularly, kept out of the eroded category so
    # that each problem stays readable on its own.
    first, last = DEFECT_RANKS
    candidates = [p for p in sim.popular[first:last] if sim.categ[p] != sim.anomalies.eroded_category_id]
    picked = rng.sample(candidates, 2 * DEFECTIVE_PRODUCTS)
    sim.anomalies.zero_cost_products = sorted(picked[:DEFECTIVE_PRODUCTS])
    sim.anomalies.no_vendor_products = sorted(picked[DEFECTIVE_PRODUCTS:])
    # The uncategorised products all come from one category (one import batch gone wrong), so the
    # root category's margin is as stable as any other's.
    batch = max(leaves, key=lambda leaf: sum(1 for p in candidates if sim.categ[p] == leaf and p not in picked))
    sim.anomalies.missing_category_products = sorted(
        rng.sample([p for p in candidates if sim.categ[p] == batch and p not in picked], DEFECTIVE_PRODUCTS)
    )
    products = {r["id"]: r for r in sim.tables["product.product"]}
    templates = {r["id"]: r for r in sim.tables["product.template"]}
    for p in sim.anomalies.zero_cost_products:
        templates[p]["standard_price"] = products[p]["standard_price"] = 0.0
        sim.cost[p] = 0.0
    for p in sim.anomalies.missing_category_products:
        templates[p]["categ_id"] = root["id"]
        sim.categ[p] = root["id"]


def buy_price(sim: Simulation, p: int) -> float:
    """What the vendor charges for a good: its cost, or for a zero-cost product a share of its list price."""
    return sim.cost[p] if sim.cost[p] else round(sim.price[p] * FALLBACK_COST_RATIO, 2)


def _partners(sim: Simulation) -> None:
    """The vendors (one of them chronically late) with the products each supplies, and the
    customers, each served by one warehouse."""
    rng, base = sim.rng, sim.go_live
    for i in range(sim.n(VENDORS)):
        s = sim.add(
            "res.partner",
            name=f"{rng.choice(VENDOR_NAMES[0])} {rng.choice(VENDOR_NAMES[1])} {i + 1}",
            ref=f"V{i + 1:04d}",
            is_company=True,
            type="contact",
            city=rng.choice(CITIES),
            active=True,
            email=f"orders@vendor{i + 1}.example",
            customer_rank=0,
            supplier_rank=0,
            company_id=None,
            tz="UTC",
            lang="en_US",
            **base,
        )
        s["commercial_partner_id"] = s["id"]
        sim.suppliers.append(s["id"])
    sim.anomalies.late_supplier_id = sim.suppliers[rng.randrange(len(sim.suppliers))]
    for p in sim.goods:
        if p in sim.anomalies.no_vendor_products:
            continue
        # The chronically late vendor is a big one: it supplies about 8% of the range.
        late = rng.random() < LATE_VENDOR_SHARE
        supplier = sim.anomalies.late_supplier_id if late else sim.suppliers[rng.randrange(len(sim.suppliers))]
        sim.vendor[p], sim.lead[p] = supplier, rng.randint(*VENDOR_LEAD_DAYS)
        sim.add(
            "product.supplierinfo",
            partner_id=supplier,
            product_tmpl_id=p,
            product_id=None,
            price=buy_price(sim, p),
            delay=sim.lead[p],
            min_qty=1.0,
            currency_id=COMPANY_CURRENCY,
            company_id=1,
            sequence=1,
            **base,
        )
    for i in range(sim.n(CUSTOMERS)):
        home = rng.choices(sim.warehouses, weights=[w.share for w in sim.warehouses])[0]
        c = sim.add(
            "res.partner",
            name=f"{rng.choice(CUSTOMER_NAMES[0])}{rng.choice(CUSTOMER_NAMES[1])} {i + 1}",
            ref=f"C{i + 1:05d}",
            is_company=True,
            type="contact",
            city=rng.choice(CITIES),
            active=rng.random() > INACTIVE_CUSTOMER_SHARE,
            email=f"purchasing@customer{i + 1}.example",
            customer_rank=0,
            supplier_rank=0,
            company_id=None,
            user_id=rng.choice(SALESPEOPLE),
            tz="UTC",
            lang="en_US",
            **base,
        )
        c["commercial_partner_id"] = c["id"]
        sim.customers.append(Customer(c["id"], home, c["user_id"], rng.random() < EUR_CUSTOMER_SHARE))
        if rng.random() < DELIVERY_ADDRESS_SHARE:  # a separate delivery address
            d = sim.add(
                "res.partner",
                name="Receiving Dock",
                parent_id=c["id"],
                commercial_partner_id=c["id"],
                is_company=False,
                type="delivery",
                city=c["city"],
                active=True,
                customer_rank=0,
                supplier_rank=0,
                company_id=None,
                tz="UTC",
                lang="en_US",
                **base,
            )
            c["_delivery_address"] = d["id"]
