"""docker-compose.yml, validated by Debian's `docker-compose config` (it parses, interpolates and
checks a Compose file without a Docker engine; none runs here). The same deployment shape runs as
real processes in tests/reporting/test_stack.py."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "POSTGRES_PASSWORD": "pg-secret",
    "ODOO_PASSWORD": "odoo-secret",
    "CARRIER_API_TOKEN": "carrier-secret",
    "REPORTING_WEBHOOK_TOKEN": "hook-secret-0123456789",
}
REPORTING_SERVICES = {"migrate", "odoo", "code", "webserver", "daemon", "webhooks"}


def compose_config(tmp_path: Path, values: dict) -> subprocess.CompletedProcess:
    if shutil.which("docker-compose") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-compose is required under CI=true (.ci/run installs Debian's package)")
        pytest.skip("docker-compose not installed (apt-get install docker-compose); it validates docker-compose.yml")
    env_file = tmp_path / "compose.env"  # and not the developer's .env
    env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        ["docker-compose", "--env-file", str(env_file), "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_the_compose_file_describes_the_whole_deployment(tmp_path):
    done = compose_config(tmp_path, SECRETS)
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    assert set(services) == REPORTING_SERVICES | {"postgres", "mail"}

    for name in REPORTING_SERVICES:
        env = services[name]["environment"]
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (env["DAGSTER_PG_HOST"], env["DAGSTER_PG_DB"], env["DAGSTER_PG_PASSWORD"]) == (
            "postgres",
            "dagster",
            "pg-secret",
        )
        assert env["REPORTING_WAREHOUSE"] == "postgres"
        assert env["REPORTING_PG_DSN"] == "postgresql://reporting:pg-secret@postgres:5432/warehouse"
        assert (env["ODOO_PASSWORD"], env["REPORTING_WEBHOOK_TOKEN"]) == ("odoo-secret", "hook-secret-0123456789")
        assert env["REPORTING_SMTP_HOST"] == "mail" and env["REPORTING_SMTP_PORT"] == "1025"

    # the code location serves gRPC on the port the webserver's and the daemon's workspace names
    workspace = yaml.safe_load((ROOT / "deploy" / "workspace.yaml").read_text())["load_from"][0]["grpc_server"]
    assert services["code"]["command"][:3] == ["dagster", "code-server", "start"]
    assert services["code"]["command"][services["code"]["command"].index("-p") + 1] == str(workspace["port"])
    assert workspace["host"] == "code"
    for name in ("webserver", "daemon"):
        assert services[name]["command"][-2:] == ["-w", "deploy/workspace.yaml"]
        assert services[name]["depends_on"]["code"]["condition"] == "service_healthy"
    assert (
        services["webserver"]["command"][0] == "dagster-webserver"
        and services["daemon"]["command"][0] == "dagster-daemon"
    )
    # storage and the pool slot exist before anything that uses the instance starts
    for name in ("code", "webserver", "daemon", "webhooks"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # the demo Odoo posts its automation-rule webhooks to the receiver, with the token
    odoo = services["odoo"]["command"]
    assert odoo[odoo.index("--webhook-url") + 1] == "http://webhooks:8070/odoo/hook-secret-0123456789"
    assert services["webhooks"]["command"][:2] == ["reporting", "webhooks"]
    # the database initialisation creates the two databases the services use
    init = (ROOT / "deploy" / "postgres-init.sql").read_text()
    assert "CREATE DATABASE dagster" in init and "CREATE DATABASE warehouse" in init
    assert f"{ROOT}/deploy/postgres-init.sql:/docker-entrypoint-initdb.d/init.sql:ro" in services["postgres"]["volumes"]
    assert services["mail"]["image"].startswith("axllent/mailpit")  # SMTP on 1025, caught mail on :8025


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_a_missing_secret_is_named(tmp_path, missing):
    done = compose_config(tmp_path, {k: v for k, v in SECRETS.items() if k != missing})
    assert done.returncode != 0
    assert f"set {missing} (in .env)" in done.stderr
