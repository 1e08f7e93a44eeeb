"""Shared fixtures: demo servers started as real processes and a real odoorpc client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import odoorpc
import psycopg2
import pytest

AS_OF = "2026-11-27"
DB = "distribution_demo"
# The real Odoo 17 field capture the demo Odoo serves from (kept in the repository).
SHARED = Path(__file__).resolve().parents[1] / "odoo_sim" / "data"

# The code location checks its settings when it is imported, and some tests import it in-process:
# give it the demo Odoo's. Tests that run something build their own environment (`cli_env`).
for _name, _value in {
    "ODOO_URL": "http://127.0.0.1:8069",
    "ODOO_DB": DB,
    "ODOO_USERNAME": "admin",
    "ODOO_PASSWORD": "admin",
}.items():
    os.environ.setdefault(_name, _value)


@pytest.fixture(autouse=True)
def _settings_read_per_test():
    """Tests set variables with monkeypatch: each test reads the settings afresh."""
    from reporting_assets.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def wait_until(predicate, seconds: float, what: str, proc: subprocess.Popen | None = None):
    """Calls `predicate` until it returns something truthy (an OSError counts as "not yet") and
    returns that; fails when `seconds` have passed, or when `proc` exits first (with its output)."""
    deadline = time.monotonic() + seconds
    while True:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the process exited while waiting for {what}: {proc.stdout.read() if proc.stdout else ''}")
        try:
            value = predicate()
        except OSError:
            value = None
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {seconds:.0f}s waiting for {what}"
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, *extra: str, scale: str = "0.2"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "odoo_sim.cli",
                "serve",
                "--port",
                str(self.port),
                "--scale",
                scale,
                "--seed",
                "42",
                "--as-of",
                AS_OF,
                "--api-key",
                "test-api-key",
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                self.post("/web/webclient/version_info", {})
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"odoo-sim exited: {self.proc.stdout.read()}") from None
                time.sleep(0.2)
        raise RuntimeError("odoo-sim did not start in time")

    def post(self, path: str, params: dict, raw: bytes | None = None):
        body = (
            raw
            if raw is not None
            else json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}).encode()
        )
        req = urllib.request.Request(self.url + path, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def admin(self, **settings):
        req = urllib.request.Request(
            self.url + "/sim/admin/faults",
            headers={"Content-Type": "application/json"},
            data=json.dumps({"admin_password": "admin", **settings}).encode(),
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def client(self) -> odoorpc.ODOO:
        odoo = odoorpc.ODOO("127.0.0.1", port=self.port, timeout=30)
        odoo.login(DB, "admin", "admin")
        return odoo

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server():
    srv = Server()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def odoo(server):
    return server.client()


@pytest.fixture(scope="session")
def server16():
    srv = Server("--odoo-version", "16", scale="0.05")
    yield srv
    srv.stop()


# --- ingestion: the `reporting` CLI, warehouses, and an independent comparison ------------------------
PG_DSN = os.environ.get("REPORTING_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    try:
        psycopg2.connect(PG_DSN, connect_timeout=3).close()
        return None
    except psycopg2.OperationalError as exc:
        return str(exc).strip().splitlines()[0]


@pytest.fixture
def pg_dsn():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    problem = _pg_reachable()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but {PG_DSN} is unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN} ({problem}); set REPORTING_PG_DSN")
    name = f"reporting_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_DSN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    dsn = PG_DSN.rsplit("/", 1)[0] + "/" + name
    yield dsn
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


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
