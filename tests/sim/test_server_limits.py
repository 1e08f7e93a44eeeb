"""The demo server guards itself against what any client that reaches it may send: a body over
the limit is refused before it is read, a missing or bad Content-Length means no body (the server
never reads to the end of a stream that may not end), the admin endpoint checks every value and
answers 429 to a client that calls it too often. A real server process, which must keep answering.
"""

from __future__ import annotations

import http.client
import json
import urllib.error

import pytest
from support.servers import Server, wait_until

from odoo_sim.faults import Faults
from odoo_sim.server import ADMIN_BURST, ADMIN_MAX_BODY, ADMIN_PATH, RPC_MAX_BODY

pytestmark = pytest.mark.slow  # starts a demo server; `make test-fast` skips it


@pytest.fixture(scope="module")
def srv():
    server = Server(scale="0.05")
    yield server
    server.stop()


def post(srv: Server, path: str, length: str | None, body: bytes = b"") -> tuple[int, bytes]:
    """POST with the Content-Length given (None: none), whatever the body; the connection stays
    open, so a server that waited for more of the body would make this time out."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", "application/json")
        if length is not None:
            conn.putheader("Content-Length", length)
        conn.endheaders(body)
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


def assert_alive(srv: Server):
    assert srv.post("/web/webclient/version_info", {})["result"]["server_version"] == "17.0"


@pytest.mark.parametrize("path, limit", [("/jsonrpc", RPC_MAX_BODY), (ADMIN_PATH, ADMIN_MAX_BODY)])
def test_a_body_over_the_limit_is_refused_unread(srv, path, limit):
    status, reply = post(srv, path, str(limit + 1))  # headers only: reading the body would wait
    assert (status, reply) == (413, f"Request body larger than {limit} bytes".encode())
    assert_alive(srv)


def test_an_admin_body_at_the_limit_is_read(srv):
    body = json.dumps({"admin_password": "admin"}).encode().ljust(ADMIN_MAX_BODY)
    status, reply = post(srv, ADMIN_PATH, str(len(body)), body)
    assert status == 200 and json.loads(reply)["faults"] == Faults().settings()


@pytest.mark.parametrize("length", [None, "-1", "-99999999", "abc", "", "1e3"])
def test_a_missing_or_bad_content_length_is_no_body(srv, length):
    """As Odoo (werkzeug) reads it: no body, which is not JSON (400)."""
    assert post(srv, "/jsonrpc", length) == (400, b"Invalid JSON data")
    assert_alive(srv)


@pytest.mark.parametrize(
    "settings, field",
    [
        ({"latency_ms": 60_001}, "latency_ms"),
        ({"trickle_ms": 1.5}, "trickle_ms"),
        ({"fail_every": -1}, "fail_every"),
        ({"cut_every": "3"}, "cut_every"),
        ({"html_every": True}, "html_every"),
        ({"fail_mode": "teapot"}, "fail_mode"),
        ({"reset": "yes"}, "reset"),
        ({"no_such_fault": 1}, "no_such_fault"),
    ],
)
def test_a_bad_admin_value_is_refused_naming_the_field(srv, settings, field):
    with pytest.raises(urllib.error.HTTPError) as err:
        srv.admin(**settings)
    assert err.value.code == 400
    assert field in json.loads(err.value.read())["message"]


def test_one_bad_admin_value_applies_none(srv):
    with pytest.raises(urllib.error.HTTPError, match="400"):
        srv.admin(fail_every=3, latency_ms=10**9)
    assert srv.admin()["faults"] == Faults().settings()


def test_an_admin_body_that_is_not_an_object_is_refused(srv):
    status, reply = post(srv, ADMIN_PATH, "2", b"[]")
    assert status == 400 and json.loads(reply)["message"] == "the body must be a JSON object"


def test_a_burst_of_admin_requests_is_limited(srv):
    statuses = []
    for _ in range(2 * ADMIN_BURST):
        try:
            srv.admin()
            statuses.append(200)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
    assert statuses[0] == 200 and 429 in statuses and set(statuses) == {200, 429}
    assert_alive(srv)  # JSON-RPC is not limited
    wait_until(srv.admin, 5, "the admin endpoint to answer again")
