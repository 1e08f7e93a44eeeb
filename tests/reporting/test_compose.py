"""docker-compose.yml and the image it builds, without a Docker engine (none runs here): the compose
file as Debian's `docker-compose config` parses and interpolates it, deploy/Dockerfile and
.dockerignore as text. The same deployment shape runs as real processes in
tests/reporting/test_stack.py; the demo Odoo's secrets from its environment in test_deployment.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dotenv import dotenv_values

from reporting_assets.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "POSTGRES_PASSWORD": "pg-secret",
    "ODOO_PASSWORD": "odoo-secret",
    "CARRIER_API_TOKEN": "carrier-secret",
    "REPORTING_WEBHOOK_TOKEN": "hook-secret-0123456789",
}
REPORTING_SERVICES = {"migrate", "odoo", "code", "webserver", "daemon", "webhooks"}
# The services that run the platform itself, with its settings; `odoo` is the demo Odoo.
PLATFORM_SERVICES = REPORTING_SERVICES - {"odoo"}
PUBLISHED = {"webserver": 3000, "odoo": 8069, "webhooks": 8070, "mail": 8025}


def compose_config(tmp_path: Path, values: dict, env_file: Path | None = None) -> subprocess.CompletedProcess:
    """`docker-compose config` with `values` as its .env (or the file `env_file`)."""
    if shutil.which("docker-compose") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-compose is required under CI=true (.ci/run installs Debian's package)")
        pytest.skip("docker-compose not installed (apt-get install docker-compose); it validates docker-compose.yml")
    if env_file is None:
        env_file = tmp_path / "compose.env"  # and not the developer's .env
        env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    # The environment wins over the env file in Compose: keep the test's own settings (conftest sets
    # ODOO_URL and others) and the developer's out of it.
    prefixes = ("ODOO_", "CARRIER_", "REPORTING_", "DAGSTER_", "DEPLOY_", "POSTGRES_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return subprocess.run(
        ["docker-compose", "--env-file", str(env_file), "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def services_of(tmp_path: Path, values: dict, env_file: Path | None = None) -> dict:
    done = compose_config(tmp_path, values, env_file)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)["services"]


def published(port) -> tuple[str, int]:
    """(host address, port) of a `ports` entry of `config`'s output: "127.0.0.1:3000:3000/tcp" from
    docker-compose 1, a mapping with `host_ip` and `published` from Compose 2. "" is every address."""
    if isinstance(port, dict):
        return port.get("host_ip", ""), int(port["published"])
    parts = str(port).split("/")[0].split(":")
    return (parts[0] if len(parts) == 3 else ""), int(parts[-2])


def test_the_compose_file_describes_the_whole_deployment(tmp_path):
    done = compose_config(tmp_path, SECRETS)
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    assert set(services) == REPORTING_SERVICES | {"postgres", "mail"}

    for name in REPORTING_SERVICES:
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
    for name in PLATFORM_SERVICES:
        env = services[name]["environment"]
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
    assert services["odoo"]["command"][:2] == ["odoo-sim", "serve"]
    assert services["odoo"]["environment"]["ODOO_SIM_WEBHOOK_URL"] == "http://webhooks:8070/odoo/hook-secret-0123456789"
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


def test_published_ports_listen_on_localhost_unless_deploy_bind_opens_them(tmp_path):
    """The Dagster UI has no login and the demo Odoo a fault injection endpoint: by default nothing
    is reachable from the network; DEPLOY_BIND is the one documented way to open the ports."""
    for values, address in ((SECRETS, "127.0.0.1"), ({**SECRETS, "DEPLOY_BIND": "0.0.0.0"}, "0.0.0.0")):
        services = services_of(tmp_path, values)
        ports = {name: [published(p) for p in s.get("ports", [])] for name, s in services.items()}
        assert {name: p for name, p in ports.items() if p} == {
            name: [(address, port)] for name, port in PUBLISHED.items()
        }


def test_no_secret_is_on_a_command_line(tmp_path):
    """A command line is visible to every user of the host (`ps`): the secrets travel in the
    environment only, and the demo Odoo gets just its own, under the names `odoo-sim serve` reads."""
    services = services_of(tmp_path, SECRETS)
    for name, service in services.items():
        shown = json.dumps([service.get("command"), service.get("entrypoint"), service.get("healthcheck")])
        for secret in SECRETS.values():
            assert secret not in shown, f"{name}'s command line holds a secret"
    assert services["odoo"]["environment"] == {
        "ODOO_SIM_PASSWORD": "odoo-secret",
        "ODOO_SIM_CARRIER_TOKEN": "carrier-secret",
        "ODOO_SIM_WEBHOOK_URL": "http://webhooks:8070/odoo/hook-secret-0123456789",
    }


def readme_deployment_commands() -> str:
    """The shell block of README.md's "Deployment" section, without its `docker compose` line."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Deployment\n")[1].split("\n## ")[0]
    block = section.split("```sh\n")[1].split("```")[0]
    assert "cp .env.example .env" in block
    return "".join(line + "\n" for line in block.splitlines() if not line.startswith("docker "))


def test_the_env_example_as_the_readme_says_points_the_containers_at_the_services(tmp_path):
    """`cp .env.example .env` plus the README's generated secrets: `docker compose up` works, with the
    containers reaching each other by service name, while `reporting` on this machine still reads
    the same file as its local settings (the demo Odoo on 127.0.0.1)."""
    (tmp_path / ".env.example").write_text((ROOT / ".env.example").read_text())
    subprocess.run(["bash", "-euc", readme_deployment_commands()], cwd=tmp_path, check=True, timeout=60)
    env_file = tmp_path / ".env"
    services = services_of(tmp_path, {}, env_file)

    for name in PLATFORM_SERVICES:
        env = services[name]["environment"]
        assert env["ODOO_URL"] == "http://odoo:8069", name
        assert env["CARRIER_API_URL"] == "http://odoo:8069/carrier-api/v1"
        assert (env["REPORTING_SMTP_HOST"], env["REPORTING_SMTP_PORT"]) == ("mail", "1025")
        assert env["DAGSTER_PG_HOST"] == "postgres" and env["REPORTING_WAREHOUSE"] == "postgres"
        settings = Settings.from_env(env)  # a configuration the platform accepts, empty values defaulted
        assert settings.odoo_url == "http://odoo:8069" and settings.carrier_configured
    # the demo Odoo accepts the login, token and webhook secret the platform uses
    platform, odoo = services["code"]["environment"], services["odoo"]["environment"]
    assert (platform["ODOO_DB"], platform["ODOO_USERNAME"]) == ("distribution_demo", "admin")  # odoo-sim's
    assert odoo["ODOO_SIM_PASSWORD"] == platform["ODOO_PASSWORD"]
    assert odoo["ODOO_SIM_CARRIER_TOKEN"] == platform["CARRIER_API_TOKEN"]
    assert odoo["ODOO_SIM_WEBHOOK_URL"] == f"http://webhooks:8070/odoo/{platform['REPORTING_WEBHOOK_TOKEN']}"

    local = Settings.from_env(dotenv_values(env_file))
    assert local.odoo_url == "http://127.0.0.1:8069" and local.warehouse == "duckdb"


def test_local_addresses_in_env_stay_local_and_deploy_names_change_the_containers(tmp_path):
    local = {
        "ODOO_URL": "http://127.0.0.1:8069",
        "CARRIER_API_URL": "http://127.0.0.1:8069/carrier-api/v1",
        "REPORTING_SMTP_HOST": "127.0.0.1",
        "REPORTING_SMTP_USER": "me",
        "REPORTING_SMTP_STARTTLS": "true",
        "DAGSTER_WEBSERVER_URL": "http://localhost:3100",
    }
    env = services_of(tmp_path, {**SECRETS, **local})["code"]["environment"]
    assert (env["ODOO_URL"], env["REPORTING_SMTP_HOST"], env["REPORTING_SMTP_USER"]) == ("http://odoo:8069", "mail", "")
    assert env["DAGSTER_WEBSERVER_URL"] == "http://localhost:3000"

    deploy = {
        "DEPLOY_ODOO_URL": "https://odoo.example.com",
        "DEPLOY_CARRIER_API_URL": "https://carrier.example.com/v1",
        "DEPLOY_SMTP_HOST": "smtp.example.com",
        "DEPLOY_SMTP_PORT": "587",
        "DEPLOY_SMTP_USER": "alerts",
        "DEPLOY_SMTP_PASSWORD": "smtp-secret",
        "DEPLOY_SMTP_STARTTLS": "true",
        "DEPLOY_WEBSERVER_URL": "https://reporting.example.com",
    }
    env = services_of(tmp_path, {**SECRETS, **local, **deploy})["code"]["environment"]
    settings = Settings.from_env(env)
    assert (settings.odoo_url, settings.carrier_api_url) == (
        "https://odoo.example.com",
        "https://carrier.example.com/v1",
    )
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password) == (
        "smtp.example.com",
        587,
        "alerts",
        "smtp-secret",
    )
    assert settings.smtp_starttls and settings.webserver_url == "https://reporting.example.com"


# --- the image (deploy/Dockerfile, .dockerignore) ------------------------------------------------

DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()


def instruction(name: str) -> list[str]:
    """The arguments of every `name` instruction of the Dockerfile, in order."""
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.*)$", DOCKERFILE, re.MULTILINE)]


def test_the_image_runs_as_an_unprivileged_user_under_umask_077(tmp_path):
    user = instruction("USER")
    assert user and user[-1].split(":")[0] not in ("root", "0")
    # The entrypoint, run here as it runs in the image: what the service creates is its owner's only.
    entrypoint = json.loads(instruction("ENTRYPOINT")[-1])
    created = tmp_path / "warehouse.duckdb"
    script = "import os, sys; open(sys.argv[1], 'w').close(); os.mkdir(sys.argv[1] + '.d')"
    subprocess.run([*entrypoint, sys.executable, "-c", script, str(created)], check=True, timeout=60)
    assert created.stat().st_mode & 0o777 == 0o600
    assert Path(f"{created}.d").stat().st_mode & 0o777 == 0o700


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent folders decides;
    `*` stays within a path segment, `**` crosses them, `!` re-includes."""
    excluded = False
    parts = path.split("/")
    for pattern in patterns:
        negate, pattern = pattern.startswith("!"), pattern.lstrip("!")
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        if any(re.fullmatch(regex, "/".join(parts[:i])) for i in range(1, len(parts) + 1)):
            excluded = not negate
    return excluded


def test_the_build_context_holds_only_what_the_image_copies():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    # secrets, local state and build output never reach the Docker daemon
    for path in (
        ".env",
        ".venv/bin/python",
        ".git/HEAD",
        ".reporting/warehouse.duckdb",
        ".reporting/dagster/dagster.yaml",
        "dbt_project/target/manifest.json",
        "reporting_assets/__pycache__/cli.cpython-311.pyc",
        "tests/conftest.py",
    ):
        assert dockerignored(path, patterns), path
    # every file of the repository the Dockerfile copies is there
    sources = [arg for copy in instruction("COPY") for arg in copy.split()[:-1]]
    tracked = subprocess.run(
        ["git", "ls-files", "--", *sources], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(tracked) > 50
    assert [path for path in tracked if dockerignored(path, patterns)] == []
