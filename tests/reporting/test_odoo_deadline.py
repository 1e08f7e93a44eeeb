"""ODOO_TIMEOUT bounds a whole request, not each socket read.

The demo server's `trickle_ms` fault sends the body of every answer one byte at a time: with a
byte every 2 s, no read waits as long as a timeout of 3 s, so a timeout per read never trips and
a 50-byte answer takes 100 s. With the deadline, each attempt ends after the timeout, the retries
run, and the error is the client's one line about a timeout.
"""

from __future__ import annotations

import time

import pytest
from support.servers import DB, Server

from reporting_assets.carrier.client import CarrierClient, CarrierError, CarrierSettings
from reporting_assets.odoo.client import OdooError
from reporting_assets.resources import OdooResource
from reporting_assets.settings import get_settings

pytestmark = [
    pytest.mark.slow,  # starts a demo server; `make test-fast` skips it
    pytest.mark.timeout(60),  # without the deadline, a test waits minutes for the trickled answer
]

API_KEY = "test-api-key"  # the tests' demo server accepts it in place of the password
SLACK = 3.0  # seconds allowed on top of the timeouts and backoffs, for a slow test machine


@pytest.fixture(scope="module")
def srv():
    server = Server(scale="0.05")
    yield server
    server.stop()


@pytest.fixture
def trickle(srv):
    """Sets the milliseconds between the bytes of every answer; off again after the test."""
    yield lambda ms: srv.admin(trickle_ms=ms)
    srv.admin(reset=True)


def odoo_resource(srv: Server) -> OdooResource:
    """The Odoo resource as `resources_for` builds it, with the configured timeout and retries."""
    settings = get_settings()
    return OdooResource(
        url=srv.url,
        db=DB,
        username="admin",
        password=API_KEY,
        timeout=settings.odoo_timeout,
        retries=settings.odoo_retries,
    )


def test_a_trickled_answer_fails_at_the_deadline_and_is_retried(srv, trickle, monkeypatch):
    monkeypatch.setenv("ODOO_TIMEOUT", "3")
    monkeypatch.setenv("ODOO_RETRIES", "1")
    client = odoo_resource(srv).client()
    assert client.search_count("res.partner", []) > 0
    trickle(2000)
    started = time.monotonic()
    with pytest.raises(OdooError) as err:
        client.search_count("res.partner", [])
    took = time.monotonic() - started
    # two attempts of 3 s and a backoff of 0.25 s between them; a timeout per read would take minutes
    assert took < 2 * 3 + 0.25 + SLACK
    assert str(err.value) == f"Odoo at {srv.url} did not answer within 3 s (ODOO_TIMEOUT); tried 2 times"
    assert API_KEY not in str(err.value)


def test_a_deadline_failure_at_connect_trips_the_circuit(srv, trickle, monkeypatch):
    """The resources' circuit remembers a failed connection as its one-line error: a deadline
    passed is an unreachable Odoo, and the next asset fails at once with the same line."""
    monkeypatch.setenv("ODOO_TIMEOUT", "1")
    monkeypatch.setenv("ODOO_RETRIES", "0")
    trickle(400)  # every read waits 0.4 s, well under the timeout
    with pytest.raises(OdooError, match=r"did not answer within 1 s \(ODOO_TIMEOUT\); tried 1 times") as first:
        odoo_resource(srv).client()
    started = time.monotonic()
    with pytest.raises(OdooError) as again:
        odoo_resource(srv).client()
    assert str(again.value) == str(first.value)
    assert time.monotonic() - started < 0.5


def test_the_carrier_client_has_the_same_deadline(srv, trickle):
    client = CarrierClient(
        CarrierSettings(f"{srv.url}/carrier-api/v1", "carrier-demo-token", timeout=1, retries=0, page_size=10)
    )
    trickle(400)
    started = time.monotonic()
    with pytest.raises(CarrierError) as err:
        client.shipments_page(None, 1)
    assert time.monotonic() - started < 1 + SLACK
    assert str(err.value) == f"the carrier API at {srv.url}/carrier-api/v1 did not answer within 1 s; tried 1 times"
