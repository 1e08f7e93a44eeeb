"""The deployment shape of docker-compose.yml on one machine, without Docker: a code server (gRPC),
`dagster-daemon` and `dagster-webserver` as separate processes on the PostgreSQL-backed instance of
`deploy/dagster.yaml`, and the webhook receiver `reporting webhooks`. Used by tests/test_stack.py
and benchmarks/latency.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from support.servers import DB, free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WEBHOOK_TOKEN = "stack-webhook-token-0123456789"
QUIET = 15

RUNS_QUERY = """
query Runs {
  runsOrError(limit: 200) {
    __typename
    ... on Runs { results { runId status creationTime startTime endTime tags { key value } assetSelection { path } } }
    ... on PythonError { message }
  }
}"""

LOCATIONS_QUERY = """
query Locations {
  workspaceOrError {
    ... on Workspace { locationEntries { name loadStatus locationOrLoadError {
        __typename ... on PythonError { message } } } }
  }
}"""


class Stack:
    """Start with `with Stack(...) as stack:`; the receiver's port is known before the demo Odoo starts
    (`webhook_url`), so that the demo Odoo can post to it."""

    def __init__(self, tmp: Path, pg_dsn: str):
        self.tmp, self.pg_dsn = tmp, pg_dsn
        self.webhook_port, self.web_port, self.grpc_port = free_port(), free_port(), free_port()
        self.webhook_url = f"http://127.0.0.1:{self.webhook_port}/odoo/{WEBHOOK_TOKEN}"
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.procs: dict[str, subprocess.Popen] = {}
        self._logs: list = []

    def env(self, odoo_url: str) -> dict:
        dsn = urlsplit(self.pg_dsn)
        home = self.tmp / "dagster_home"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ODOO_", "CARRIER_", "REPORTING_", "DAGSTER_"))}
        env.update(
            DAGSTER_HOME=str(home),
            DAGSTER_PG_HOST=dsn.hostname,
            DAGSTER_PG_PORT=str(dsn.port or 5432),
            DAGSTER_PG_USER=dsn.username or "postgres",
            DAGSTER_PG_PASSWORD=dsn.password or "",
            DAGSTER_PG_DB=dsn.path.lstrip("/"),
            ODOO_URL=odoo_url,
            ODOO_DB=DB,
            ODOO_USERNAME="admin",
            ODOO_PASSWORD="admin",
            CARRIER_API_URL=odoo_url + "/carrier-api/v1",
            CARRIER_API_TOKEN="carrier-demo-token",
            REPORTING_WAREHOUSE="postgres",
            REPORTING_PG_DSN=self.pg_dsn,
            REPORTING_WEBHOOK_TOKEN=WEBHOOK_TOKEN,
            DAGSTER_WEBSERVER_URL=self.web_url,
        )
        return env

    def start(self, odoo_url: str) -> Stack:
        env = self.env(odoo_url)
        home = Path(env["DAGSTER_HOME"])
        home.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
        workspace = self.tmp / "workspace.yaml"
        workspace.write_text(
            f"load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {self.grpc_port}\n"
            f"      location_name: reporting_assets\n"
        )
        # storage and the pool's one slot exist before the processes start (creating them concurrently races)
        for args in (["instance", "migrate"], ["instance", "concurrency", "set", "warehouse", "1"]):
            subprocess.run([str(BIN / "dagster"), *args], env=env, check=True, capture_output=True, cwd=ROOT)
        self._spawn(
            "code_server",
            [
                str(BIN / "dagster"),
                "code-server",
                "start",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.grpc_port),
                "-m",
                "reporting_assets.definitions",
                "-a",
                "defs",
            ],
            env,
        )
        self._spawn(
            "webserver",
            [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(self.web_port), "-w", str(workspace)],
            env,
        )
        self._wait(
            lambda: self.locations() == {"reporting_assets": "RepositoryLocation"}, 180, "the code location to load"
        )
        self._spawn("daemon", [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)], env)
        self._spawn(
            "webhooks",
            [sys.executable, "-m", "reporting_assets.cli", "webhooks", "--port", str(self.webhook_port)],
            env,
        )
        self._wait(self._receiver_up, 60, "the webhook receiver")
        return self

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        for handle in self._logs:
            handle.close()

    def logs(self) -> str:
        return "\n".join(f"--- {name} ---\n" + (self.tmp / f"{name}.log").read_text()[-4000:] for name in self.procs)

    # --- the webserver's GraphQL API --------------------------------------------------------------
    def graphql(self, query: str) -> dict:
        request = urllib.request.Request(
            self.web_url + "/graphql",
            data=json.dumps({"query": query}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            reply = json.loads(resp.read())
        if reply.get("errors"):
            raise RuntimeError(f"GraphQL errors: {reply['errors']}")
        return reply["data"]

    def locations(self) -> dict[str, str]:
        try:
            entries = self.graphql(LOCATIONS_QUERY)["workspaceOrError"]["locationEntries"]
        except OSError:
            return {}
        return {e["name"]: e["locationOrLoadError"]["__typename"] for e in entries if e["locationOrLoadError"]}

    def runs(self) -> list[dict]:
        """Every run, newest first, with its tags as a dict and its assets as 'a/b' strings."""
        result = self.graphql(RUNS_QUERY)["runsOrError"]
        assert result["__typename"] == "Runs", result
        return [
            {
                **r,
                "tags": {t["key"]: t["value"] for t in r["tags"]},
                "assets": {"/".join(a["path"]) for a in r["assetSelection"] or []},
            }
            for r in result["results"]
        ]

    def wait_for_runs(self, predicate, seconds: float, what: str) -> list[dict]:
        """Waits until `predicate(runs)` returns a non-empty value; fails early when a run failed."""

        def check():
            runs = self.runs()
            failed = [r for r in runs if r["status"] == "FAILURE"]
            assert not failed, f"run failed: {failed[0]}\n{self.logs()}"
            return predicate(runs)

        return self._wait(check, seconds, what)

    def wait_for_catch_up(self, asset: str, seconds: float) -> list[dict]:
        """After the sensors' first look (every raw table) and the automation it sets off: `asset`
        has been built and no run has been queued or in progress for QUIET seconds (longer than a
        tick of the automation sensor, which may still request models after a run ends)."""
        quiet_since: list[float] = []

        def caught_up(runs):
            done = any(asset in r["assets"] for r in runs if r["status"] == "SUCCESS")
            busy = any(r["status"] in ("QUEUED", "NOT_STARTED", "STARTING", "STARTED") for r in runs)
            if busy or not done:
                quiet_since.clear()
                return None
            quiet_since[:] = quiet_since or [time.monotonic()]
            return runs if time.monotonic() - quiet_since[0] >= QUIET else None

        return self.wait_for_runs(caught_up, seconds, f"the first catch-up to build {asset}")

    # --- helpers ------------------------------------------------------------------------------------
    def _spawn(self, name: str, cmd: list[str], env: dict) -> None:
        handle = open(self.tmp / f"{name}.log", "w")
        self._logs.append(handle)
        self.procs[name] = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)

    def _receiver_up(self) -> bool:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.webhook_port}/health", timeout=1).close()
            return True
        except OSError:
            return False

    def _wait(self, predicate, seconds: float, what: str):
        deadline = time.monotonic() + seconds
        while True:
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            assert not dead, f"{dead[0]} exited while waiting for {what}\n{self.logs()}"
            value = predicate()
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out after {seconds:.0f}s waiting for {what}\n{self.logs()}"
            time.sleep(0.5)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
