"""Distinctive secrets, every error path we can trigger, and a search of everything the product wrote."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.cli import cli_env, reporting

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it

ODOO_SECRET = "Odoo-Pw-7d1e9c"
CARRIER_SECRET = "Carrier-Tok-4b2f81"
PG_SECRET = "Pg-Pw-93ac0e"


def everything_written(home: Path) -> bytes:
    """Every file under the Dagster instance: its storage (runs, event log with failure metadata)
    and the compute logs."""
    return b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    "case, values",
    [
        # psycopg2 quotes a DSN it cannot parse, password included.
        (
            "dsn without a scheme",
            {"REPORTING_WAREHOUSE": "postgres", "REPORTING_PG_DSN": f"rep:{PG_SECRET}@127.0.0.1/wh"},
        ),
        (
            "dsn of an unreachable server",
            {
                "REPORTING_WAREHOUSE": "postgres",
                "REPORTING_PG_DSN": f"postgresql://rep:{PG_SECRET}@127.0.0.1:1/wh",
            },
        ),
        ("wrong Odoo password", {"ODOO_PASSWORD": ODOO_SECRET}),
        ("wrong carrier token", {"CARRIER_API_TOKEN": CARRIER_SECRET}),
    ],
)
def test_no_secret_reaches_the_console_or_the_dagster_storage(server, tmp_path, case, values):
    env = cli_env(server, tmp_path, **values)
    done = reporting(env, "ingest", "--models", "uom.uom,carrier")
    said = done.stdout + done.stderr
    assert done.returncode != 0 or "check failed" in said, said  # the error path was taken
    stored = everything_written(Path(env["DAGSTER_HOME"]))
    assert stored  # the run was recorded: its storage is what we search
    for secret in (ODOO_SECRET, CARRIER_SECRET, PG_SECRET):
        assert secret not in said, (case, said)
        assert secret.encode() not in stored, case


def test_the_warehouse_and_dagster_storage_are_readable_by_their_owner_only(server, tmp_path):
    """They hold the business's figures (and Dagster's run history): `reporting` creates them under
    umask 077, whatever the umask of the shell that started it."""
    env = cli_env(server, tmp_path)
    previous = os.umask(0o022)  # a common default, inherited by the child unless it sets its own
    try:
        done = reporting(env, "ingest", "--models", "uom.uom")
    finally:
        os.umask(previous)
    assert done.returncode == 0, done.stdout + done.stderr
    written = [Path(env["REPORTING_DUCKDB_PATH"]), *Path(env["DAGSTER_HOME"]).rglob("*")]
    assert len(written) > 3  # the warehouse, dagster.yaml, the run storage...
    for path in written:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is {oct(path.stat().st_mode & 0o777)}"
