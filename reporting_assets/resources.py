"""Dagster resources: the Odoo connection, the carrier API and the warehouse.

Built from `Settings` (`settings.py`, validated there) in `from_env`; secrets
through `dg.EnvVar`, so Dagster resolves them at run time and the UI shows only
the variable's name.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

import dagster as dg

from reporting_assets.carrier.client import CarrierClient, CarrierSettings
from reporting_assets.odoo.client import OdooClient, OdooError, OdooSettings, TransientError
from reporting_assets.settings import Settings, default_of
from reporting_assets.warehouse import Warehouse, open_warehouse

_CLIENTS: dict[OdooSettings, OdooClient] = {}
# A failed connection, remembered for a while: the other 20 table steps of the run fail at once with
# the same line instead of each spending a full connect-and-retry cycle (and repeating a rejected
# login, which Odoo rate-limits). It expires so that a long-lived process (the sensors') recovers.
_FAILED: dict[OdooSettings, tuple[float, str]] = {}
CIRCUIT_SECONDS = 300


def _connect(settings: OdooSettings) -> OdooClient:
    failed = _FAILED.get(settings)
    if failed and time.monotonic() - failed[0] < CIRCUIT_SECONDS:
        raise OdooError(failed[1])
    try:
        return OdooClient(settings).connect()
    except (OdooError, TransientError) as exc:
        _FAILED[settings] = (time.monotonic(), str(exc))
        raise


class OdooResource(dg.ConfigurableResource):
    """An Odoo server reached with odoorpc over JSON-RPC (ODOO_URL, ODOO_DB, ODOO_USERNAME, ODOO_PASSWORD)."""

    url: str
    db: str
    username: str
    password: str  # a password or an API key
    # Defaults are the settings' (settings.VARIABLES): `resources_for` passes the configured values.
    timeout: float = OdooSettings.timeout  # seconds per request
    page_size: int = OdooSettings.page_size  # records per search_read
    workers: int = OdooSettings.workers  # id ranges read in parallel (Odoo's worker processes)
    retries: int = OdooSettings.retries  # per request, with exponential backoff from 0.25 s

    def client(self) -> OdooClient:
        """A logged-in client, shared by the assets of one process (a run) to save a login per table."""
        settings = OdooSettings(
            self.url,
            self.db,
            self.username,
            self.password.strip(),
            timeout=self.timeout,
            page_size=self.page_size,
            workers=self.workers,
            retries=self.retries,
        )
        if settings not in _CLIENTS:
            _CLIENTS[settings] = _connect(settings)
        return _CLIENTS[settings]


class CarrierApiResource(dg.ConfigurableResource):
    """The carrier tracking API (CARRIER_API_URL, CARRIER_API_TOKEN); optional: an empty `url`
    means the site has none, and the carrier source is not extracted."""

    url: str = ""
    token: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.url)

    def client(self) -> CarrierClient:
        return CarrierClient(CarrierSettings(self.url, self.token.strip()))


class WarehouseResource(dg.ConfigurableResource):
    """DuckDB (default, one file) or PostgreSQL, chosen by REPORTING_WAREHOUSE."""

    kind: str = default_of("REPORTING_WAREHOUSE")
    duckdb_path: str = ""  # with kind duckdb
    pg_dsn: str = ""  # with kind postgres
    lock_wait: float = float(default_of("REPORTING_DUCKDB_LOCK_WAIT"))  # seconds, for the DuckDB file

    def open(self) -> Warehouse:
        return open_warehouse(self.kind, duckdb_path=self.duckdb_path, pg_dsn=self.pg_dsn, lock_wait=self.lock_wait)

    @contextmanager
    def dbt_environment(self):
        """The variables `dbt_project/profiles.yml` reads, set while dbt runs: the target, the
        DuckDB file, and REPORTING_PG_DSN's parts (dbt-postgres takes no DSN)."""
        values = {"REPORTING_WAREHOUSE": self.kind, "REPORTING_DUCKDB_PATH": self.duckdb_path}
        if self.kind == "postgres":
            dsn = urlsplit(self.pg_dsn)
            values |= {
                "REPORTING_PG_HOST": dsn.hostname or "127.0.0.1",
                "REPORTING_PG_PORT": str(dsn.port or 5432),
                "REPORTING_PG_USER": unquote(dsn.username or "postgres"),
                "REPORTING_PG_PASSWORD": unquote(dsn.password or ""),
                "REPORTING_PG_DBNAME": dsn.path.lstrip("/") or "postgres",
            }
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def resources_for(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    """The sources and the warehouse, from the settings; secrets as `dg.EnvVar`, resolved at run time."""
    return {
        "odoo": OdooResource(
            url=settings.odoo_url,
            db=settings.odoo_db,
            username=settings.odoo_username,
            password=dg.EnvVar("ODOO_PASSWORD"),
            timeout=settings.odoo_timeout,
            page_size=settings.odoo_page_size,
            workers=settings.odoo_workers,
            retries=settings.odoo_retries,
        ),
        "carrier_api": CarrierApiResource(
            url=settings.carrier_api_url, token=dg.EnvVar("CARRIER_API_TOKEN") if settings.carrier_configured else ""
        ),
        "warehouse": WarehouseResource(
            kind=settings.warehouse,
            duckdb_path=settings.duckdb_path,
            pg_dsn=dg.EnvVar("REPORTING_PG_DSN") if settings.warehouse == "postgres" else "",
            lock_wait=settings.duckdb_lock_wait,
        ),
    }
