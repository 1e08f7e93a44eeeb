"""`make bench`: event-to-mart latency, with the sensors and the daemon running.

The deployment shape of tests/support/stack.py (code server, dagster-daemon, dagster-webserver, webhook
receiver; Dagster and the warehouse in PostgreSQL) against the demo Odoo at scale 1, posting
webhooks to the receiver. Each sample writes one stock quant's quantity (+100) over odoorpc and
times how long until `marts.kpi_inventory_position` shows it. First with the webhook, then with the
receiver stopped, so that the sensor's poll (default REPORTING_SENSOR_INTERVAL, 60 s) finds the
change. The baseline, measured in the same run, is the time the two runs themselves took (ingest
the quant, then build the models above it): what remains is waiting for the sensor, the queue and
the automation sensor. Goals: under 15 s after a webhook, under 90 s at the default interval.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import psycopg2  # noqa: E402
from ingestion import fresh_pg_database  # noqa: E402
from support.servers import Server  # noqa: E402
from support.stack import Stack  # noqa: E402

MART = "marts/kpi_inventory_position"
SAMPLES = 3


def quants(dsn: str) -> list[tuple[int, int, int]]:
    """Internal quants of distinct (product, warehouse): each sample changes a different mart row."""
    with psycopg2.connect(dsn) as con, con.cursor() as cur:
        cur.execute(
            """select distinct on (q.product_id, l.warehouse_id) q.id, q.product_id, l.warehouse_id
                       from raw_odoo.stock_quant q join raw_odoo.stock_location l on l.id = q.location_id
                       where l.usage = 'internal' and l.warehouse_id is not null
                       order by q.product_id, l.warehouse_id, q.id limit %s""",
            (2 * SAMPLES,),
        )
        return cur.fetchall()


def on_hand(dsn: str, product_id: int, warehouse_id: int) -> float:
    with psycopg2.connect(dsn) as con, con.cursor() as cur:
        cur.execute(
            "select on_hand_qty from marts.kpi_inventory_position where product_id = %s and warehouse_id = %s",
            (product_id, warehouse_id),
        )
        return float(cur.fetchone()[0])


def sample(stack: Stack, server: Server, dsn: str, quant: tuple[int, int, int]) -> dict:
    quant_id, product_id, warehouse_id = quant
    before = on_hand(dsn, product_id, warehouse_id)
    odoo = server.client()
    quantity = odoo.env["stock.quant"].read([quant_id], ["quantity"])[0]["quantity"]
    written = time.time()
    odoo.env["stock.quant"].write([quant_id], {"quantity": quantity + 100})
    while on_hand(dsn, product_id, warehouse_id) != before + 100:
        assert time.time() - written < 300, "the change did not reach the mart within 5 minutes"
        time.sleep(0.2)
    latency = time.time() - written
    runs = stack.wait_for_runs(
        lambda runs: (
            [r for r in runs if r["creationTime"] >= written]
            if not any(r["status"] in ("QUEUED", "STARTING", "STARTED") for r in runs)
            else None
        ),
        300,
        "the runs to finish",
    )
    ingest = next(r for r in runs if r["assets"] == {"raw_odoo/stock_quant"})
    marts = min((r for r in runs if MART in r["assets"]), key=lambda r: r["creationTime"])
    return {
        "latency": latency,
        "trigger": ingest["tags"].get("reporting/trigger"),
        "detect": ingest["creationTime"] - written,
        "ingest_wait": ingest["startTime"] - ingest["creationTime"],
        "ingest_run": ingest["endTime"] - ingest["startTime"],
        "automation": marts["creationTime"] - ingest["endTime"],
        "marts_wait": marts["startTime"] - marts["creationTime"],
        "marts_run": marts["endTime"] - marts["startTime"],
    }


def report(title: str, samples: list[dict], goal: float) -> None:
    print(f"\n{title}")
    print(f"{'trigger':>8}{'latency':>9}{'detect':>8}{'queue':>7}{'ingest':>8}{'autom.':>8}{'queue':>7}{'dbt run':>9}")
    for s in samples:
        print(
            f"{s['trigger']:>8}{s['latency']:>8.1f}s{s['detect']:>7.1f}s{s['ingest_wait']:>6.1f}s{s['ingest_run']:>7.1f}s"
            f"{s['automation']:>7.1f}s{s['marts_wait']:>6.1f}s{s['marts_run']:>8.1f}s"
        )
    median = statistics.median(s["latency"] for s in samples)
    runs = statistics.median(s["ingest_run"] + s["marts_run"] for s in samples)
    print(
        f"median latency {median:.1f}s (goal < {goal:.0f}s: {'met' if median < goal else 'MISSED'}); "
        f"baseline, the two runs themselves: {runs:.1f}s; latency / baseline = {median / runs:.2f}x"
    )


def main() -> int:
    dsn = fresh_pg_database()
    if dsn is None:
        print("latency: PostgreSQL is not reachable (REPORTING_PG_DSN); skipped", file=sys.stderr)
        return 1
    stack = Stack(Path(tempfile.mkdtemp(prefix="reporting-latency-")), dsn)
    server = Server("--webhook-url", stack.webhook_url, scale="1")
    try:
        with stack:
            started = time.time()
            stack.start(server.url)
            stack.wait_for_catch_up(MART, 900)
            print(f"latency: stack up and first catch-up done in {time.time() - started:.0f}s (demo Odoo scale 1)")
            targets = quants(dsn)
            webhook = [sample(stack, server, dsn, q) for q in targets[:SAMPLES]]
            stack.procs["webhooks"].terminate()  # from here on only the sensor's poll sees changes
            stack.procs["webhooks"].wait(timeout=30)
            del stack.procs["webhooks"]
            poll = [sample(stack, server, dsn, q) for q in targets[SAMPLES:]]
    finally:
        server.stop()
    print("\nEvent-to-mart latency: a stock.quant write in the demo Odoo until marts.kpi_inventory_position shows it")
    print("(detect: write → run created; queue: created → started; autom.: ingest done → mart run created)")
    report("after a webhook (Odoo automation rule → reporting webhooks → odoo_changes)", webhook, 15)
    report("without the webhook (odoo_changes polls every 60 s)", poll, 90)
    return 0


if __name__ == "__main__":
    sys.exit(main())
