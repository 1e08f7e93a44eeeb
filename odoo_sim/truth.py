"""Ground truth: what the generator knows, and the headline KPIs computed from its records.

The KPIs follow `docs/kpis.md` with `reporting_tz = UTC`, computed in plain
Python from the generated records (not from the demo server's computed
fields and not with SQL), so that the warehouse's dbt models can be checked
against an independent figure. The truth is never served by the Odoo API.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date, datetime, timedelta

from .generator import World

AGE_BUCKETS = ((30, "0-30"), (60, "31-60"), (90, "61-90"), (180, "91-180"))


def ground_truth(world: World) -> dict:
    t = _Tables(world)
    late = {lid: world.late_causes.get(lid) for lid in t.late_lines()}
    return {
        "params": {"seed": world.seed, "scale": world.scale, "as_of": world.as_of.isoformat(), "reporting_tz": "UTC"},
        "counts": {model: len(rows) for model, rows in sorted(world.tables.items())}
        | {"carrier.shipments": len(world.shipments)},
        "anomalies": asdict(world.anomalies),
        "late_lines": {str(k): v for k, v in sorted(late.items())},
        "kpis": {
            "service_level": t.service_level(),
            "backlog": t.backlog(),
            "sales": t.sales(),
            "margin_erosion": t.margin_erosion(),
            "supplier": t.suppliers(),
            "overdue_po_lines": t.overdue_po_lines(),
            "inventory": t.inventory(),
            "stock_aging": t.stock_aging(),
            "throughput": t.throughput(),
            "inventory_adjustments": t.adjustments(),
            "invoiced_revenue": t.invoiced_revenue(),
            "carrier_on_time": t.carriers(world.shipments),
        },
    }


def _d(ts: str) -> date:
    return date.fromisoformat(ts[:10])


def _r(x: float, n: int = 6) -> float:
    return round(x, n)


class _Tables:
    def __init__(self, world: World):
        self.as_of = world.as_of
        tb = world.tables
        self.by_id = {m: {r["id"]: r for r in rows} for m, rows in tb.items()}
        self.tb = tb
        self.usage = {loc["id"]: loc["usage"] for loc in tb["stock.location"]}
        self.loc_wh = {loc["id"]: loc.get("warehouse_id") for loc in tb["stock.location"]}
        self.type_of = {
            p["id"]: self.by_id["product.template"][p["product_tmpl_id"]]["type"] for p in tb["product.product"]
        }
        self.categ = {
            p["id"]: self.by_id["product.template"][p["product_tmpl_id"]]["categ_id"] for p in tb["product.product"]
        }
        self.cost = {p["id"]: p["standard_price"] for p in tb["product.product"]}
        self.ptype = {pt["id"]: pt for pt in tb["stock.picking.type"]}
        self.moves_by_sol = defaultdict(list)
        self.moves_by_pol = defaultdict(list)
        self.moves_by_picking = defaultdict(list)
        for m in tb["stock.move"]:
            if m.get("sale_line_id"):
                self.moves_by_sol[m["sale_line_id"]].append(m)
            if m.get("purchase_line_id"):
                self.moves_by_pol[m["purchase_line_id"]].append(m)
            if m.get("picking_id"):
                self.moves_by_picking[m["picking_id"]].append(m)

    # --- sales and service level --------------------------------------------
    def order(self, line):
        return self.by_id["sale.order"][line["order_id"]]

    def confirmed_lines(self):
        for line in self.tb["sale.order.line"]:
            if self.order(line)["state"] in ("sale", "done") and not line.get("display_type"):
                yield line

    def fulfilment_lines(self):
        for line in self.confirmed_lines():
            if not line.get("is_delivery") and self.type_of.get(line["product_id"]) != "service":
                yield line

    def promised(self, line) -> date:
        order = self.order(line)
        if order.get("commitment_date"):
            return _d(order["commitment_date"])
        moment = datetime.strptime(order["date_order"], "%Y-%m-%d %H:%M:%S") + timedelta(days=line["customer_lead"])
        return moment.date()

    def delivered_by(self, line, day: date) -> float:
        qty = 0.0
        for m in self.moves_by_sol[line["id"]]:
            if m["state"] != "done" or _d(m["date"]) > day:
                continue
            if self.usage[m["location_dest_id"]] == "customer":
                qty += m["quantity"]
            elif self.usage[m["location_id"]] == "customer":
                qty -= m["quantity"]
        return qty

    def due_lines(self):
        for line in self.fulfilment_lines():
            promised = self.promised(line)
            if promised <= self.as_of:
                yield line, promised, self.delivered_by(line, promised)

    def late_lines(self) -> list[int]:
        return sorted(line["id"] for line, _, by in self.due_lines() if by < line["product_uom_qty"])

    def service_level(self) -> dict:
        agg = defaultdict(lambda: [0, 0, 0.0, 0.0])  # due, otif, min(delivered, ordered), ordered
        for line, promised, by in self.due_lines():
            wh = self.order(line)["warehouse_id"]
            for key in (("all",), (wh,), (promised.isoformat(), wh)):
                a = agg[key]
                a[0] += 1
                a[1] += by >= line["product_uom_qty"]
                a[2] += min(max(by, 0.0), line["product_uom_qty"])
                a[3] += line["product_uom_qty"]

        def out(a):
            return {
                "due_lines": a[0],
                "otif_lines": a[1],
                "otif_rate": _r(a[1] / a[0]) if a[0] else None,
                "unit_fill_rate": _r(a[2] / a[3]) if a[3] else None,
            }

        return {
            "total": out(agg[("all",)]),
            "by_warehouse": {
                str(k[0]): out(v)
                for k, v in sorted(agg.items(), key=lambda kv: str(kv[0]))
                if len(k) == 1 and k != ("all",)
            },
            "daily": [
                {"promised_date": k[0], "warehouse_id": k[1], **out(v)}
                for k, v in sorted(agg.items(), key=lambda kv: str(kv[0]))
                if len(k) == 2
            ],
        }

    def backlog(self) -> dict:
        agg = defaultdict(lambda: {"lines": 0, "open_qty": 0.0, "open_value": 0.0})
        for line in self.fulfilment_lines():
            promised = self.promised(line)
            if promised >= self.as_of:
                continue
            open_qty = line["product_uom_qty"] - self.delivered_by(line, self.as_of)
            if open_qty <= 0:
                continue
            order = self.order(line)
            unit_net = self.company_amount(order, line["price_unit"] * (1 - (line.get("discount") or 0.0) / 100))
            for key in ("all", str(order["warehouse_id"])):
                a = agg[key]
                a["lines"] += 1
                a["open_qty"] += open_qty
                a["open_value"] += open_qty * unit_net
        return {k: {kk: _r(vv, 2) for kk, vv in v.items()} for k, v in sorted(agg.items())}

    def company_amount(self, order, amount: float) -> float:
        return amount / order["currency_rate"] if order["currency_id"] != 1 else amount

    def subtotal(self, line) -> float:
        return round(line["product_uom_qty"] * line["price_unit"] * (1 - (line.get("discount") or 0.0) / 100), 2)

    def sales(self) -> dict:
        agg = defaultdict(lambda: {"orders": set(), "order_lines": 0, "net_sales": 0.0, "cost": 0.0})
        for line in self.confirmed_lines():
            order = self.order(line)
            revenue = self.company_amount(order, self.subtotal(line))
            cost = self.company_amount(order, line["product_uom_qty"] * (line.get("purchase_price") or 0.0))
            for key in ("all", str(order["warehouse_id"])):
                a = agg[key]
                a["orders"].add(order["id"])
                a["order_lines"] += 1
                a["net_sales"] += revenue
                a["cost"] += cost
        return {
            k: {
                "orders": len(v["orders"]),
                "order_lines": v["order_lines"],
                "net_sales": _r(v["net_sales"], 2),
                "margin": _r(v["net_sales"] - v["cost"], 2),
                "margin_pct": _r((v["net_sales"] - v["cost"]) / v["net_sales"]) if v["net_sales"] else None,
            }
            for k, v in sorted(agg.items())
        }

    def margin_erosion(self, threshold_pts: float = 5.0) -> dict:
        last7 = (self.as_of - timedelta(days=6), self.as_of)
        prior28 = (self.as_of - timedelta(days=34), self.as_of - timedelta(days=7))
        agg = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])  # revenue, cost last 7; revenue, cost prior 28
        for line in self.confirmed_lines():
            order = self.order(line)
            day = _d(order["date_order"])
            slot = 0 if last7[0] <= day <= last7[1] else 2 if prior28[0] <= day <= prior28[1] else None
            if slot is None:
                continue
            a = agg[self.categ[line["product_id"]]]
            a[slot] += self.company_amount(order, self.subtotal(line))
            a[slot + 1] += self.company_amount(order, line["product_uom_qty"] * (line.get("purchase_price") or 0.0))
        out = {}
        for categ, (r7, c7, r28, c28) in sorted(agg.items()):
            m7 = 100 * (r7 - c7) / r7 if r7 else None
            m28 = 100 * (r28 - c28) / r28 if r28 else None
            drop = m28 - m7 if m7 is not None and m28 is not None else None
            out[str(categ)] = {
                "margin_pct_last_7d": _r(m7, 4) if m7 is not None else None,
                "margin_pct_prior_28d": _r(m28, 4) if m28 is not None else None,
                "drop_pts": _r(drop, 4) if drop is not None else None,
                "flagged": drop is not None and drop >= threshold_pts,
            }
        return out

    # --- purchasing ----------------------------------------------------------
    def po_lines(self):
        for line in self.tb["purchase.order.line"]:
            order = self.by_id["purchase.order"][line["order_id"]]
            if (
                order["state"] in ("purchase", "done")
                and not line.get("display_type")
                and self.type_of[line["product_id"]] != "service"
            ):
                yield line, order

    def received(self, line) -> float:
        qty = 0.0
        for m in self.moves_by_pol[line["id"]]:
            if m["state"] == "done":
                qty += (
                    m["quantity"]
                    if self.usage[m["location_id"]] == "supplier"
                    else -m["quantity"]
                    if self.usage[m["location_dest_id"]] == "supplier"
                    else 0.0
                )
        return qty

    def suppliers(self) -> dict:
        """Supplier fill rate (KPI 14) and Odoo's on-time rate (KPI 15) per supplier: every partner with
        confirmed purchase lines, whatever its supplier_rank (which counts posted bills, and stays 0
        for a vendor billed outside Odoo)."""
        fill = defaultdict(lambda: [0.0, 0.0])
        ontime = defaultdict(lambda: [0.0, 0.0])
        since = self.as_of - timedelta(days=365)
        for line, order in self.po_lines():
            supplier = order["partner_id"]
            received = self.received(line)
            if _d(line["date_planned"]) <= self.as_of:
                fill[supplier][0] += min(received, line["product_qty"])
                fill[supplier][1] += line["product_qty"]
            if order["date_order"] > since.strftime("%Y-%m-%d 00:00:00") and received != 0:
                ontime[supplier][1] += line["product_qty"]
                ontime[supplier][0] += sum(
                    m["quantity"]
                    for m in self.moves_by_pol[line["id"]]
                    if m["state"] == "done" and m["date"][:10] <= line["date_planned"][:10]
                )
        suppliers = {order["partner_id"] for _, order in self.po_lines()}
        out = {}
        for partner in self.tb["res.partner"]:
            if partner["id"] in suppliers:
                f, o = fill.get(partner["id"]), ontime.get(partner["id"])
                out[str(partner["id"])] = {
                    "name": partner["name"],
                    "fill_rate": _r(f[0] / f[1]) if f and f[1] else None,
                    "odoo_on_time_rate": _r(100 * o[0] / o[1]) if o and o[1] else -1.0,
                }
        return out

    def overdue_po_lines(self) -> dict:
        agg = defaultdict(lambda: {"lines": 0, "open_qty": 0.0, "open_value": 0.0})
        for line, order in self.po_lines():
            if _d(line["date_planned"]) >= self.as_of:
                continue
            open_qty = line["product_qty"] - self.received(line)
            if open_qty <= 0:
                continue
            for key in ("all", str(order["partner_id"])):
                a = agg[key]
                a["lines"] += 1
                a["open_qty"] += open_qty
                a["open_value"] += open_qty * line["price_unit"] * (1 - (line.get("discount") or 0.0) / 100)
        return {k: {kk: _r(vv, 2) for kk, vv in v.items()} for k, v in sorted(agg.items())}

    # --- stock ---------------------------------------------------------------
    def on_hand_quants(self):
        for q in self.tb["stock.quant"]:
            if self.usage[q["location_id"]] == "internal":
                yield q, self.loc_wh[q["location_id"]]

    def inventory(self) -> dict:
        agg = defaultdict(lambda: {"on_hand_qty": 0.0, "on_hand_value": 0.0})
        for q, wh in self.on_hand_quants():
            a = agg[str(wh)]
            a["on_hand_qty"] += q["quantity"]
            a["on_hand_value"] += q["quantity"] * self.cost[q["product_id"]]
        return {k: {kk: _r(vv, 2) for kk, vv in v.items()} for k, v in sorted(agg.items())}

    def stock_aging(self) -> dict:
        agg = defaultdict(lambda: {"qty": 0.0, "value": 0.0})
        for q, wh in self.on_hand_quants():
            age = (self.as_of - _d(q["in_date"])).days
            bucket = next((name for limit, name in AGE_BUCKETS if age <= limit), "181+")
            a = agg[f"{wh}|{bucket}"]
            a["qty"] += q["quantity"]
            a["value"] += q["quantity"] * self.cost[q["product_id"]]
        return {k: {kk: _r(vv, 2) for kk, vv in v.items()} for k, v in sorted(agg.items())}

    def throughput(self) -> dict:
        agg = defaultdict(lambda: {"pickings": 0, "moves": 0, "units": 0.0})
        for p in self.tb["stock.picking"]:
            if p["state"] != "done":
                continue
            ptype = self.ptype[p["picking_type_id"]]
            a = agg[f"{ptype['warehouse_id']}|{ptype['code']}"]
            a["pickings"] += 1
            for m in self.moves_by_picking[p["id"]]:
                if m["state"] == "done":
                    a["moves"] += 1
                    a["units"] += m["quantity"]
        return dict(sorted(agg.items()))

    def adjustments(self, threshold: float = 500.0) -> dict:
        flagged = defaultdict(list)
        for m in self.tb["stock.move"]:
            if m["state"] != "done" or not m.get("is_inventory"):
                continue
            into = self.usage[m["location_dest_id"]] == "internal"
            location = m["location_dest_id"] if into else m["location_id"]
            value = (m["quantity"] if into else -m["quantity"]) * self.cost[m["product_id"]]
            if abs(value) >= threshold:
                flagged[str(self.loc_wh[location])].append(m["id"])
        return {"threshold": threshold, "flagged_move_ids_by_warehouse": dict(sorted(flagged.items()))}

    def invoiced_revenue(self) -> float:
        total = 0.0
        for inv in self.tb["account.move"]:
            if inv["state"] == "posted" and inv["move_type"] in ("out_invoice", "out_refund"):
                sign = 1 if inv["move_type"] == "out_invoice" else -1
                total += sign * inv["amount_untaxed"] / (inv.get("_currency_rate") or 1.0)
        return _r(total, 2)

    def carriers(self, shipments: list[dict]) -> dict:
        agg = defaultdict(lambda: {"shipments": 0, "on_time_shipments": 0})
        for s in shipments:
            if not s["delivered_at"]:
                continue
            shipped = date.fromisoformat(s["shipped_at"][:10])
            on_time = date.fromisoformat(s["delivered_at"][:10]) <= shipped + timedelta(days=s["service_level_days"])
            a = agg[s["carrier_code"]]
            a["shipments"] += 1
            a["on_time_shipments"] += on_time
        return {k: {**v, "on_time_rate": _r(v["on_time_shipments"] / v["shipments"])} for k, v in sorted(agg.items())}
