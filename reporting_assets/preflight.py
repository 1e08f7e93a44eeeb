"""`reporting check`: is the configuration good enough to run? Asked without extracting anything.

Each step is one row of the report: `ok`, `note` (fine, but worth knowing:
an optional module or source that is absent) or `FAIL` (a run would fail),
with a detail line that names what is wrong and what to do. The steps run in
order and a step that cannot be asked (no login, no models) is not: the first
failure is the one to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reporting_assets.settings import Settings

OK, NOTE, FAIL = "ok", "note", "FAIL"


@dataclass(frozen=True)
class Finding:
    status: str  # ok | note | FAIL
    subject: str
    detail: str


def preflight(settings: Settings) -> list[Finding]:
    findings: list[Finding] = []
    client = _odoo(settings, findings)
    if client is not None:
        findings.extend(_models(client))
    findings.append(_carrier(settings))
    findings.append(_warehouse(settings))
    findings.append(_dbt(settings))
    return findings


def print_report(findings: list[Finding], settings: Settings) -> int:
    """The table, without any secret; exit status 1 when anything failed."""
    width = max(len(f.subject) for f in findings)
    for f in findings:
        print(settings.redact(f"{f.status:<5} {f.subject:<{width}}  {f.detail}"))
    failed = [f for f in findings if f.status == FAIL]
    print(f"\n{len(failed)} problem(s)." if failed else "\nReady: `reporting run` can extract and build.")
    return 1 if failed else 0


def _odoo(settings: Settings, findings: list[Finding]):
    from reporting_assets.odoo.client import OdooClient, OdooError, OdooSettings, TransientError

    odoo = OdooSettings(
        settings.odoo_url,
        settings.odoo_db,
        settings.odoo_username,
        settings.odoo_password,
        timeout=settings.odoo_timeout,
        retries=min(settings.odoo_retries, 1),
    )
    try:
        client = OdooClient(odoo).connect()
    except (OdooError, TransientError) as exc:
        findings.append(Finding(FAIL, "odoo", str(exc)))
        return None
    findings.append(
        Finding(
            OK,
            "odoo",
            f"Odoo {client.version} at {settings.odoo_url}, database "
            f"{settings.odoo_db!r}, logged in as {settings.odoo_username!r}",
        )
    )
    return client


def _models(client) -> list[Finding]:
    """Every model and field of the raw layer (`odoo/tables.py`) against the server's `fields_get`."""
    from reporting_assets.odoo.client import OdooError, UnknownModelError
    from reporting_assets.odoo.columns import FieldMissingError, resolve_columns
    from reporting_assets.odoo.tables import ODOO_TABLES, OPTIONAL_MODELS

    findings = []
    for table in ODOO_TABLES:
        try:
            resolution = resolve_columns(table, client.fields_get(table.model), client.settings.url)
            client.search_count(table.model, [])  # the reporting user may read it
        except UnknownModelError:
            status = NOTE if table.model in OPTIONAL_MODELS else FAIL
            findings.append(
                Finding(
                    status,
                    table.model,
                    "not on this server (module not installed): "
                    + ("its table stays empty" if status == NOTE else "required by the raw layer"),
                )
            )
            continue
        except (FieldMissingError, OdooError) as exc:
            findings.append(Finding(FAIL, table.model, str(exc)))
            continue
        absent = f"; absent optional fields (left NULL): {', '.join(resolution.skipped)}" if resolution.skipped else ""
        findings.append(Finding(NOTE if absent else OK, table.model, f"{len(resolution.fields)} fields{absent}"))
    return findings


def _carrier(settings: Settings) -> Finding:
    from reporting_assets.carrier.client import CarrierClient, CarrierError, CarrierSettings

    if not settings.carrier_configured:
        return Finding(
            NOTE,
            "carrier API",
            "not configured (CARRIER_API_URL unset): shipments are not extracted, the carrier marts stay empty",
        )
    client = CarrierClient(CarrierSettings(settings.carrier_api_url, settings.carrier_api_token, retries=1))
    try:
        total = client.shipments_page(None, 1, page_size=1).get("total")
    except CarrierError as exc:
        return Finding(FAIL, "carrier API", str(exc))
    return Finding(OK, "carrier API", f"{settings.carrier_api_url} answers ({total} shipments)")


def _warehouse(settings: Settings) -> Finding:
    if settings.warehouse == "duckdb":
        path = Path(settings.duckdb_path)
        state = "exists" if path.exists() else "will be created"
        return Finding(OK, "warehouse", f"DuckDB file {path} ({state}, writable)")
    import psycopg2

    try:
        with psycopg2.connect(settings.pg_dsn, connect_timeout=10) as con:
            with con.cursor() as cur:
                cur.execute(
                    "select current_user, current_database(), "
                    "has_database_privilege(current_user, current_database(), 'CREATE')"
                )
                user, database, can_create = cur.fetchone()
        con.close()
    except psycopg2.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Finding(FAIL, "warehouse", f"cannot connect to PostgreSQL (REPORTING_PG_DSN): {first}")
    if not can_create:
        return Finding(
            FAIL,
            "warehouse",
            f"PostgreSQL user {user!r} may not create schemas in {database!r}: "
            f"GRANT CREATE ON DATABASE {database} TO {user}",
        )
    return Finding(OK, "warehouse", f"PostgreSQL database {database!r} as {user!r}, may create schemas")


def _dbt(settings: Settings) -> Finding:
    """`dbt debug`: the profile, the project and the connection, as a run's dbt will see them."""
    from reporting_assets.dbt import run_dbt

    done = run_dbt(settings, "debug", capture_output=True, text=True, timeout=120)
    if done.returncode == 0:
        return Finding(OK, "dbt", f"profile target {settings.warehouse}: connection and project valid")
    problem = next(
        (line.strip() for line in done.stdout.splitlines() if "ERROR" in line or "Error" in line), "dbt debug failed"
    )
    return Finding(FAIL, "dbt", f"{problem} (run `python -m reporting_assets.dbt debug` for details)")
