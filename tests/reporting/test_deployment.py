"""The deployment: its Dagster instance (`deploy/dagster.yaml`, PostgreSQL-backed, from the environment),
the demo Odoo started as docker-compose.yml starts it (secrets in the environment), and, where a
Docker engine runs, the image itself."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import odoorpc
import psycopg2
import pytest
import yaml
from support.servers import AS_OF, DB, free_port, serve_http, wait_until

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "dagster.yaml"


def test_the_deployment_instance_keeps_runs_events_and_schedules_in_postgres(pg_dsn, tmp_path, monkeypatch):
    shutil.copy(CONFIG, tmp_path / "dagster.yaml")
    dsn = urlsplit(pg_dsn)
    for name, value in {
        "DAGSTER_PG_HOST": dsn.hostname,
        "DAGSTER_PG_PORT": str(dsn.port or 5432),
        "DAGSTER_PG_USER": dsn.username or "postgres",
        "DAGSTER_PG_PASSWORD": dsn.password or "",
        "DAGSTER_PG_DB": dsn.path.lstrip("/"),
    }.items():
        monkeypatch.setenv(name, value)

    @dg.asset
    def probe() -> int:
        return 1

    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        result = dg.materialize([probe], instance=instance)
    with psycopg2.connect(pg_dsn) as con, con.cursor() as cur:
        cur.execute("select run_id, status from runs")
        assert cur.fetchall() == [(result.run_id, "SUCCESS")]
        cur.execute("select count(*) from event_logs where run_id = %s", (result.run_id,))
        assert cur.fetchone()[0] > 5


def status(url: str, body: dict | None = None, token: str | None = None) -> int:
    """The HTTP status of a GET, or of a POST of `body` as JSON, with `token` as bearer token."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = None if body is None else json.dumps(body).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_demo_odoo_takes_its_secrets_from_the_environment():
    """`odoo-sim serve` as the compose file's `odoo` service runs it: the password, the carrier token
    and the webhook URL (the receiver's token in it) under the names the compose file sets, none on
    the command line, where `ps` would show them."""
    names = set(yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["odoo"]["environment"])
    assert names == {"ODOO_SIM_PASSWORD", "ODOO_SIM_CARRIER_TOKEN", "ODOO_SIM_WEBHOOK_URL"}
    password, carrier_token, hook_token = "sim-password-4711", "sim-carrier-token-4711", "sim-hook-token-4711"
    posted: list[str] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            posted.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    with serve_http(Receiver) as receiver:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_SIM_")}
        env.update(
            ODOO_SIM_PASSWORD=password,
            ODOO_SIM_CARRIER_TOKEN=carrier_token,
            ODOO_SIM_WEBHOOK_URL=f"{receiver}/odoo/{hook_token}",
        )
        command = ["-m", "odoo_sim.cli", "serve", "--port", str(port), "--scale", "0.05", "--as-of", AS_OF]
        proc = subprocess.Popen(
            [sys.executable, *command], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: status(f"{url}/web/webclient/version_info", {}) == 200, 120, "odoo-sim", proc)
            cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
            assert not [s for s in (password, carrier_token, hook_token) if s.encode() in cmdline]

            odoo = odoorpc.ODOO("127.0.0.1", port=port, timeout=30)
            with pytest.raises(odoorpc.error.RPCError):
                odoo.login(DB, "admin", "admin")  # the default password is replaced, not added to
            odoo.login(DB, "admin", password)
            shipments = f"{url}/carrier-api/v1/shipments?page=1"
            assert (status(shipments, token=carrier_token), status(shipments, token="carrier-demo-token")) == (200, 401)
            # the fault injection endpoint is protected by the password from the environment too
            faults = f"{url}/sim/admin/faults"
            assert (status(faults, {"admin_password": password}), status(faults, {"admin_password": "admin"})) == (
                200,
                403,
            )

            partner = odoo.env["res.partner"].create({"name": "Hooked"})
            odoo.env["res.partner"].unlink([partner])
            wait_until(lambda: posted, 20, "the webhook")
            assert set(posted) == {f"/odoo/{hook_token}"}
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_the_image_runs_unprivileged_under_umask_077_without_local_files():
    """Builds and runs deploy/Dockerfile where a Docker engine answers; CI has none (test_compose.py
    checks the same Dockerfile and .dockerignore without one)."""
    engine = shutil.which("docker") and subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode
    if engine != 0:
        pytest.skip("no Docker engine answers here")
    tag = "odoo-distribution-reporting:test"
    subprocess.run(["docker", "build", "-f", "deploy/Dockerfile", "-t", tag, "."], cwd=ROOT, check=True, timeout=1800)
    probe = 'id -u; umask; touch "$DAGSTER_HOME/probe"; stat -c %a "$DAGSTER_HOME/probe"; ls -A /app'
    out = subprocess.run(
        ["docker", "run", "--rm", tag, "sh", "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert out[:3] == ["10001", "0077", "600"]  # not root; what it creates is its own only
    copied = {"pyproject.toml", "README.md", "reporting_assets", "odoo_sim", "dbt_project", "deploy"}
    assert set(out[3:]) == copied | {"odoo_distribution_reporting.egg-info"}  # no .env, .venv, tests
