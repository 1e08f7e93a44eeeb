"""Running the `reporting` CLI as a user does: a clean environment and a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.servers import DB, Server


def cli_env(server: Server, tmp_path: Path, warehouse: str = "duckdb", pg_dsn: str = "", **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODOO_", "CARRIER_", "REPORTING_", "DAGSTER_"))}
    env.update(
        ODOO_URL=server.url,
        ODOO_DB=DB,
        ODOO_USERNAME="admin",
        ODOO_PASSWORD="admin",
        CARRIER_API_URL=server.url + "/carrier-api/v1",
        CARRIER_API_TOKEN="carrier-demo-token",
        REPORTING_WAREHOUSE=warehouse,
        REPORTING_DUCKDB_PATH=str(tmp_path / "warehouse.duckdb"),
        DAGSTER_HOME=str(tmp_path / "dagster"),
    )
    if pg_dsn:
        env["REPORTING_PG_DSN"] = pg_dsn
    env.update(extra)
    return env


def reporting(env: dict, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "reporting_assets.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(env["DAGSTER_HOME"]).parent,
    )  # no stray .env
