"""Sales: the customers' demand, and each day's sale orders with their lines and their delivery.

Demand is planned once, from the products' popularity and the warehouses' shares (purchasing
replenishes against it); each day draws its orders around that mean. A confirmed order's delivery
is scheduled for the promised day (the customer lead after the order, or the date the customer
asked for) and prepared that day or the day before; deliveries.py serves it from free stock.
"""

from __future__ import annotations

from bisect import bisect
from datetime import datetime, timedelta

from . import stock
from .distributions import geometric
from .master_data import COMPANY_CURRENCY, EUR, HOURS, UNITS
from .parameters import (
    CANCEL_AFTER_DAYS,
    CARRIER_WEIGHTS,
    COMMITMENT_EXTRA_DAYS,
    COMMITMENT_SHARE,
    CUSTOMER_REF_SHARE,
    DAYS,
    DELIVERY_FEE_SHARE,
    DIRECT_SALES_SHARE,
    EARLY_PICK_SHARE,
    EROSION_DISCOUNTS,
    EUR_RATE,
    GOODS_PER_ORDER,
    LAST_DAY,
    LINE_DISCOUNTS,
    MAX_GOODS_LINES,
    ORDER_STATES,
    PRICE_FACTOR,
    PROMISE_DAYS,
    QTY_CHOICES,
    QUOTATION_VALIDITY_DAYS,
    SALE_ORDERS,
    SECTION_SHARE,
    SERVICE_HOURS,
    SERVICE_SHARE,
    WEEKDAY_ORDERS,
    WEEKEND_ORDERS,
)
from .simulation import Carrier, Customer, Simulation, Warehouse, timestamp


def plan_demand(sim: Simulation) -> None:
    """The expected daily demand, in units, of each good at each warehouse."""
    units_per_line = sum(QTY_CHOICES) / len(QTY_CHOICES)
    total_weight = sim.popular_cum[-1]
    for rank, p in enumerate(sim.popular):
        w = (sim.popular_cum[rank] - (sim.popular_cum[rank - 1] if rank else 0)) / total_weight
        for wh in sim.warehouses:
            sim.rate[(p, wh.id)] = _orders_per_day(sim) * GOODS_PER_ORDER * units_per_line * w * wh.share


def expected_orders(sim: Simulation, i: int) -> float:
    """The mean number of orders on day i: more on weekdays, a few at weekends."""
    return _orders_per_day(sim) * (WEEKDAY_ORDERS if sim.day(i).weekday() < 5 else WEEKEND_ORDERS)


def _orders_per_day(sim: Simulation) -> float:
    return SALE_ORDERS * sim.scale / DAYS


def sale_order(sim: Simulation, i: int) -> None:
    """An order of day i from a random customer: a quotation (draft or sent), a cancelled order, or
    a confirmed one whose delivery is scheduled."""
    customer = sim.customers[sim.rng.randrange(len(sim.customers))]
    order, lead, carrier = _order(sim, i, customer)
    order["_lines"] = _lines(sim, i, order, lead, carrier)
    if order["state"] in ("draft", "sent"):
        return
    _delivery(sim, i, order, lead, customer.warehouse, carrier)


def _order(sim: Simulation, i: int, customer: Customer) -> tuple[dict, int, Carrier | None]:
    """The order record, its customer lead in days and its carrier (None: the customer collects)."""
    rng = sim.rng
    cid, salesperson = customer.id, customer.salesperson
    partner = sim.tables["res.partner"][cid - 1]
    when = sim.stamp(i)
    roll = rng.random()
    state = next((s for s, bound in ORDER_STATES if roll < bound), "sale")
    lead = rng.choice(PROMISE_DAYS)
    commitment = (
        timestamp(sim.day(i + lead + rng.randint(*COMMITMENT_EXTRA_DAYS)), 12)
        if rng.random() < COMMITMENT_SHARE
        else None
    )
    currency, rate = (EUR, EUR_RATE) if customer.in_eur else (COMPANY_CURRENCY, 1.0)
    carrier = rng.choices(sim.carriers + [None], weights=CARRIER_WEIGHTS)[0] if sim.carriers else None
    order = sim.add(
        "sale.order",
        name=sim.name("S"),
        state=state,
        locked=False,
        date_order=when,
        commitment_date=commitment,
        validity_date=(sim.day(i) + timedelta(days=QUOTATION_VALIDITY_DAYS)).isoformat(),
        origin=None,
        client_order_ref=f"PO-{rng.randint(1000, 99999)}" if rng.random() < CUSTOMER_REF_SHARE else None,
        partner_id=cid,
        partner_invoice_id=cid,
        partner_shipping_id=partner.get("_delivery_address", cid),
        user_id=salesperson,
        team_id=1 if rng.random() < DIRECT_SALES_SHARE else 2,
        company_id=1,
        currency_id=currency,
        currency_rate=rate,
        invoice_status="no",
        warehouse_id=customer.warehouse.id,
        picking_policy="direct",
        carrier_id=carrier.id if carrier else None,
        create_date=when,
        write_date=when,
        create_uid=salesperson,
        write_uid=salesperson,
    )
    return order, lead, carrier


def _lines(sim: Simulation, i: int, order: dict, lead: int, carrier: Carrier | None) -> list[dict]:
    """The order's lines: maybe a section, a few goods (the popular ones more often; heavily
    discounted in the eroded category's last days), maybe a service, maybe the carrier's fee."""
    rng, rate, when, salesperson = sim.rng, order["currency_rate"], order["date_order"], order["user_id"]
    lines = []

    def line(**values):
        defaults = dict(
            order_id=order["id"],
            sequence=10 * (len(lines) + 1),
            display_type=False,
            product_uom=UNITS,
            discount=0.0,
            customer_lead=float(lead),
            is_downpayment=False,
            is_delivery=False,
            qty_invoiced=0.0,
            create_date=when,
            write_date=when,
            create_uid=salesperson,
            write_uid=salesperson,
        )
        lines.append(sim.add("sale.order.line", **{**defaults, **values}))

    if rng.random() < SECTION_SHARE:
        line(
            display_type="line_section",
            name="Main items",
            product_id=None,
            product_template_id=None,
            product_uom_qty=0.0,
            product_uom=None,
            price_unit=0.0,
            purchase_price=0.0,
        )
    eroded = i >= LAST_DAY - sim.anomalies.erosion_days + 1
    chosen = set()
    for _ in range(min(geometric(rng, 1 / GOODS_PER_ORDER), MAX_GOODS_LINES)):
        p = sim.popular[bisect(sim.popular_cum, rng.random() * sim.popular_cum[-1])]
        if p in chosen:
            continue
        chosen.add(p)
        discount = rng.choice(LINE_DISCOUNTS)
        if eroded and sim.categ[p] == sim.anomalies.eroded_category_id:
            discount = rng.choice(EROSION_DISCOUNTS)
        qty = float(rng.choice(QTY_CHOICES))
        line(
            product_id=p,
            product_template_id=p,
            name=sim.product_name(p),
            product_uom_qty=qty,
            price_unit=round(sim.price[p] * rng.uniform(*PRICE_FACTOR) * rate, 2),
            discount=discount,
            purchase_price=round(sim.cost[p] * rate, 2),
        )
    if rng.random() < SERVICE_SHARE:
        s = rng.choice(sim.services)
        template = sim.tables["product.template"][s - 1]
        line(
            product_id=s,
            product_template_id=s,
            name=sim.product_name(s),
            product_uom_qty=float(rng.randint(*SERVICE_HOURS)),
            product_uom=HOURS,
            price_unit=round(template["list_price"] * rate, 2),
            purchase_price=round(template["standard_price"] * rate, 2),
        )
    if carrier and rng.random() < DELIVERY_FEE_SHARE:
        line(
            product_id=carrier.product,
            product_template_id=carrier.product,
            name=f"Delivery: {carrier.code}",
            product_uom_qty=1.0,
            price_unit=round(carrier.fee * rate, 2),
            purchase_price=0.0,
            is_delivery=True,
        )
    return lines


def _delivery(sim: Simulation, i: int, order: dict, lead: int, wh: Warehouse, carrier: Carrier | None) -> None:
    """The delivery of the order's goods, promised for the commitment date or `lead` days after the
    order. A cancelled order's delivery is cancelled within a day; a confirmed order's goods are
    demanded from the warehouse, and the delivery is prepared on its promised day or the day before."""
    rng = sim.rng
    when, commitment = order["date_order"], order["commitment_date"]
    if commitment is None:
        promised_day = i + lead
        scheduled = (datetime.strptime(when, "%Y-%m-%d %H:%M:%S") + timedelta(days=lead)).strftime("%Y-%m-%d %H:%M:%S")
    else:
        promised_day = (datetime.strptime(commitment[:10], "%Y-%m-%d").date() - sim.start).days
        scheduled = commitment
    goods = [ln for ln in order["_lines"] if ln["product_id"] in sim.cost and not ln["display_type"]]
    if not goods:
        return
    picking = stock.picking(
        sim,
        wh,
        "outgoing",
        when,
        scheduled,
        partner=order["partner_shipping_id"],
        origin=order["name"],
        sale_id=order["id"],
        carrier=carrier,
    )
    picking["_promised_day"] = promised_day
    for ln in goods:
        stock.move(sim, picking, ln["product_id"], ln["product_uom_qty"], sale_line_id=ln["id"])
        ln["_promised_day"] = promised_day
    if order["state"] == "cancel":
        cancel_at = sim.stamp(min(i + rng.randint(*CANCEL_AFTER_DAYS), LAST_DAY))
        order["write_date"] = cancel_at
        stock.cancel(sim, picking, cancel_at)
        return
    for ln in goods:
        sim.pending[(ln["product_id"], wh.id)] += ln["product_uom_qty"]
    early = rng.random() < EARLY_PICK_SHARE and promised_day - 1 > i
    process_day = promised_day - 1 if early else promised_day
    if process_day <= LAST_DAY:
        sim.to_process[max(process_day, i)].append(picking)
