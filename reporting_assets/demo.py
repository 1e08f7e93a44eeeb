"""`make demo`: start the demo Odoo, materialize every asset on DuckDB, print the headline service
level per warehouse and say where the results are.

The demo server runs as a separate process (`odoo-sim serve`), exactly as a real
Odoo would; the materialization is `reporting run` (through Dagster) with the
connection pointed at it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from reporting_assets.foreground import own_terminal, stop_quietly
from reporting_assets.settings import Settings, get_settings, set_environment

DEMO_ENV = {
    "ODOO_DB": "distribution_demo",
    "ODOO_USERNAME": "admin",
    "ODOO_PASSWORD": "admin",
    "CARRIER_API_TOKEN": "carrier-demo-token",
    "REPORTING_WAREHOUSE": "duckdb",
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m reporting_assets.demo")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--scale", default="1")
    parser.add_argument("--seed", default="42")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="instead of one run: keep the demo Odoo up and start `dagster dev` (make dev)",
    )
    parser.add_argument("--ui-port", type=int, default=3000, help="the Dagster UI under --dev")
    parser.add_argument("--docs-port", type=int, default=8080, help="where `make docs` serves the dbt docs")
    parser.add_argument("--webhook-port", type=int, default=8070, help="`reporting webhooks` under --dev")
    args = parser.parse_args()
    os.umask(0o077)  # the warehouse and Dagster's storage (here and in every child) are the owner's only
    # Links in alerts and in the UI's asset metadata follow the ports chosen here.
    set_environment(
        DAGSTER_WEBSERVER_URL=f"http://localhost:{args.ui_port}", DBT_DOCS_URL=f"http://localhost:{args.docs_port}"
    )
    signal.signal(signal.SIGTERM, _interrupt)  # stopped like Ctrl-C: children stopped too
    url = f"http://127.0.0.1:{args.port}"
    set_environment(**DEMO_ENV, ODOO_URL=url, CARRIER_API_URL=f"{url}/carrier-api/v1")
    as_of = datetime.now(UTC).date().isoformat()  # one reporting date for the history and the KPIs
    cmd = [
        sys.executable,
        "-m",
        "odoo_sim.cli",
        "serve",
        "--port",
        str(args.port),
        "--scale",
        args.scale,
        "--seed",
        args.seed,
        "--as-of",
        as_of,
    ]
    if args.dev:  # the demo Odoo posts automation-rule webhooks to `reporting webhooks`, with a fresh secret,
        # passed in the environment, not on a command line, where `ps` would show it to every user
        token = secrets.token_urlsafe(24)
        set_environment(
            REPORTING_WEBHOOK_TOKEN=token, ODOO_SIM_WEBHOOK_URL=f"http://127.0.0.1:{args.webhook_port}/odoo/{token}"
        )
    print(f"Starting the demo Odoo (scale {args.scale}) at {url} ...", flush=True)
    with own_terminal():  # Ctrl-C stops the demo and its servers, and `make` sees success
        # Its own session: Ctrl-C reaches Dagster first, and the demo Odoo stops after it (below), so
        # no sensor still running meets a server that is already gone.
        server = subprocess.Popen(cmd, start_new_session=True)
        try:
            _wait_for(url, server)
            settings = get_settings()  # the environment above, checked
            if args.dev:
                return _dagster_dev(settings, args.ui_port, args.webhook_port)
            print("Materializing every asset through Dagster (reporting run) ...", flush=True)
            from reporting_assets.cli import exit_status, materialize, render_reports

            result = materialize(settings, None, full_refresh=False, as_of=as_of)
            reports = render_reports(settings, verbose=False) if result.success else None  # the daily pack
            _summary(settings, result, args.ui_port, args.docs_port)
            return exit_status(result) or (exit_status(reports) if reports else 0)
        except KeyboardInterrupt:
            return stop_quietly("Stopped.")
        finally:
            server.terminate()
            server.wait()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _dagster_dev(settings: Settings, ui_port: int, webhook_port: int) -> int:
    """`dagster dev` on the local instance, sensors and schedules included, and the webhook
    receiver the demo Odoo posts to, until Ctrl-C."""
    from reporting_assets.cli import local_instance

    local_instance(settings)  # creates DAGSTER_HOME and its dagster.yaml (pool limit) when missing
    root = Path(__file__).resolve().parents[1]
    print(
        f"\nDagster UI: http://localhost:{ui_port}  (sensors and the daily schedule are on; the demo Odoo's "
        f"webhooks arrive on port {webhook_port} as hints, asset odoo_change_hints; "
        f"Ctrl-C stops Dagster and the demo Odoo)\n",
        flush=True,
    )
    receiver = subprocess.Popen(
        [sys.executable, "-m", "reporting_assets.cli", "webhooks", "--port", str(webhook_port)], start_new_session=True
    )  # stopped after Dagster, like the demo Odoo
    # Started in the instance's folder: `dagster dev` loads `.env` from its working directory over the
    # environment, and a user's `.env` (their own Odoo) must not replace the demo's settings.
    set_environment(DAGSTER_HOME=settings.dagster_home)  # where `dagster dev` finds the instance
    dagster = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-w", str(root / "workspace.yaml"), "-p", str(ui_port)],
        cwd=settings.dagster_home,
    )
    try:
        return dagster.wait()
    except KeyboardInterrupt:  # Ctrl-C reached dagster too: let it shut down, then say so
        try:
            dagster.wait(timeout=60)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            dagster.terminate()
            dagster.wait()
        return stop_quietly("Stopped Dagster, the webhook receiver and the demo Odoo.")
    finally:
        receiver.terminate()
        receiver.wait()


def _wait_for(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while True:
        try:
            urllib.request.urlopen(
                urllib.request.Request(f"{url}/web/webclient/version_info", data=b'{"params": {}}'), timeout=2
            )
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the demo Odoo did not start; see its output above") from None
            time.sleep(0.3)


HEADLINE = """
    select warehouse_name, sum(due_lines), sum(otif_lines) / sum(due_lines), sum(filled_qty) / sum(due_qty)
    from marts.kpi_service_level_daily
    group by warehouse_name order by warehouse_name
"""


def _headline(duckdb_path: str) -> None:
    import duckdb

    with duckdb.connect(duckdb_path, read_only=True) as con:
        rows = con.execute(HEADLINE).fetchall()
    print(f"\n{'warehouse':<20}{'due lines':>10}{'OTIF':>8}{'fill rate':>11}")
    for name, due, otif, fill in rows:
        print(f"{name:<20}{due:>10,}{otif:>8.1%}{fill:>11.1%}")


def _summary(settings: Settings, result, ui_port: int, docs_port: int) -> None:
    """Headline KPIs, the checks, and where everything is."""
    duckdb_path, home = settings.duckdb_path, settings.dagster_home
    root = Path(__file__).resolve().parents[1]
    if result.success:
        _headline(duckdb_path)
    checks = result.get_asset_check_evaluations()
    failed = [c for c in checks if not c.passed]
    print(f"\nChecks: {len(checks) - len(failed)} passed, {len(failed)} failed")
    for check in failed:
        print(f"  FAILED  {check.asset_key.to_user_string()}  {check.check_name}")
    print("\n" + ("Done." if result.success else "FAILED: see the errors above."))
    print(f"  warehouse (DuckDB):  {duckdb_path}   schemas raw_odoo, raw_carrier, staging, intermediate, marts")
    print(
        f"    e.g.  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{duckdb_path}', read_only=True)"
        f".sql('select * from marts.kpi_supplier_performance order by on_time_rate limit 5'))\""
    )
    print(f"  reports (HTML, PDF, XLSX per version):  {settings.reports_dir}")
    print("    one now:  .venv/bin/reporting report <id> (ids: reporting_assets/reports/catalog/*.yml)")
    print(f"  Dagster instance:    {home}   run {result.run_id}")
    print(f"    UI (runs, logs, metadata, checks, freshness):  make dev  ->  http://localhost:{ui_port}")
    print(f"  dbt docs (what each KPI means):  make docs  ->  http://localhost:{docs_port}")
    print(f"  dbt log:             {root / 'dbt_project' / 'logs' / 'dbt.log'}")


if __name__ == "__main__":
    sys.exit(main())
