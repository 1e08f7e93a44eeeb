"""`reporting`: materialize assets through Dagster from the command line.

    reporting check
    reporting ingest [--models sale.order,stock.move,carrier] [--full-refresh]
    reporting run [--full-refresh] [--as-of YYYY-MM-DD]
    reporting webhooks [--host 127.0.0.1] [--port 8070]

Settings come from the environment and `.env` in the current directory
(`settings.py`); a missing or unusable one is one line naming it, exit 2.
`check` tests the configuration without extracting anything. Runs go through
Dagster (the code location's assets and resources, on a persistent instance),
so they appear in the Dagster UI with their metadata, logs and checks exactly
like runs launched from there. The instance is `$DAGSTER_HOME`, or
`.reporting/dagster`. The terminal shows progress and, at the end, each
distinct error once (exit 1); the traces stay in the run's logs (`--verbose`
prints them too). `webhooks` serves the receiver of Odoo's automation-rule
webhooks (`webhooks.py`) until stopped; its token comes from
REPORTING_WEBHOOK_TOKEN.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import signal
import socket
import sys
import traceback
import warnings
from datetime import date
from pathlib import Path

import dagster as dg

from reporting_assets.failures import user_message
from reporting_assets.settings import ConfigError, Settings, get_settings, load_dotenv, redact, variables_help

RUN_JOB = "__ephemeral_asset_job__"  # the name `dg.materialize` gives its runs, which the UI lists as such

LOCAL_INSTANCE_YAML = """\
# Written by `reporting`: the local Dagster instance (SQLite storage in this folder).
# Writers to the warehouse share the pool `warehouse`; DuckDB allows one writer.
concurrency:
  pools:
    default_limit: 1
python_logs:
  managed_python_loggers: [reporting_assets]
telemetry:
  enabled: false
# No "join the community" pop-up in the UI.
nux:
  enabled: false
"""


def local_instance(settings: Settings) -> dg.DagsterInstance:
    """The instance in DAGSTER_HOME, created with our configuration when new.

    Under an exclusive file lock: Dagster creates its SQLite storage (tables and Alembic's version
    stamp) on first open, and two processes doing so at once corrupt it ("alembic_version has more
    than one head"), e.g. two `reporting` commands started together on a new DAGSTER_HOME. The lock
    is held for the milliseconds it takes to open; it is released when the file closes.
    """
    home = Path(settings.dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".instance.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        config = home / "dagster.yaml"
        if not config.exists():
            config.write_text(LOCAL_INSTANCE_YAML)
        instance = dg.DagsterInstance.from_config(str(home))
        ensure_pool(instance)
    return instance


def ensure_pool(instance: dg.DagsterInstance) -> None:
    """Give the `warehouse` pool its one slot now, rather than lazily from `default_limit` at the
    first claim, where two processes starting together can each create a slot."""
    from reporting_assets.warehouse import POOL

    if POOL not in instance.event_log_storage.get_concurrency_keys():
        instance.event_log_storage.set_concurrency_slots(POOL, 1)


def release_dead_runs(instance: dg.DagsterInstance) -> None:
    """Fail the runs of `reporting` processes on this host that died (killed, crashed).

    A run holds its `warehouse` pool slot until it ends; a killed process never
    ends its run, so the next run would wait for the slot forever. This is what
    Dagster's run monitoring does in a deployment, done here for the CLI.
    """
    started = instance.get_run_records(
        dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
            tags={"reporting/host": socket.gethostname()},
        )
    )
    for record in started:
        pid = int(record.dagster_run.tags.get("reporting/pid", "0"))
        if pid and not _alive(pid):
            instance.report_run_failed(record.dagster_run, f"the reporting process {pid} is gone")
            instance.event_log_storage.free_concurrency_slots_for_run(record.dagster_run.run_id)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def raw_selection(models: str | None) -> list[dg.AssetKey]:
    """Asset keys of the raw tables named on the command line (all when None)."""
    from reporting_assets.definitions import CARRIER_KEY, raw_key
    from reporting_assets.odoo.tables import ODOO_TABLES, table_for

    if models is None:
        return [raw_key(t) for t in ODOO_TABLES] + [CARRIER_KEY]
    names = [m.strip() for m in models.split(",") if m.strip()]
    return [CARRIER_KEY if name == "carrier" else raw_key(table_for(name, ("carrier",))) for name in names]


def materialize(
    settings: Settings,
    keys: list[dg.AssetKey] | None,
    full_refresh: bool,
    as_of: str | None = None,
    verbose: bool = False,
    partition_key: str | None = None,
):
    """Materialize through Dagster and print what happened; returns Dagster's result. `settings` are
    this process's (`get_settings()`), which the code location is built from. `keys=None` is every
    unpartitioned asset (the reports, partitioned by date, run apart: see `render_reports`)."""
    from reporting_assets.console import progress_logger
    from reporting_assets.definitions import REPORT_GROUP, defs

    assets = materializable(defs)
    if keys is None:
        keys = [k for a in assets if REPORT_GROUP not in a.group_names_by_key.values() for k in a.keys]
    selected = [a for a in assets if set(a.keys) & set(keys)]
    run_config = run_config_for(selected, full_refresh, as_of, verbose)
    instance = local_instance(settings)
    release_dead_runs(instance)
    # What `dg.materialize` does, with our terminal logger unless --verbose.
    job = dg.Definitions(
        jobs=[dg.define_asset_job(RUN_JOB, selection=keys)], assets=assets, resources=defs.resources
    ).resolve_job_def(RUN_JOB)
    if not verbose:
        job = job.with_logger_defs({"console": progress_logger})
    result = job.execute_in_process(
        run_config=run_config,
        instance=instance,
        raise_on_error=False,
        partition_key=partition_key,
        tags={"reporting/host": socket.gethostname(), "reporting/pid": str(os.getpid())},
    )
    print_summary(result, settings)
    return result


def materializable(defs: dg.Definitions) -> list[dg.AssetsDefinition]:
    """The assets `reporting` can materialize: all but specs of external assets (the webhook hints)."""
    return [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]


def exit_status(result) -> int:
    """0 when the run succeeded, 1 when a step failed."""
    return 0 if result.success else 1


def run_config_for(selected: list, full_refresh: bool, as_of: str | None, verbose: bool = False) -> dict:
    """`full_refresh` for the raw assets; `as_of` for the dbt models; Dagster's console at INFO
    under --verbose."""
    from reporting_assets.definitions import RAW_GROUPS, kpi_models

    ops = {}
    for a in selected:
        if full_refresh and set(a.group_names_by_key.values()) & set(RAW_GROUPS):
            ops[a.node_def.name] = {"config": {"full_refresh": True}}
        if as_of and a.node_def.name == kpi_models.node_def.name:
            ops[a.node_def.name] = {"config": {"as_of": as_of}}
    # A logger runs only when the run config names it: ours (see `materialize`) takes no config.
    config: dict = {"loggers": {"console": {"config": {"log_level": "INFO"}} if verbose else {}}}
    if ops:
        config["ops"] = ops
    return config


def print_summary(result, settings: Settings) -> None:
    rows, reports = [], []
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        md = {k: v.value for k, v in mat.metadata.items()}
        if "html" in md:
            reports.append(f"{mat.asset_key.to_user_string()} {mat.partition}: {md['html']}")
        if "rows_read" in md:
            rows.append(
                (
                    mat.asset_key.to_user_string(),
                    md["rows_read"],
                    md["inserted"],
                    md["updated"],
                    md["deleted"],
                    md["dagster/row_count"],
                    md["seconds"],
                )
            )
    if rows:
        print(f"\n{'asset':<34}{'read':>9}{'inserted':>10}{'updated':>9}{'deleted':>9}{'rows':>9}{'seconds':>9}")
        for r in rows:
            print(f"{r[0]:<34}{r[1]:>9}{r[2]:>10}{r[3]:>9}{r[4]:>9}{r[5]:>9}{r[6]:>9.2f}")
    for line in reports:
        print(line)
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            print(
                settings.redact(
                    f"check failed: {evaluation.asset_key.to_user_string()} {evaluation.check_name} "
                    f"{ {k: v.value for k, v in evaluation.metadata.items()} }"
                )
            )
    errors = []
    for event in result.get_step_failure_events():
        message = settings.redact(user_message(event.step_failure_data.error))
        if message not in errors:
            errors.append(message)
    if errors:
        print(
            f"run {result.run_id} failed; its full logs: the Dagster UI (make dev), or again with --verbose", flush=True
        )
    for message in errors:
        print(f"error: {message}", file=sys.stderr)


def serve_webhooks(settings: Settings, host: str, port: int) -> int:
    from reporting_assets.webhooks import ROUTE, Recorder, make_server

    token = settings.webhook_token
    if len(token) < 16:
        print(
            "error: REPORTING_WEBHOOK_TOKEN must be set to a secret of at least 16 characters "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`)",
            file=sys.stderr,
        )
        return 2
    recorder = Recorder(local_instance(settings))
    recorder.start()
    server = make_server(host, port, token, recorder)
    print(
        f"reporting: receiving Odoo webhooks on http://{host}:{server.server_address[1]}{ROUTE}<token> "
        f"(instance {settings.dagster_home})",
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="reporting",
        description=__doc__.split("\n\n")[0],
        epilog=variables_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--verbose", action="store_true", help="Dagster's full log and tracebacks on the terminal")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "check",
        help="test the configuration (Odoo, models and fields, carrier API, warehouse, "
        "dbt) without extracting anything",
    )
    ingest = commands.add_parser("ingest", help="extract Odoo and carrier data into the raw layer")
    ingest.add_argument("--models", help="comma-separated Odoo models (and/or 'carrier'); default: all")
    ingest.add_argument("--full-refresh", action="store_true", help="ignore stored cursors, re-read everything")
    run = commands.add_parser("run", help="materialize every asset: ingest, then dbt build")
    run.add_argument("--full-refresh", action="store_true", help="ignore stored cursors, re-read everything")
    run.add_argument("--as-of", type=_date, help="the reporting date (YYYY-MM-DD); default: today in reporting_tz")
    report = commands.add_parser("report", help="render one report and print where its files are")
    report.add_argument("id", help="the report (reporting_assets/reports/catalog/<id>.yml)")
    report.add_argument("--as-of", type=_date, help="the reporting date; default: the date the marts hold")
    report.add_argument("--customer", type=int, help="a customer report for this customer (Odoo id) only")
    webhooks = commands.add_parser("webhooks", help="receive Odoo automation-rule webhooks as change hints")
    webhooks.add_argument("--host", default="127.0.0.1")
    webhooks.add_argument("--port", type=int, default=8070)
    args = parser.parse_args(argv)
    os.umask(0o077)  # the warehouse, Dagster's storage and dbt's files hold business data: owner only
    load_dotenv()
    if not args.verbose:  # known, deliberate uses of Dagster's preview APIs; not the user's concern
        warnings.filterwarnings("ignore", category=dg.PreviewWarning)
        warnings.filterwarnings("ignore", category=dg.BetaWarning)
    try:
        return _command(parser, args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one line for the user; the trace under --verbose
        if args.verbose:
            traceback.print_exc()
        print(
            f"error: {_redacted(str(exc))}" + ("" if args.verbose else " (--verbose shows the traceback)"),
            file=sys.stderr,
        )
        return 1


def _redacted(text: str) -> str:
    """`text` without any configured secret (and without URL credentials when the settings are unusable)."""
    try:
        return get_settings().redact(text)
    except ConfigError:
        return redact(text)


def _command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "webhooks":
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        return serve_webhooks(Settings.from_env(require_odoo=False), args.host, args.port)
    settings = get_settings()
    if args.command == "check":
        from reporting_assets.preflight import preflight, print_report

        return print_report(preflight(settings), settings)
    if args.command == "report":
        return render_one(parser, settings, args.id, args.as_of, args.customer)
    try:
        keys = raw_selection(args.models) if args.command == "ingest" else None
    except KeyError as exc:
        parser.error(exc.args[0])
    result = materialize(settings, keys, args.full_refresh, getattr(args, "as_of", None), verbose=args.verbose)
    if args.command == "run" and result.success:
        result = render_reports(settings, args.verbose)
    return exit_status(result)


def render_one(parser, settings: Settings, report_id: str, as_of: str | None, customer: int | None) -> int:
    """`reporting report <id>`: one report rendered from the published marts, its folders printed."""
    from reporting_assets.definitions import REPORT_CATALOG
    from reporting_assets.defs.reports.assets import checks_status, report_context
    from reporting_assets.reports import build, query
    from reporting_assets.reports.store import DirectoryStore
    from reporting_assets.warehouse import open_warehouse

    if report_id not in REPORT_CATALOG:
        parser.error(f"no report {report_id!r}; the reports: {', '.join(sorted(REPORT_CATALOG))}")
    report = REPORT_CATALOG[report_id]
    context = report_context(report, checks_status(local_instance(settings), report))
    store = DirectoryStore(settings.reports_dir)
    with open_warehouse(settings.warehouse, settings.duckdb_path, settings.pg_dsn) as wh:
        as_of = as_of or str(wh.execute(f"SELECT max(as_of) FROM marts.{report.marts[0]}")[0][0])
        try:
            if customer is None:
                rendered = build.render_all(wh, store, report, as_of, context)
            else:
                names = dict(query.customers(wh, next(s.source for s in report.sections if s.source)))
                if report.scope != "customer" or customer not in names:
                    parser.error(f"--customer {customer}: {report_id} has no version for that customer on {as_of}")
                rendered = build.render_report(wh, store, report, as_of, context, (customer, names[customer]))
        except query.MartsNotReady as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    if not rendered:
        print(f"{report_id}: no data for {as_of}, nothing produced")
    for r in rendered:
        print(f"{report_id} {as_of} {r.manifest['scope']} ({r.variant}, version {r.version}): {r.location}")
    return 0


def render_reports(settings: Settings, verbose: bool):
    """After `reporting run`: the reports of the date the marts were just built for, as Dagster runs
    of their partition (daily reports every day, weekly ones when that date is a Monday)."""
    from reporting_assets.definitions import REPORT_CATALOG
    from reporting_assets.warehouse import open_warehouse

    with open_warehouse(settings.warehouse, settings.duckdb_path, settings.pg_dsn) as wh:
        as_of = str(wh.execute("SELECT max(as_of) FROM marts.kpi_service_level_daily")[0][0])
    weekday = date.fromisoformat(as_of).weekday()
    due = [r for r in REPORT_CATALOG.values() if r.cadence == "daily" or weekday == 0]
    if len(due) < len(REPORT_CATALOG):
        print(f"weekly reports are dated on Mondays; `reporting report <id> --as-of {as_of}` renders one now")
    result = None
    for cadence in ("daily", "weekly"):
        keys = [dg.AssetKey(["reports", r.id]) for r in due if r.cadence == cadence]
        if keys:
            result = materialize(settings, keys, False, verbose=verbose, partition_key=as_of)
            if not result.success:
                break
    return result


if __name__ == "__main__":
    sys.exit(main())
