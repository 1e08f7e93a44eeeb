"""Fixtures shared by every test: demo servers, PostgreSQL databases, fresh settings.

The helpers themselves live in `tests/support/` (servers, the CLI, raw comparison, the stack).
"""

from __future__ import annotations

import os
import uuid

import psycopg2
import pytest
from support.servers import DB, PG_DSN, Server

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
