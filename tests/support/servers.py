"""The demo servers the tests start as real processes, and small waiting helpers."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import odoorpc
import pytest

AS_OF = "2026-11-27"
DB = "distribution_demo"
# The PostgreSQL server of the warehouse tests (a fresh database per test, see conftest's `pg_dsn`).
PG_DSN = os.environ.get("REPORTING_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
# The real Odoo 17 field capture the demo Odoo serves from (kept in the repository).
SIM_DATA = Path(__file__).resolve().parents[2] / "odoo_sim" / "data"


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


@contextmanager
def serve_http(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A small web server of our own on a free local port (e.g. one that is not Odoo); its URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
