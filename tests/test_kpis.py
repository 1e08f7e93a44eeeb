"""The KPI layer end to end: `reporting run` (ingest, then dbt build with its tests and unit tests)
against a demo server, on DuckDB and on PostgreSQL; marts compared with the generator's ground truth
(`odoo-sim truth`, computed in Python from the generated records) and between the two warehouses."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import duckdb
import psycopg2
import pytest
from conftest import AS_OF, Server, cli_env, reporting

SCALE = "0.2"
MARTS = ["fct_order_line_fulfilment", "kpi_service_level_daily", "kpi_sales_daily", "kpi_inventory_position",
         "kpi_stock_aging", "kpi_supplier_performance", "fct_overdue_po_lines", "kpi_warehouse_throughput_daily",
         "fct_inventory_adjustments", "kpi_margin_erosion", "kpi_carrier_performance", "kpi_invoiced_revenue_daily",
         "kpi_backorders", "kpi_late_pickings", "kpi_shipped_late_daily"]


@pytest.fixture(scope="module")
def srv():
    server = Server(scale=SCALE)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def truth(tmp_path_factory):
    out = tmp_path_factory.mktemp("truth") / "truth.json"
    subprocess.run([sys.executable, "-m", "odoo_sim.cli", "truth", "--scale", SCALE, "--seed", "42",
                    "--as-of", AS_OF, "--out", str(out)], check=True, capture_output=True)
    return json.loads(out.read_text())["kpis"]


@pytest.fixture(scope="module")
def duck(srv, tmp_path_factory):
    env = cli_env(srv, tmp_path_factory.mktemp("duckdb"))
    done = reporting(env, "run", "--as-of", AS_OF)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    con = duckdb.connect(env["REPORTING_DUCKDB_PATH"], read_only=True)
    yield lambda sql: con.execute(sql).fetchall()
    con.close()


def test_service_level_equals_the_ground_truth(duck, truth):
    total = truth["service_level"]["total"]
    assert duck("select sum(due_lines), sum(otif_lines) from marts.kpi_service_level_daily")[0] == \
        (total["due_lines"], total["otif_lines"])
    fill = duck("select sum(least(greatest(delivered_qty_by_promise, 0), ordered_qty)) / sum(ordered_qty) "
                "from marts.fct_order_line_fulfilment where is_due")[0][0]
    assert fill == pytest.approx(total["unit_fill_rate"], abs=1e-6)
    daily = {(r["promised_date"], r["warehouse_id"]): (r["due_lines"], r["otif_lines"]) for r in truth["service_level"]["daily"]}
    mart = {(d.isoformat(), w): (due, ok) for d, w, due, ok in
            duck("select promised_date, warehouse_id, due_lines, otif_lines from marts.kpi_service_level_daily")}
    assert mart == daily
    backlog = truth["backlog"]["all"]
    assert duck("select count(*), sum(open_qty) from marts.fct_order_line_fulfilment where days_late is not null")[0] \
        == (backlog["lines"], backlog["open_qty"])


def test_purchasing_kpis_equal_the_ground_truth_and_odoos_own_on_time_rate(duck, truth, srv):
    overdue = truth["overdue_po_lines"]["all"]
    lines, open_qty, open_value = duck("select count(*), sum(open_qty), sum(open_value) from marts.fct_overdue_po_lines")[0]
    assert (lines, open_qty) == (overdue["lines"], overdue["open_qty"])
    assert open_value == pytest.approx(overdue["open_value"], abs=0.01)
    mart = {s: (fill, rate) for s, fill, rate in
            duck("select supplier_id, fill_rate, odoo_on_time_rate from marts.kpi_supplier_performance")}
    assert set(mart) == {int(s) for s in truth["supplier"]}
    for supplier, expected in truth["supplier"].items():
        fill, rate = mart[int(supplier)]
        assert (fill is None) == (expected["fill_rate"] is None)
        if fill is not None:
            assert fill == pytest.approx(expected["fill_rate"], abs=1e-6)
        assert rate == pytest.approx(expected["odoo_on_time_rate"], abs=1e-4)
    odoo = srv.client()  # the demo server computes on_time_rate as purchase_stock does, for its as_of
    shown = {r["id"]: r["on_time_rate"] for r in odoo.env["res.partner"].search_read(
        [["supplier_rank", ">", 0]], ["on_time_rate"])}
    assert {s: pytest.approx(r, abs=1e-4) for s, r in shown.items()} == {s: mart[s][1] for s in shown}


def test_stock_kpis_equal_the_ground_truth(duck, truth):
    aging = {f"{w}|{b}": (q, v) for w, b, q, v in duck(
        "select warehouse_id, age_bucket, sum(qty), sum(value) from marts.kpi_stock_aging group by 1, 2")}
    assert set(aging) == set(truth["stock_aging"])
    for key, expected in truth["stock_aging"].items():
        assert aging[key][0] == expected["qty"] and aging[key][1] == pytest.approx(expected["value"], abs=0.01)
    throughput = {f"{w}|{c}": {"pickings": p, "moves": m, "units": u} for w, c, p, m, u in duck(
        "select warehouse_id, picking_type_code, sum(pickings), sum(moves), sum(units) "
        "from marts.kpi_warehouse_throughput_daily group by 1, 2")}
    assert throughput == truth["throughput"]
    flagged = {}
    for warehouse, move in duck("select warehouse_id, move_id from marts.fct_inventory_adjustments where flagged"):
        flagged.setdefault(str(warehouse), []).append(move)
    assert {k: sorted(v) for k, v in flagged.items()} == \
        {k: sorted(v) for k, v in truth["inventory_adjustments"]["flagged_move_ids_by_warehouse"].items()}


def test_sales_and_margin_erosion_equal_the_ground_truth(duck, truth):
    sales = truth["sales"]["all"]
    lines, net, margin = duck("select sum(order_lines), sum(net_sales), sum(margin) from marts.kpi_sales_daily")[0]
    assert lines == sales["order_lines"]
    assert (net, margin) == (pytest.approx(sales["net_sales"], abs=0.05), pytest.approx(sales["margin"], abs=0.05))
    flagged = {str(c) for (c,) in duck("select category_id from marts.kpi_margin_erosion where flagged")}
    assert flagged == {c for c, v in truth["margin_erosion"].items() if v["flagged"]}
    assert duck("select sum(invoiced_revenue) from marts.kpi_invoiced_revenue_daily")[0][0] == \
        pytest.approx(truth["invoiced_revenue"], abs=0.5)


def test_every_mart_is_the_same_on_postgres(duck, srv, tmp_path, pg_dsn):
    env = cli_env(srv, tmp_path, "postgres", pg_dsn)
    done = reporting(env, "run", "--as-of", AS_OF)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    con = psycopg2.connect(pg_dsn)
    try:
        for mart in MARTS:
            cur = con.cursor()
            cur.execute(f"select * from marts.{mart}")
            columns = [d[0] for d in cur.description]
            order = ", ".join(f'"{c}"' for c in columns)
            cur.execute(f"select * from marts.{mart} order by {order}")
            on_pg = cur.fetchall()
            on_duck = duck(f"select {order} from marts.{mart} order by {order}")
            assert len(on_pg) == len(on_duck) > 0, mart
            for a, b in zip(on_pg, on_duck):
                assert all(_same(x, y) for x, y in zip(a, b)), (mart, a, b)
    finally:
        con.close()


def _same(x, y) -> bool:
    if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
        return math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-6)
    if hasattr(x, "is_finite"):  # PostgreSQL numeric
        return math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-6)
    return x == y


# The exposed marts and the columns ../shared/KPIS.md requires of them, copied from the spec.
CONTRACT = {
    "fct_order_line_fulfilment": "sale_line_id order_id order_name customer_id warehouse_id product_id category_id "
                                 "ordered_qty promised_date delivered_qty_by_promise delivered_qty_to_date is_due is_otif "
                                 "open_qty days_late net_amount",
    "kpi_service_level_daily": "promised_date warehouse_id due_lines otif_lines otif_rate unit_fill_rate late_open_lines",
    "kpi_sales_daily": "order_date warehouse_id category_id orders order_lines net_sales margin margin_pct",
    "kpi_inventory_position": "product_id warehouse_id on_hand_qty on_hand_value open_demand_qty shortage_qty "
                              "is_stockout days_of_supply",
    "kpi_stock_aging": "product_id warehouse_id age_bucket qty value",
    "kpi_supplier_performance": "supplier_id supplier_name fill_rate odoo_on_time_rate overdue_lines overdue_open_value",
    "fct_overdue_po_lines": "purchase_line_id order_id supplier_id product_id warehouse_id date_planned open_qty "
                            "open_value days_overdue",
    "kpi_warehouse_throughput_daily": "done_date warehouse_id picking_type_code pickings moves units",
    "fct_inventory_adjustments": "move_id product_id warehouse_id adjustment_date signed_qty value flagged",
    "kpi_margin_erosion": "category_id margin_pct_last_7d margin_pct_prior_28d drop_pts flagged",
    "kpi_carrier_performance": "ship_date carrier_id shipments on_time_shipments on_time_rate avg_delay_days",
}


def test_marts_have_the_contracted_columns_each_described_in_dbt_docs(duck):
    from reporting_assets.defs.kpis.project import DBT_PROJECT

    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    for mart in MARTS:
        node = manifest["nodes"][f"model.distribution_reporting.{mart}"]
        actual = [c for (c,) in duck("select column_name from information_schema.columns "
                                     f"where table_schema = 'marts' and table_name = '{mart}'")]
        assert set(CONTRACT.get(mart, "").split()) | {"as_of"} <= set(actual), mart
        assert node["description"] and not [c for c in actual if not node["columns"].get(c, {}).get("description")], mart
    metrics = {m["name"] for m in manifest["metrics"].values()}
    assert {"otif_rate", "unit_fill_rate", "net_sales", "margin_pct", "supplier_on_time_rate", "overdue_po_value"} <= metrics
