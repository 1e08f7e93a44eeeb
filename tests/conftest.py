"""Fixtures shared by every test: demo servers, PostgreSQL databases, fresh settings.

The helpers themselves live in `tests/support/` (servers, the CLI, raw comparison, the stack).
"""

from __future__ import annotations

import http.server
import json
import os
import threading
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


def _fresh_database():
    """A fresh, empty PostgreSQL database, dropped afterwards (skipped with the reason when the
    server is unreachable, except under CI=true, where that fails)."""
    problem = _pg_reachable()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but {PG_DSN} is unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN} ({problem}); set REPORTING_PG_DSN")
    name = f"reporting_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_DSN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield PG_DSN.rsplit("/", 1)[0] + "/" + name
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def pg_dsn():
    """A fresh PostgreSQL database for one test."""
    yield from _fresh_database()


@pytest.fixture(scope="module")
def module_pg_dsn():
    """A fresh PostgreSQL database shared by the tests of one module (one expensive build)."""
    yield from _fresh_database()


@pytest.fixture
def webhook():
    """A JSON webhook receiver (as for Slack or Teams alerts): its URL, and the bodies posted to it."""
    received = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
