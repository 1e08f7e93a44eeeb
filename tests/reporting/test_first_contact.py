"""The CLI as a new user meets it: settings from .env, one clear line per problem, `reporting check`."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys

import duckdb
import pytest
from support.cli import cli_env, reporting
from support.servers import serve_http, wait_until

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it

REQUIRED = ("ODOO_URL", "ODOO_DB", "ODOO_USERNAME", "ODOO_PASSWORD")


def only_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize("missing", REQUIRED)
def test_a_missing_required_variable_is_one_line_naming_it_and_exit_2(server, tmp_path, missing):
    env = cli_env(server, tmp_path)
    del env[missing]
    done = reporting(env, "run")
    assert done.returncode == 2
    line = only_line(done.stderr)
    assert line.startswith(f"error: {missing} is not set: ")
    assert line.endswith("set it in .env (start from .env.example) or in the environment")


def test_dotenv_in_the_current_directory_is_read_and_the_environment_wins(server, tmp_path):
    env = cli_env(server, tmp_path)
    dotenv = "\n".join(f"{name}={env.pop(name)}" for name in REQUIRED)
    (tmp_path / ".env").write_text(f"# copied from .env.example\n{dotenv}\nODOO_WORKERS=0\n")
    done = reporting(env, "ingest", "--models", "uom.uom")  # ODOO_WORKERS=0 from .env is refused ...
    assert (done.returncode, only_line(done.stderr)) == (2, "error: ODOO_WORKERS must be a number >= 1, got '0'")
    done = reporting({**env, "ODOO_WORKERS": "2"}, "ingest", "--models", "uom.uom")  # ... unless the env says
    assert done.returncode == 0, done.stderr
    assert "raw_odoo/uom_uom" in done.stdout


@pytest.mark.parametrize(
    "value, message",
    [
        (
            "/etc/passwd/warehouse.duckdb",
            "REPORTING_DUCKDB_PATH=/etc/passwd/warehouse.duckdb: /etc/passwd is a file, not a folder; "
            "point it at a file "
            "in a writable folder",
        ),
        ("{tmp}", "REPORTING_DUCKDB_PATH={tmp} is not a file; point it at a file name in a writable folder"),
    ],
)
def test_an_unusable_duckdb_path_is_named_before_anything_runs(server, tmp_path, value, message):
    value = value.format(tmp=tmp_path)
    done = reporting(cli_env(server, tmp_path, REPORTING_DUCKDB_PATH=value), "run")
    assert (done.returncode, only_line(done.stderr)) == (2, f"error: {message.format(tmp=tmp_path)}")


def test_a_misspelt_model_gets_a_suggestion_and_the_list(server, tmp_path):
    done = reporting(cli_env(server, tmp_path), "ingest", "--models", "sale.ordr")
    assert done.returncode == 2
    line = done.stderr.strip().splitlines()[-1]
    assert "unknown Odoo model 'sale.ordr'; did you mean 'sale.order'?" in line
    assert line.endswith(", delivery.carrier, carrier")


def test_help_lists_every_environment_variable(server, tmp_path):
    done = reporting(cli_env(server, tmp_path), "--help")
    assert done.returncode == 0
    for name in (*REQUIRED, "CARRIER_API_URL", "REPORTING_DUCKDB_PATH", "REPORTING_PG_DSN", "ODOO_WORKERS"):
        assert f"\n  {name} " in done.stdout, name


class _PlainHttp(http.server.BaseHTTPRequestHandler):
    """A web server that is not Odoo: GET only, so a JSON-RPC POST gets 501."""

    def do_GET(self):
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def plain_http_url():
    with serve_http(_PlainHttp) as url:
        yield url


def test_a_server_that_is_not_odoo_is_said_at_once_without_retries_or_traceback(server, tmp_path, plain_http_url):
    done = reporting(cli_env(server, tmp_path, ODOO_URL=plain_http_url), "ingest", "--models", "sale.order")
    assert done.returncode == 1
    assert only_line(done.stderr) == (
        f"error: {plain_http_url} does not look like an Odoo server: /web/webclient/version_info answered HTTP 501"
    )
    assert "retry" not in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert len(done.stdout.splitlines()) <= 3  # progress and where the full logs are, not 100 lines of traces

    verbose = reporting(
        cli_env(server, tmp_path, ODOO_URL=plain_http_url), "--verbose", "ingest", "--models", "sale.order"
    )
    assert verbose.returncode == 1 and "Stack Trace" in verbose.stdout + verbose.stderr


def test_retries_are_logged_once(server, tmp_path):
    server.admin(fail_every=7, fail_mode="http500")
    try:
        done = reporting(cli_env(server, tmp_path), "ingest", "--models", "uom.uom")
    finally:
        server.admin(reset=True)
    assert done.returncode == 0, done.stderr
    retries = [line for line in (done.stdout + done.stderr).splitlines() if "retry 1/" in line]
    assert len(retries) == len(set(retries)) >= 1  # each retry once, not once per logger


def test_check_reports_a_good_setup_line_by_line(server, tmp_path):
    done = reporting(cli_env(server, tmp_path, CARRIER_API_URL=""), "check")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {
        line.split()[1]: line.split()[0]
        for line in done.stdout.splitlines()
        if line[:5].strip() in ("ok", "note", "FAIL")
    }
    assert rows["odoo"] == "ok" and rows["warehouse"] == "ok" and rows["dbt"] == "ok"
    assert rows["sale.order"] == "ok" and rows["carrier"] == "note"  # "carrier API": optional, not configured
    warehouse = tmp_path / "warehouse.duckdb"  # dbt debug may create it, empty: nothing is extracted
    if warehouse.exists():
        with duckdb.connect(str(warehouse), read_only=True) as con:
            raw = "select count(*) from information_schema.tables where table_schema like 'raw_%'"
            assert con.execute(raw).fetchone()[0] == 0
    assert "Ready" in done.stdout


@pytest.mark.parametrize(
    "broken, subject, detail",
    [
        ({"ODOO_PASSWORD": "wrong-password-123"}, "odoo", "Odoo rejected the login of user 'admin'"),
        ({"ODOO_DB": "nope"}, "odoo", "Odoo database 'nope' does not exist"),
        ({"CARRIER_API_TOKEN": "wrong"}, "carrier", "rejected the token (CARRIER_API_TOKEN): HTTP 401"),
    ],
)
def test_check_names_what_is_broken(server, tmp_path, broken, subject, detail):
    done = reporting(cli_env(server, tmp_path, **broken), "check")
    assert done.returncode == 1
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 1 and failed[0].split()[1] == subject and detail in failed[0], done.stdout
    assert "wrong-password-123" not in done.stdout + done.stderr


def test_an_unreachable_odoo_is_tried_once_per_run_not_once_per_table(server, tmp_path):
    """The first table's step finds Odoo unreachable after its retries; the other 20 fail at once
    with the same line (a circuit per run) instead of each repeating the connect-and-retry cycle."""
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    done = reporting(cli_env(server, tmp_path, ODOO_URL=url, ODOO_RETRIES="2", CARRIER_API_URL=""), "ingest")
    assert done.returncode == 1
    assert only_line(done.stderr) == f"error: cannot reach Odoo at {url}: [Errno 111] Connection refused"
    retries = [line for line in done.stdout.splitlines() if "retry " in line]
    assert [line.split("retry ")[1].split(" ")[0] for line in retries] == ["1/2", "2/2"]  # one cycle in all


def _hold_duckdb(path: str, seconds: float) -> subprocess.Popen:
    """Another process writing the DuckDB file for a while (DuckDB allows one writer process)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({path!r}); print('held', flush=True); time.sleep({seconds})",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_duckdb_file_held_by_another_process_is_waited_for_then_refused_with_one_line(server, tmp_path):
    env = cli_env(server, tmp_path, REPORTING_DUCKDB_LOCK_WAIT="1")
    holder = _hold_duckdb(env["REPORTING_DUCKDB_PATH"], 60)
    try:
        done = reporting(env, "ingest", "--models", "uom.uom")
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    assert only_line(done.stderr) == (
        f"error: the DuckDB warehouse {env['REPORTING_DUCKDB_PATH']} is in use by another process "
        f"(PID {holder.pid}) that did not release it within 1 s (REPORTING_DUCKDB_LOCK_WAIT); "
        "run again when it has finished"
    )

    # Released while the run waits: as soon as it says it is waiting (however long it took to start).
    holder = _hold_duckdb(env["REPORTING_DUCKDB_PATH"], 120)
    log = tmp_path / "waiting.log"
    with open(log, "w") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "reporting_assets.cli", "ingest", "--models", "uom.uom"],
            env={**env, "REPORTING_DUCKDB_LOCK_WAIT": "60"},
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=tmp_path,
        )
        waiting = f"warning: waiting for the DuckDB warehouse {env['REPORTING_DUCKDB_PATH']}, in use by process "
        wait_until(lambda: waiting in log.read_text(), 60, "the run to say it waits", run)
        holder.kill()
        holder.wait()
        assert run.wait(timeout=120) == 0, log.read_text()
    assert "raw_odoo/uom_uom" in log.read_text()  # it went on and loaded, once the file was free
