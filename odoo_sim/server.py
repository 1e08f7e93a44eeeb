"""HTTP front of the demo server: Odoo's JSON-RPC routes, the carrier API, and the admin endpoint.

Replies follow Odoo 17's JSON-RPC: JSON-RPC results and errors with HTTP
200 (errors as `{"error": {"code": 200, "message": "Odoo Server Error",
"data": {"name", "message", "arguments", "debug", "context"}}}`), HTTP 400 for
a body that is not JSON, HTTP 404 for an unknown route.

Anyone who can reach the server can call it, so it guards itself where Odoo's
answer does not matter: a body longer than `RPC_MAX_BODY` (`ADMIN_MAX_BODY`
for the admin endpoint) is refused with HTTP 413 before it is read, and the
admin endpoint answers HTTP 429 to a client that calls it too often.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .carrier import CarrierApiError, list_shipments
from .db import Database
from .errors import OdooError, access_denied
from .faults import Faults
from .orm import Orm
from .webhooks import Webhook

WRITES = ("create", "write", "unlink")
HTML_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
ADMIN_PATH = "/sim/admin/faults"
# Far above any JSON-RPC request a client sends (a page of 5,000 ids is 40 kB), and under Odoo's own
# limit (odoo/http.py, DEFAULT_MAX_CONTENT_LENGTH, 128 MiB).
RPC_MAX_BODY = 10 * 1024 * 1024
ADMIN_MAX_BODY = 4096  # a password and a few settings
# Per client address: a test changes the faults a few times in a row, nobody needs more.
ADMIN_BURST, ADMIN_PER_SECOND = 20, 10


class TokenBucket:
    """Per client address, `burst` requests at once, then `per_second` a second."""

    def __init__(self, burst: int, per_second: float):
        self.burst, self.per_second = burst, per_second
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, time.monotonic() then)
        self._lock = threading.Lock()

    def take(self, address: str) -> bool:
        """Take a token from the bucket of `address`; False when it is empty."""
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(address, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.per_second)
            allowed = tokens >= 1
            self._buckets[address] = (tokens - allowed, now)
        return allowed


class Sim:
    """Everything one running demo server holds. Without a `carrier_token` there is no carrier API
    (a stock Odoo): its routes are unknown, as on a plain Odoo."""

    def __init__(
        self,
        db: Database,
        shipments: list[dict],
        carrier_token: str | None,
        admin_password: str,
        faults: Faults,
        webhook: Webhook | None = None,
    ):
        self.db, self.orm = db, Orm(db, webhook)
        self.shipments, self.carrier_token = shipments, carrier_token
        self.admin_password, self.faults = admin_password, faults
        self.admin_limiter = TokenBucket(ADMIN_BURST, ADMIN_PER_SECOND)
        self.read_only = False  # several worker processes, each with its own copy of the data (--workers)

    def version_info(self) -> dict:
        v = self.db.version
        return {
            "server_version": f"{v}.0",
            "server_version_info": [v, 0, 0, "final", 0, ""],
            "server_serie": f"{v}.0",
            "protocol_version": 1,
        }

    def dispatch(self, params: dict):
        service, method, args = params.get("service"), params.get("method"), params.get("args") or []
        if service == "common":
            if method == "version":
                return self.version_info()
            if method in ("login", "authenticate"):
                db, login, password = args[:3]
                self._check_db(db)
                return self.db.uid if self._credentials_ok(login, password) else False
        elif service == "db":
            if method == "list":
                return [self.db.name]
            if method == "server_version":
                return self.version_info()["server_version"]
            if method == "db_exist":
                return bool(args) and args[0] == self.db.name
        elif service == "object" and method in ("execute", "execute_kw"):
            if len(args) < 5:
                raise OdooError("builtins.TypeError", f"{method}() missing required positional arguments")
            db, uid, password, model, name = args[:5]
            self._check_db(db)
            if uid != self.db.uid or not self._credentials_ok(self.db.login, password):
                raise access_denied()
            if method == "execute":
                call_args, call_kwargs = list(args[5:]), {}
            else:
                call_args = list(args[5]) if len(args) > 5 else []
                call_kwargs = args[6] if len(args) > 6 else {}
            if self.read_only and name in WRITES:
                raise OdooError(
                    "odoo.exceptions.UserError",
                    f"{model}.{name}: this demo server runs several worker "
                    "processes (--workers), each with its own copy of the data, so it is read-only",
                )
            with self.db.lock:
                return self.orm.call(model, name, call_args, call_kwargs)
        raise OdooError("builtins.NameError", f"Service or method not found: {service}.{method}")

    def _check_db(self, name) -> None:
        if name != self.db.name:
            raise OdooError(
                "psycopg2.OperationalError",
                f'connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "{name}" does not exist\n',
            )

    def _credentials_ok(self, login, password) -> bool:
        return login == self.db.login and password in (self.db.password, self.db.api_key)


def error_reply(request_id, exc: Exception) -> dict:
    if isinstance(exc, OdooError):
        name, message = exc.name, exc.message
    else:  # a bug or bad arguments: Odoo reports the Python exception the same way
        name, message = f"builtins.{type(exc).__name__}", str(exc)
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {
            "code": 200,
            "message": "Odoo Server Error",
            "data": {
                "name": name,
                "debug": f"Traceback (most recent call last):\n  ...\n{name}: {message}\n",
                "message": message,
                "arguments": [message],
                "context": {},
            },
        },
    }


def make_handler(sim: Sim, quiet: bool = True):
    class Handler(BaseHTTPRequestHandler):
        server_version = "Werkzeug/2.0.2"
        trickle = 0.0  # seconds between the bytes of this response's body (the `trickle_ms` fault)

        def log_message(self, fmt, *args):
            if not quiet:
                super().log_message(fmt, *args)

        # --- routes -------------------------------------------------------------
        def do_POST(self):
            path = urlsplit(self.path).path
            body = self._body(ADMIN_MAX_BODY if path == ADMIN_PATH else RPC_MAX_BODY)
            if body is None:
                return
            if path == ADMIN_PATH:
                return self._admin(body)
            if path not in ("/jsonrpc", "/web/webclient/version_info"):
                return self._send(404, b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>", "text/html")
            fault = self._fault()
            if fault == "done":
                return
            try:
                request = json.loads(body)
                if not isinstance(request, dict):
                    raise ValueError
            except ValueError:
                return self._send(400, b"Invalid JSON data", "text/plain")
            request_id = request.get("id")
            if fault == "fail":  # fail_mode == "odoo": a transient database error in Odoo's shape
                return self._json(
                    error_reply(
                        request_id, OdooError("psycopg2.OperationalError", "server closed the connection unexpectedly")
                    ),
                    None,
                )
            try:
                if path == "/web/webclient/version_info":
                    result = sim.version_info()
                else:
                    result = sim.dispatch(request.get("params") or {})
                reply = {"jsonrpc": "2.0", "id": request_id, "result": result}
            except Exception as exc:  # noqa: BLE001 - every failure becomes Odoo's error reply
                reply = error_reply(request_id, exc)
            self._json(reply, fault)

        def do_GET(self):
            url = urlsplit(self.path)
            if sim.carrier_token is None or not url.path.startswith("/carrier-api/v1/"):
                return self._send(404, b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>", "text/html")
            if self.headers.get("Authorization") != f"Bearer {sim.carrier_token}":
                return self._json({"error": "unauthorized", "message": "missing or invalid bearer token"}, None, 401)
            if url.path != "/carrier-api/v1/shipments":
                return self._json({"error": "not_found", "message": f"no such resource: {url.path}"}, None, 404)
            fault = self._fault()
            if fault == "done":
                return
            if fault == "fail":
                return self._json({"error": "unavailable", "message": "temporarily unavailable"}, None, 503)
            try:
                with sim.db.lock:
                    reply = list_shipments(sim.shipments, dict(parse_qsl(url.query)))
            except CarrierApiError as exc:
                return self._json({"error": "bad_request", "message": exc.message}, None, exc.status)
            self._json(reply, fault)

        # --- helpers -----------------------------------------------------------
        def _body(self, limit: int) -> bytes | None:
            """The request body, or None once a 413 is sent for one longer than `limit`, unread.

            A missing, negative or garbled Content-Length means no body, as werkzeug (under Odoo)
            reads it: the body is never read up to the end of the stream, which may never come."""
            declared = self.headers.get("Content-Length", "").strip()
            length = int(declared) if declared.isdecimal() else 0
            if length > limit:
                self._send(413, f"Request body larger than {limit} bytes".encode(), "text/plain")
                return None
            return self.rfile.read(length)

        def _fault(self) -> str | None:
            """Apply latency and the faults that replace the reply; 'done' when the reply was sent."""
            faults = sim.faults
            if faults.latency_ms:
                time.sleep(faults.latency_ms / 1000)
            self.trickle = faults.trickle_ms / 1000
            fault = faults.next()
            if fault == "html":
                self._send(200, HTML_PAGE, "text/html")
                return "done"
            if fault == "fail" and self.command == "POST" and faults.fail_mode == "http500":
                self._send(500, b"<!doctype html><title>500 Internal Server Error</title>", "text/html")
                return "done"
            return fault

        def _admin(self, body: bytes):
            """Change the faults: `reset` first, if true, then the settings given, all or none."""
            if not sim.admin_limiter.take(self.client_address[0]):
                return self._admin_error(
                    429, f"too many requests: at most {ADMIN_BURST} at once, then {ADMIN_PER_SECOND} a second"
                )
            try:
                request = json.loads(body)
            except ValueError:
                request = None
            if not isinstance(request, dict):
                return self._admin_error(400, "the body must be a JSON object")
            if request.pop("admin_password", None) != sim.admin_password:
                return self._admin_error(403, "wrong admin password")
            reset = request.pop("reset", False)
            if not isinstance(reset, bool):
                return self._admin_error(400, f"reset must be true or false, got {reset!r}")
            try:
                sim.faults.update({**Faults().settings(), **request} if reset else request)
            except ValueError as exc:
                return self._admin_error(400, str(exc))
            self._json({"faults": sim.faults.settings()}, None)

        def _admin_error(self, status: int, message: str):
            error = {400: "bad_request", 403: "forbidden", 429: "too_many_requests"}[status]
            self._json({"error": error, "message": message}, None, status)

        def _json(self, payload: dict, fault: str | None, status: int = 200):
            self._send(status, json.dumps(payload).encode(), "application/json", cut=fault == "cut")

        def _send(self, status: int, data: bytes, content_type: str, cut: bool = False):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            data = data[: len(data) // 2] if cut else data
            if self.trickle:
                self._write_slowly(data)
            else:
                self.wfile.write(data)
            if cut:
                self.close_connection = True

        def _write_slowly(self, data: bytes):
            """One byte at a time, `trickle` seconds apart: no read of the client waits long, yet the
            whole answer takes as long as the bytes times the trickle."""
            try:
                for i in range(len(data)):
                    time.sleep(self.trickle)
                    self.wfile.write(data[i : i + 1])
            except ConnectionError:  # the client gave up
                self.close_connection = True

    return Handler


def make_server(sim: Sim, host: str, port: int, quiet: bool = True) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(sim, quiet))
    server.daemon_threads = True
    return server
