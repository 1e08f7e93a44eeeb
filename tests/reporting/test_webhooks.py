"""Webhook hints: the demo Odoo posting automation-rule webhooks to `reporting webhooks` (both real
processes over HTTP), the receiver's answers to bad requests, and the sensor acting on a hint.

The receiver faces whatever reaches its port: the hostile clients below (raw sockets against one
receiver process) each end by checking that it still answers and records a hint."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import dagster as dg
import pytest
from support.servers import Server, free_port, wait_until

from reporting_assets import webhooks
from reporting_assets.defs.odoo_raw import sensors
from reporting_assets.defs.odoo_raw.sensors import odoo_changes
from reporting_assets.odoo.tables import ODOO_TABLES
from reporting_assets.resources import OdooResource
from reporting_assets.webhooks import HINTS_KEY, MAX_BODY, MAX_DEPTH, Recorder, make_server

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it

TOKEN = "hint-token-0123456789abcdef"
HOOK = f"/odoo/{TOKEN}"
PICKING = json.dumps({"_action": "Notify(#1)", "_id": 7, "_model": "stock.picking", "id": 7}).encode()
MB = 1_000_000


def hints(instance: dg.DagsterInstance) -> list[dict]:
    records = instance.fetch_observations(HINTS_KEY, limit=1000, ascending=True).records
    return [{k: v.value for k, v in r.asset_observation.metadata.items()} for r in records]


def post(url: str, body: bytes) -> tuple[int, dict | str]:
    """The status and the answer (JSON, or uvicorn's own text)."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        reply = exc.read()
        return exc.code, json.loads(reply) if exc.headers.get_content_type() == "application/json" else reply.decode()


class Receiver(NamedTuple):
    url: str
    port: int
    proc: subprocess.Popen
    instance: dg.DagsterInstance
    log: Path


def start_receiver(home: Path) -> Receiver:
    """`reporting webhooks` as its own process, on a Dagster instance of its own in `home`, its
    output in `home`/receiver.log."""
    port, log, dagster_home = free_port(), home / "receiver.log", home / "dagster"
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "REPORTING_WEBHOOK_TOKEN": TOKEN}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "reporting_assets.cli", "webhooks", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: urllib.request.urlopen(url + "/health", timeout=1).status == 200, 60, "the receiver", proc)
    return Receiver(url, port, proc, dg.DagsterInstance.from_config(str(dagster_home)), log)


def stop(receiver: Receiver) -> None:
    receiver.proc.terminate()
    receiver.proc.wait(timeout=30)
    receiver.instance.dispose()


@pytest.fixture
def receiver(tmp_path):
    receiver = start_receiver(tmp_path)
    yield receiver
    stop(receiver)


@contextmanager
def serving(recorder: Recorder) -> Iterator[str]:
    """The receiver in a thread of the test (its module's settings patchable); its URL."""
    server = make_server("127.0.0.1", 0, TOKEN, recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_the_demo_odoo_posts_webhooks_that_become_hints(receiver):
    url, instance = receiver.url, receiver.instance
    server = Server("--webhook-url", f"{url}/odoo/{TOKEN}", scale="0.05")
    try:
        rpc = server.client()
        orders = rpc.env["sale.order"].search([["state", "=", "sale"]], limit=3)
        rpc.env["sale.order"].write(orders, {"client_order_ref": "HOOK"})
        partner = rpc.env["res.partner"].create({"name": "Hooked"})
        rpc.env["res.partner"].unlink([partner])
    finally:
        server.stop()
    sim_log = server.proc.stdout.read()
    assert "failed" not in sim_log, sim_log  # every POST answered within Odoo's 1-second timeout

    recorded = wait_until(
        lambda: (h := hints(instance)) and {r["model"] for r in h} == {"sale.order", "res.partner"} and h,
        20,
        "both hints",
    )
    by_model: dict[str, set[str]] = {}
    for hint in recorded:
        by_model.setdefault(hint["model"], set()).update(hint["record_ids"].split(", "))
    assert by_model == {
        "sale.order": {str(i) for i in orders},
        "res.partner": {str(partner)},
    }  # create and unlink: one id
    receiver.proc.terminate()
    receiver.proc.wait(timeout=30)
    assert TOKEN not in receiver.log.read_text()


def test_bad_requests_get_a_clear_refusal_and_record_nothing(receiver):
    url, instance, good = receiver.url, receiver.instance, PICKING
    assert post(f"{url}/odoo/not-the-token", good) == (403, {"error": "wrong webhook token"})
    assert post(f"{url}/elsewhere/{TOKEN}", good)[0] == 404
    status, reply = post(f"{url}/odoo/{TOKEN}", b"<html>")
    assert (status, reply["error"]) == (400, "the body is not JSON")
    status, reply = post(f"{url}/odoo/{TOKEN}", json.dumps({"_model": "hr.employee", "_id": 1}).encode())
    assert status == 400 and "'hr.employee' is not ingested" in reply["error"]
    status, reply = post(f"{url}/odoo/{TOKEN}", json.dumps({"id": 1}).encode())
    assert status == 400 and '"_model"' in reply["error"]
    time.sleep(0.5)
    assert hints(instance) == []
    assert post(f"{url}/odoo/{TOKEN}", good) == (202, {"accepted": "stock.picking"})
    assert wait_until(lambda: hints(instance), 20, "the hint") == [
        {"model": "stock.picking", "records": 1, "record_ids": "7"}
    ]


def test_the_receiver_answers_before_the_hint_is_recorded():
    """Odoo waits one second at most: the request only queues the hint (here nothing records it)."""
    with dg.instance_for_test() as instance:
        recorder = Recorder(instance)  # not started
        with serving(recorder) as url:
            assert post(url + HOOK, json.dumps({"_id": 3, "_model": "stock.move"}).encode())[0] == 202
        assert recorder.queue.get_nowait() == ("stock.move", 3)


def test_the_receiver_refuses_to_start_without_a_real_token(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "REPORTING_WEBHOOK_TOKEN": "short"}
    done = subprocess.run(
        [sys.executable, "-m", "reporting_assets.cli", "webhooks", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "at least 16 characters" in done.stderr


def test_a_hint_makes_the_next_tick_request_the_model_without_waiting_for_the_poll(monkeypatch):
    server = Server(scale="0.05")
    odoo = OdooResource(url=server.url, db="distribution_demo", username="admin", password="admin")
    monkeypatch.setattr(sensors, "INTERVAL", 3600)
    try:
        with dg.instance_for_test() as instance:

            def tick(cursor):
                context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"odoo": odoo})
                return odoo_changes(context), context.cursor

            first, cursor = tick(None)
            assert len(first.asset_selection) == len(ODOO_TABLES)
            server.stop()  # from here on, a tick that asked Odoo would fail
            quiet, cursor = tick(cursor)
            assert isinstance(quiet, dg.SkipReason) and "not due" in quiet.skip_message

            server = Server(scale="0.05")  # the same data: no fingerprint moves
            odoo = OdooResource(url=server.url, db="distribution_demo", username="admin", password="admin")
            instance.report_runless_asset_event(dg.AssetObservation(HINTS_KEY, metadata={"model": "stock.picking"}))
            hinted, cursor = tick(cursor)
            assert {k.to_user_string() for k in hinted.asset_selection} == {"raw_odoo/stock_picking"}
            assert hinted.tags["reporting/trigger"] == "webhook"
            server.stop()
            again, _ = tick(cursor)  # the hint was consumed
            assert isinstance(again, dg.SkipReason)
    finally:
        server.stop()


# Hostile clients, on one receiver process.


@pytest.fixture(scope="module")
def exposed(tmp_path_factory):
    """`reporting webhooks` for the tests below, which leave it as they found it: serving."""
    receiver = start_receiver(tmp_path_factory.mktemp("exposed"))
    yield receiver
    stop(receiver)


def connect(receiver: Receiver) -> socket.socket:
    return socket.create_connection(("127.0.0.1", receiver.port), timeout=60)


def head(*headers: str, method: str = "POST", target: str = HOOK) -> bytes:
    """A request head with these header lines."""
    return "\r\n".join([f"{method} {target} HTTP/1.1", "Host: odoo", *headers, "", ""]).encode()


def answer(sock: socket.socket) -> http.client.HTTPResponse:
    """The response on `sock`, its head read (its body still to read)."""
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response


def exchange(receiver: Receiver, data: bytes) -> tuple[int, bytes]:
    """Sends `data` on a connection of its own: the status and body answered."""
    with connect(receiver) as sock:
        sock.sendall(data)
        response = answer(sock)
        return response.status, response.read()


def send_until_refused(sock: socket.socket, size: int, chunked: bool = False) -> int:
    """Sends up to `size` bytes of body until the receiver hangs up; how many it sent."""
    block = b"x" * 65536
    data = b"10000\r\n" + block + b"\r\n" if chunked else block
    sent = 0
    try:
        while sent < size:
            sock.sendall(data)
            sent += len(block)
    except (BrokenPipeError, ConnectionResetError):
        pass
    return sent


def hang_up(sock: socket.socket) -> None:
    """Closes `sock` with a reset, as a client that crashes or times out does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def resident_mb(receiver: Receiver) -> float:
    status = Path(f"/proc/{receiver.proc.pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


@contextmanager
def logged(receiver: Receiver) -> Iterator[list[str]]:
    """The lines the receiver logs during the block (filled in when it ends)."""
    before = len(receiver.log.read_text().splitlines())
    lines: list[str] = []
    yield lines
    lines += receiver.log.read_text().splitlines()[before:]


def assert_still_serving(receiver: Receiver) -> None:
    assert receiver.proc.poll() is None
    assert post(receiver.url + HOOK, PICKING) == (202, {"accepted": "stock.picking"})


def test_a_negative_content_length_is_refused_before_the_body_is_read(exposed):
    assert_still_serving(exposed)  # warmed up: what follows is measured against a serving process
    resident = resident_mb(exposed)
    with connect(exposed) as sock:
        sock.sendall(head("Content-Length: -1"))
        sent = send_until_refused(sock, 200 * MB)
        assert answer(sock).status == 400  # h11's refusal, sent before the body
    assert sent < 200 * MB  # the receiver hung up instead of reading to the end
    assert resident_mb(exposed) < resident + 50
    assert_still_serving(exposed)


def test_a_body_over_the_limit_gets_413_without_being_read_whole(exposed):
    assert_still_serving(exposed)
    resident = resident_mb(exposed)
    with connect(exposed) as sock:  # declared: refused before any of it is read
        sock.sendall(head("Content-Length: 200000000"))
        response = answer(sock)
        assert (response.status, json.loads(response.read())) == (413, {"error": f"body larger than {MAX_BODY} bytes"})
        assert send_until_refused(sock, 200 * MB) < 200 * MB
    with connect(exposed) as sock:  # chunked, so undeclared: refused once the limit is passed
        sock.sendall(head("Transfer-Encoding: chunked"))
        assert send_until_refused(sock, 200 * MB, chunked=True) < 200 * MB
        assert answer(sock).status == 413
    assert resident_mb(exposed) < resident + 50
    assert_still_serving(exposed)


def test_malformed_requests_get_400_and_one_log_line_each(exposed):
    malformed = [
        head("Content-Length: abc"),
        head("Content-Length: 5", "Content-Length: 6"),
        b"GARBAGE\r\n\r\n",
        b"POST /odoo/\x00\xff HTTP/1.1\r\n\r\n",
        head("X-Padding: " + "a" * 20_000),  # a head over h11's 16 KB
    ]
    with logged(exposed) as lines:
        assert [exchange(exposed, request)[0] for request in malformed] == [400] * len(malformed)
    assert len(lines) <= len(malformed)
    assert [line for line in lines if not line.startswith("WARNING ")] == []  # no traceback
    assert_still_serving(exposed)


def test_json_nested_deeper_than_the_limit_is_refused(exposed):
    def nested(levels: int) -> bytes:  # an object holding arrays: `levels` deep in all
        return b'{"_model": "stock.picking", "_id": 7, "x": ' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"

    too_deep = {"error": f"the body nests deeper than {MAX_DEPTH} levels"}
    assert post(exposed.url + HOOK, nested(1000)) == (400, too_deep)
    assert post(exposed.url + HOOK, nested(MAX_DEPTH + 1)) == (400, too_deep)
    assert post(exposed.url + HOOK, b"[" * (MAX_BODY - 1))[0] == 400  # deep and unfinished
    assert post(exposed.url + HOOK, nested(MAX_DEPTH)) == (202, {"accepted": "stock.picking"})
    assert_still_serving(exposed)


def test_a_client_that_stalls_is_cut_off(exposed):
    with connect(exposed) as half_head, connect(exposed) as half_body:
        half_head.sendall(head("Content-Length: 40")[:30])
        half_body.sendall(head("Content-Length: 40") + b'{"_model": ')
        assert answer(half_body).status == 408
        assert half_head.recv(1) == b""  # closed by the receiver, without an answer
    assert_still_serving(exposed)


def test_300_idle_connections_do_not_keep_a_hint_out(exposed):
    idle = [connect(exposed) for _ in range(300)]
    try:
        for sock in idle[::2]:
            sock.sendall(head("Content-Length: 40")[:20])
        assert_still_serving(exposed)
        assert [sock.recv(1) for sock in idle] == [b""] * 300  # each closed by the receiver in the end
    finally:
        for sock in idle:
            sock.close()


def test_a_burst_of_500_hints_from_20_clients_is_answered_and_recorded_in_full(exposed):
    def send(record_id: int) -> int:
        return post(exposed.url + HOOK, json.dumps({"_id": record_id, "_model": "stock.move"}).encode())[0]

    with ThreadPoolExecutor(20) as clients:
        assert list(clients.map(send, range(1, 501))) == [202] * 500
    wait_until(
        lambda: sum(h["records"] for h in hints(exposed.instance) if h["model"] == "stock.move") == 500,
        60,
        "500 stock.move records hinted",
    )


def test_clients_that_hang_up_mid_request_leave_no_trace(exposed):
    with logged(exposed) as lines:
        for _ in range(100):
            sock = connect(exposed)  # mid-body
            sock.sendall(head("Content-Length: 40") + b'{"_model": ')
            hang_up(sock)
            sock = connect(exposed)  # mid-head
            sock.sendall(head("Content-Length: 40")[:20])
            hang_up(sock)
            sock = connect(exposed)  # before the answer
            sock.sendall(head(f"Content-Length: {len(PICKING)}") + PICKING)
            hang_up(sock)
            sock = connect(exposed)  # before the answer, closing as usual
            sock.sendall(head(method="GET", target="/health"))
            sock.close()
        assert_still_serving(exposed)
    assert "INFO reporting_assets.webhooks: hint: stock.picking, record 7" in lines  # the log was read
    assert [line for line in lines if not line.startswith("INFO reporting_assets.webhooks: hint: ")] == []


# The limits, lowered, on a receiver in a thread.


def test_past_the_connection_limit_a_request_gets_503_at_once(monkeypatch):
    monkeypatch.setattr(webhooks, "MAX_CONNECTIONS", 5)
    with dg.instance_for_test() as instance, serving(Recorder(instance)) as url:
        port = int(url.rsplit(":", 1)[1])
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
        assert post(url + HOOK, PICKING) == (503, "Service Unavailable")
        for sock in idle:
            sock.close()
        wait_until(lambda: post(url + HOOK, PICKING)[0] == 202, 30, "a connection below the limit")


def test_a_hint_beyond_the_queue_limit_gets_503(monkeypatch):
    """The instance not keeping up (here nothing records the hints): the queue does not grow."""
    monkeypatch.setattr(webhooks, "MAX_QUEUED", 2)
    with dg.instance_for_test() as instance:
        recorder = Recorder(instance)  # not started
        with serving(recorder) as url:
            assert [post(url + HOOK, PICKING)[0] for _ in range(3)] == [202, 202, 503]
        assert recorder.queue.qsize() == 2
