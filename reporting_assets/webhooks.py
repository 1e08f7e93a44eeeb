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
"""

from __future__ import annotations

import hmac
import json
import logging
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg

from reporting_assets.odoo.tables import ODOO_TABLES

HINTS_KEY = dg.AssetKey("odoo_change_hints")
ROUTE = "/odoo/"
MAX_BODY = 1_000_000
MAX_IDS_SHOWN = 20

log = logging.getLogger(__name__)
MODELS = {t.model for t in ODOO_TABLES}


class BadHint(ValueError):
    """A body that is not one of Odoo's webhook payloads for a model we ingest."""


def parse_hint(body: bytes) -> tuple[str, int | None]:
    """(model, record id) of one webhook body; BadHint says what is wrong with it."""
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadHint("the body is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("_model"), str):
        raise BadHint('the body has no "_model": is this an Odoo "Send Webhook Notification" action?')
    model = payload["_model"]
    if model not in MODELS:
        raise BadHint(f"model {model!r} is not ingested (reporting_assets/odoo/tables.py lists the models)")
    record_id = payload.get("_id")
    return model, record_id if isinstance(record_id, int) else None


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
        self.instance, self.queue = instance, queue.Queue()

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


def make_server(host: str, port: int, token: str, recorder: Recorder) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if not self.path.startswith(ROUTE):
                return self._reply(404, {"error": f"POST Odoo's webhooks to {ROUTE}<token>"})
            if not hmac.compare_digest(self.path[len(ROUTE) :].encode(), token.encode()):
                return self._reply(403, {"error": "wrong webhook token"})
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._reply(413, {"error": f"body larger than {MAX_BODY} bytes"})
            try:
                model, record_id = parse_hint(self.rfile.read(length))
            except BadHint as exc:
                return self._reply(400, {"error": str(exc)})
            recorder.queue.put((model, record_id))
            self._reply(202, {"accepted": model})

        def do_GET(self):
            if self.path == "/health":
                return self._reply(200, {"status": "ok"})
            self._reply(404, {"error": "not found"})

        def log_message(self, fmt, *args):  # the request line holds the token: log without it
            log.info(
                "%s %s", self.command, self.path.split(ROUTE)[0] + ROUTE + "…" if ROUTE in self.path else self.path
            )

        def _reply(self, status: int, payload: dict):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
