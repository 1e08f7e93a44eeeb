"""The receiver of Odoo 17 automation-rule webhooks ("Send Webhook Notification").

Odoo posts one JSON body per changed record (Odoo 17 automation rules, `docs/demo-odoo.md`) with no
authentication header, so the secret is the last segment of the URL the rule
posts to: `POST /odoo/<REPORTING_WEBHOOK_TOKEN>`. Odoo waits at most one second,
inside its transaction, so the receiver only checks the request and queues it,
answering 202 at once; a background thread records the queued hints, one per
model, as observations of the asset `odoo_change_hints` in the Dagster instance.
The `odoo_changes` sensor reads them on its next tick (every few seconds) and
requests that model's raw asset without waiting for its next Odoo poll.

A hint is never the data: the POST may arrive before Odoo commits, or for a
transaction that rolls back, and a lost POST is never resent. The raw asset's
`write_date` sync reads whatever is committed, and the sensor's own poll
catches anything a hint missed.

The port faces whatever can reach it, so the receiver runs on uvicorn (HTTP/1.1
by h11, one event loop rather than a thread per connection) and bounds what a
client can make it hold:

- h11 refuses a malformed request line, header or Content-Length (400) and a
  request head over 16 KB; uvicorn logs one line for each;
- a client has CLIENT_TIMEOUT to send its request head, from connecting or
  from our last answer (`HeadDeadline`), and as long again for its body (408);
- the body is read only after the token is checked, and never beyond MAX_BODY
  (413, from a declared length before reading anything, else once the bytes
  read pass it), nor nested deeper than MAX_DEPTH (400);
- past MAX_CONNECTIONS open connections a request gets 503 at once (uvicorn's
  `limit_concurrency`), and the listen backlog (BACKLOG) holds a burst of
  connections rather than dropping them;
- past MAX_QUEUED hints waiting for the instance (its database down or slow)
  a hint gets 503 rather than growing the queue: Odoo logs the failure, and
  the poll catches up as for any lost hint.

A refused request costs one log line, without the URL (which holds the token);
a client that hangs up costs none.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import queue
import socket
import threading
from collections.abc import Mapping

import dagster as dg
import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from reporting_assets.odoo.tables import ODOO_TABLES

HINTS_KEY = dg.AssetKey("odoo_change_hints")
ROUTE = "/odoo/"
MAX_BODY = 1_000_000  # bytes; Odoo's bodies (a record's id and chosen fields) are a few KB
MAX_DEPTH = 32  # nested arrays and objects; Odoo's bodies have two levels
CLIENT_TIMEOUT = 5  # seconds for a request head, and for its body; Odoo itself gives up after one
MAX_CONNECTIONS = 1000
BACKLOG = 2048
MAX_QUEUED = 10_000
MAX_IDS_SHOWN = 20
# An answer that leaves the body unread closes the connection; otherwise uvicorn would read and drop
# the rest of the body to keep the connection open.
CLOSE = {"Connection": "close"}

log = logging.getLogger(__name__)
MODELS = {t.model for t in ODOO_TABLES}


class BadHint(ValueError):
    """A body that is not one of Odoo's webhook payloads for a model we ingest."""


class BodyTooLarge(Exception):
    """A body over MAX_BODY."""


def parse_hint(body: bytes) -> tuple[str, int | None]:
    """(model, record id) of one webhook body; BadHint says what is wrong with it."""
    try:
        payload = json.loads(body)
    except RecursionError:  # json gives up near the interpreter's recursion limit, before overflowing
        raise BadHint(f"the body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        raise BadHint("the body is not JSON") from None
    if nests_deeper(payload, MAX_DEPTH):
        raise BadHint(f"the body nests deeper than {MAX_DEPTH} levels")
    if not isinstance(payload, dict) or not isinstance(payload.get("_model"), str):
        raise BadHint('the body has no "_model": is this an Odoo "Send Webhook Notification" action?')
    model = payload["_model"]
    if model not in MODELS:
        raise BadHint(f"model {model!r} is not ingested (reporting_assets/odoo/tables.py lists the models)")
    record_id = payload.get("_id")
    return model, record_id if isinstance(record_id, int) else None


def nests_deeper(value: object, levels: int) -> bool:
    """Whether JSON `value` has more than `levels` arrays and objects one inside the other (recursing
    `levels` deep at most)."""
    if not isinstance(value, dict | list):
        return False
    return levels == 0 or any(
        nests_deeper(v, levels - 1) for v in (value.values() if isinstance(value, dict) else value)
    )


def hint_observations(hints: list[tuple[str, int | None]]) -> list[dg.AssetObservation]:
    """One observation per model for a batch of hints, with the record ids (deduplicated)."""
    ids: dict[str, list[int]] = {}
    for model, record_id in hints:
        seen = ids.setdefault(model, [])
        if record_id is not None and record_id not in seen:
            seen.append(record_id)
    return [
        dg.AssetObservation(
            HINTS_KEY,
            metadata={
                "model": model,
                "records": len(record_ids),
                "record_ids": ", ".join(map(str, record_ids[:MAX_IDS_SHOWN]))
                + (" …" if len(record_ids) > MAX_IDS_SHOWN else ""),
            },
        )
        for model, record_ids in ids.items()
    ]


class Recorder(threading.Thread):
    """Writes queued hints to the instance, so that a slow database never delays Odoo's request."""

    def __init__(self, instance: dg.DagsterInstance):
        super().__init__(name="hint-recorder", daemon=True)
        self.instance, self.queue = instance, queue.Queue(maxsize=MAX_QUEUED)

    def run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while not self.queue.empty():
                batch.append(self.queue.get_nowait())
            for observation in hint_observations(batch):
                try:
                    self.instance.report_runless_asset_event(observation)
                except Exception as exc:  # noqa: BLE001 - a lost hint costs one poll interval, never data
                    log.warning("could not record the hint for %s: %s", observation.metadata["model"].value, exc)


def refuse(request: Request, status: int, reason: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The answer to a request that fails a check, and its one log line (without the URL, which may
    hold the token)."""
    log.warning("refused a request from %s: %d %s", request.client.host if request.client else "?", status, reason)
    return JSONResponse({"error": reason}, status, headers=headers)


async def read_body(request: Request) -> bytes:
    """The body, or BodyTooLarge as soon as it is known to exceed MAX_BODY: from its declared length
    before reading anything (h11 lets only digits through), else once the bytes read pass it (a
    chunked body)."""
    if int(request.headers.get("content-length", 0)) > MAX_BODY:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BodyTooLarge
    return bytes(body)


def make_app(token: str, recorder: Recorder) -> Starlette:
    async def receive_hint(request: Request) -> Response:
        if not hmac.compare_digest(request.path_params["token"].encode(), token.encode()):
            return refuse(request, 403, "wrong webhook token")
        try:
            async with asyncio.timeout(CLIENT_TIMEOUT):
                body = await read_body(request)
        except BodyTooLarge:
            return refuse(request, 413, f"body larger than {MAX_BODY} bytes", CLOSE)
        except TimeoutError:
            return refuse(request, 408, f"the body did not arrive within {CLIENT_TIMEOUT} s", CLOSE)
        except ClientDisconnect:
            return Response()  # nobody to answer
        try:
            hint = parse_hint(body)
        except BadHint as exc:
            return refuse(request, 400, str(exc))
        try:
            recorder.queue.put_nowait(hint)
        except queue.Full:
            return refuse(request, 503, f"{MAX_QUEUED} hints are waiting to be recorded")
        log.info("hint: %s, record %s", *hint)
        return JSONResponse({"accepted": hint[0]}, 202)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def http_error(request: Request, exc: HTTPException) -> Response:
        """Starlette's refusals (no such route or method) in our form."""
        return refuse(
            request, exc.status_code, f"{exc.detail}: POST Odoo's webhooks to {ROUTE}<token>", headers=exc.headers
        )

    return Starlette(
        routes=[Route(ROUTE + "{token}", receive_hint, methods=["POST"]), Route("/health", health, methods=["GET"])],
        exception_handlers={HTTPException: http_error},
    )


class HeadDeadline(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head. uvicorn closes a kept-alive
    connection that sends nothing for `timeout_keep_alive`, but forgets that as soon as a byte
    arrives, and sets no deadline on a new connection: one that sent half a request line and
    stalled would stay open for good. `shutdown` closes a connection between requests at once,
    and one in the middle of a request after answering it."""

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.head_deadline = self.loop.call_later(CLIENT_TIMEOUT, self.head_overdue)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.head_deadline.cancel()
        self.head_deadline = self.loop.call_later(CLIENT_TIMEOUT, self.head_overdue)

    def connection_lost(self, exc) -> None:
        self.head_deadline.cancel()
        super().connection_lost(exc)

    def head_overdue(self) -> None:
        if not self.transport.is_closing():
            self.shutdown()


class WebhookServer(uvicorn.Server):
    """uvicorn on a socket bound at once (port 0 is known before serving), under the names of
    `socketserver` that the CLI uses."""

    def __init__(self, config: uvicorn.Config):
        super().__init__(config)
        family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
        self.socket = socket.create_server((config.host, config.port), family=family, backlog=BACKLOG)
        self.server_address = self.socket.getsockname()

    def serve_forever(self) -> None:
        self.run(sockets=[self.socket])

    def server_close(self) -> None:
        self.socket.close()


def make_server(host: str, port: int, token: str, recorder: Recorder) -> WebhookServer:
    return WebhookServer(
        uvicorn.Config(
            make_app(token, recorder),
            host=host,
            port=port,
            http=HeadDeadline,
            ws="none",  # no WebSocket: an Upgrade header is ignored (uvicorn says so in two lines)
            lifespan="off",
            timeout_keep_alive=CLIENT_TIMEOUT,
            timeout_graceful_shutdown=CLIENT_TIMEOUT,
            limit_concurrency=MAX_CONNECTIONS,
            backlog=BACKLOG,
            log_config=None,  # the CLI's logging; uvicorn's own at WARNING, and no access log (the URL holds the token)
            log_level="warning",
            access_log=False,
            server_header=False,
        )
    )
