"""`make demo` and `make dev` as a user runs them (`python -m reporting_assets.demo`), on a small scale."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import odoorpc
import pytest
from support.servers import free_port, wait_until

from reporting_assets.reports.definition import CATALOG

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it


def demo_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODOO_", "CARRIER_", "REPORTING_", "DAGSTER_"))}
    env.update(
        DAGSTER_HOME=str(tmp_path / "dagster"),
        REPORTING_DUCKDB_PATH=str(tmp_path / "warehouse.duckdb"),
        REPORTING_REPORTS_DIR=str(tmp_path / "reports"),
    )
    return env


def test_make_demo_materializes_everything_and_says_where_it_is(tmp_path):
    env = demo_env(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "reporting_assets.demo", "--port", str(free_port()), "--scale", "0.2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    with duckdb.connect(env["REPORTING_DUCKDB_PATH"], read_only=True) as con:
        warehouses = [r[0] for r in con.execute("select name from raw_odoo.stock_warehouse").fetchall()]
        marts = con.execute("select count(*) from information_schema.tables where table_schema = 'marts'").fetchone()[0]
    assert warehouses and all(f"\n{name}" in out for name in warehouses)  # a headline row per warehouse
    assert marts >= 15
    assert "Checks: " in out and " passed, 0 failed" in out
    assert env["REPORTING_DUCKDB_PATH"] in out and env["DAGSTER_HOME"] in out
    assert "make docs" in out and "dbt.log" in out and "Done." in out
    # The daily pack: every daily report rendered, each printed with where its HTML is.
    daily = [p.stem for p in CATALOG.glob("*.yml") if "cadence: daily" in p.read_text()]
    assert len(daily) >= 7
    for report_id in daily:
        (html,) = re.findall(rf"reports/{report_id} \S+: (\S+/report\.html)", out)
        assert Path(html).is_file() and html.startswith(env["REPORTING_REPORTS_DIR"])


def test_make_demo_fails_loudly_when_the_demo_odoo_cannot_start(tmp_path):
    with socket.socket() as busy:  # something else already holds the port
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        done = subprocess.run(
            [sys.executable, "-m", "reporting_assets.demo", "--port", str(busy.getsockname()[1]), "--scale", "0.05"],
            env=demo_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode != 0
    assert "the demo Odoo did not start" in done.stderr


def graphql(ui_port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{ui_port}/graphql",
        json.dumps({"query": query}).encode(),
        {"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.loads(resp.read())["data"]


def test_make_dev_serves_the_ui_with_sensors_schedule_and_webhooks(tmp_path):
    ui_port, odoo_port = free_port(), free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reporting_assets.demo",
            "--dev",
            "--port",
            str(odoo_port),
            "--scale",
            "0.05",
            "--ui-port",
            str(ui_port),
            "--webhook-port",
            str(free_port()),
        ],
        env=demo_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    definitions = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
                       sensors { name sensorState { status } } schedules { name scheduleState { status } } } } } }"""
    hints = """{ assetOrError(assetKey: {path: ["odoo_change_hints"]}) { ... on Asset {
                 assetObservations(limit: 10) { metadataEntries { label ... on TextMetadataEntry { text } } } } } }"""
    try:
        nodes = wait_until(
            lambda: graphql(ui_port, definitions)["repositoriesOrError"].get("nodes"), 240, "the UI", proc
        )
        sensors = {s["name"]: s["sensorState"]["status"] for s in nodes[0]["sensors"]}
        schedules = {s["name"]: s["scheduleState"]["status"] for s in nodes[0]["schedules"]}
        for name in ("odoo_changes", "carrier_changes", "kpi_automation", "alert_on_run_failure"):
            assert sensors[name] == "RUNNING", sensors
        assert schedules == {"daily_full_refresh": "RUNNING"}

        odoo = odoorpc.ODOO("127.0.0.1", port=odoo_port, timeout=30)
        odoo.login("distribution_demo", "admin", "admin")
        odoo.env["stock.picking"].write(odoo.env["stock.picking"].search([], limit=1), {"origin": "DEV"})
        observed = wait_until(
            lambda: graphql(ui_port, hints)["assetOrError"].get("assetObservations"), 60, "the hint", proc
        )
        assert {"label": "model", "text": "stock.picking"} in observed[0]["metadataEntries"]
        command_lines = [_cmdline(pid) for pid in _descendants(proc.pid)]
        assert len(command_lines) >= 4  # the demo, the demo Odoo, the receiver, dagster dev ...
        assert not [c for c in command_lines if "/odoo/" in c]  # ... and no webhook secret for `ps` to show
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole group
        out = proc.communicate(timeout=90)[0]
    assert f"http://localhost:{ui_port}" in out
    assert proc.returncode == 0, out[-3000:]
    assert "Traceback" not in out and "Stopped Dagster, the webhook receiver and the demo Odoo." in out


def _descendants(root: int) -> list[int]:
    """The process and every process below it (children, grandchildren...), from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit():
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        except OSError:
            pass
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_ctrl_c_on_make_docs_in_a_terminal_ends_quietly_with_exit_0():
    """Under `make`, in a real (pseudo) terminal: Ctrl-C must not make `make` report an error."""
    port = free_port()
    pid, fd = pty.fork()
    if pid == 0:  # the child: make, with the pty as its controlling terminal, as in a shell
        os.chdir(Path(__file__).resolve().parents[2])
        os.execvp("make", ["make", "--no-print-directory", "docs", f"DOCS_PORT={port}"])
    out = b""
    deadline = time.monotonic() + 240
    while b"dbt docs at" not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    assert b"dbt docs at" in out, out.decode(errors="replace")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as page:
        assert b"dbt" in page.read()
    os.write(fd, b"\x03")  # Ctrl-C
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    text = out.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    for noise in ("Error", "Aborted", "Traceback", "Interrupt"):
        assert noise not in text, text
