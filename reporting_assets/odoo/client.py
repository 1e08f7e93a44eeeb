"""The Odoo connection: odoorpc over JSON-RPC, with retries and clear errors.

Every call goes through `OdooClient.call`, which retries what is transient
(HTTP 5xx, timeouts, cut or non-JSON responses, dropped connections, Odoo's
own transient database errors) with exponential backoff, and turns what
retrying cannot fix into an `OdooError` whose message names the URL, database
and user (never the password or API key). `ODOO_TIMEOUT` bounds each request
as a whole (`retry.deadline_opener`), however slowly the server answers.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

import odoorpc
import odoorpc.error

from reporting_assets.retry import RetriesExhausted, deadline_opener, timed_out, transient_http, with_retries
from reporting_assets.settings import default_of

NO_ARCHIVE_FILTER = {"active_test": False}


class OdooError(Exception):
    """Something retrying cannot fix: configuration, credentials, a model or field."""


class UnknownModelError(OdooError):
    """The server does not know a model: a module that is not installed."""


class TransientError(Exception):
    """Retries were exhausted on failures that are normally transient."""


@dataclass(frozen=True)
class OdooSettings:
    url: str
    db: str
    username: str
    password: str
    # Defaults are the settings' (settings.VARIABLES), for callers that build a client by hand.
    timeout: float = float(default_of("ODOO_TIMEOUT"))
    page_size: int = int(default_of("ODOO_PAGE_SIZE"))
    workers: int = int(default_of("ODOO_WORKERS"))  # id ranges read in parallel: at most Odoo's worker processes
    retries: int = int(default_of("ODOO_RETRIES"))
    backoff: float = 0.25  # seconds before the first retry; doubles each time

    def where(self) -> str:
        return f"{self.url} (database {self.db!r}, user {self.username!r})"

    def __repr__(self) -> str:  # the password must never reach a log line
        return f"OdooSettings(url={self.url!r}, db={self.db!r}, username={self.username!r}, password=***)"


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, odoorpc.error.RPCError):
        name = ((exc.info or {}).get("data") or {}).get("name", "") if isinstance(exc.info, dict) else ""
        message = str(exc)
        # A lost database connection or a serialization failure is retried by Odoo's own clients too;
        # an unknown database is reported the same way but is not transient.
        return name.startswith("psycopg2.") and "does not exist" not in message
    return transient_http(exc)


class OdooClient:
    def __init__(self, settings: OdooSettings):
        self.settings = settings
        parts = urlsplit(settings.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OdooError(f"ODOO_URL must look like http://host:8069 or https://host, got {settings.url!r}")
        self._host = parts.hostname
        self._protocol = "jsonrpc+ssl" if parts.scheme == "https" else "jsonrpc"
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._odoo: odoorpc.ODOO | None = None
        self.version: str | None = None
        self._fields: dict[str, dict] = {}

    # --- connection -------------------------------------------------------------------
    def connect(self) -> OdooClient:
        s = self.settings
        odoo = self._retrying(
            "connect",
            lambda: odoorpc.ODOO(
                self._host,
                protocol=self._protocol,
                port=self._port,
                timeout=s.timeout,
                # with cookies, as odoorpc's own opener
                opener=deadline_opener(urllib.request.HTTPCookieProcessor()),
            ),
            not_odoo=True,
        )
        if odoo.version is None:
            raise OdooError(
                f"{s.url} does not look like an Odoo server: /web/webclient/version_info "
                f"answered without a server_version"
            )
        self.version = odoo.version
        try:
            self._retrying("login", lambda: odoo.login(s.db, s.username, s.password))
        except odoorpc.error.RPCError as exc:
            if "does not exist" in str(exc):
                raise OdooError(
                    f"Odoo database {s.db!r} does not exist on {s.url}{self._databases_hint(odoo)}"
                ) from None
            if "Wrong login" in str(exc) or "Access Denied" in str(exc):
                raise OdooError(
                    f"Odoo rejected the login of user {s.username!r} on database {s.db!r} at {s.url}: "
                    f"wrong password or API key (ODOO_PASSWORD)"
                ) from None
            raise OdooError(f"Odoo login failed at {s.where()}: {exc}") from None
        self._odoo = odoo
        return self

    def _databases_hint(self, odoo) -> str:
        try:
            names = odoo.db.list()
        except Exception:  # noqa: BLE001 - listing is disabled on many production servers
            return ""
        return f" (it has: {', '.join(names)})" if names else ""

    # --- calls ------------------------------------------------------------------------
    def call(self, model: str, method: str, args: list, kwargs: dict | None = None):
        if self._odoo is None:
            self.connect()
        odoo = self._odoo
        try:
            return self._retrying(f"{model}.{method}", lambda: odoo.execute_kw(model, method, args, kwargs or {}))
        except odoorpc.error.RPCError as exc:
            raise OdooError(f"{model}.{method} failed on {self.settings.where()}: {exc}") from None

    def fields_get(self, model: str) -> dict[str, dict]:
        """Field metadata of a model; an unknown model is an `OdooError` naming it."""
        if model not in self._fields:
            try:
                self._fields[model] = self.call(model, "fields_get", [], {"attributes": ["type", "relation", "string"]})
            except OdooError as exc:
                if f"Object {model} doesn't exist" in str(exc):
                    raise UnknownModelError(
                        f"model {model!r} does not exist on {self.settings.url} (module not installed?)"
                    ) from None
                raise
        return self._fields[model]

    def search_read(
        self, model: str, domain: list, fields: list[str], limit: int, order: str, load: str | None = "_classic_read"
    ) -> list[dict]:
        """Records as dicts; with `load=None` a many2one is a bare id instead of `[id, name]`."""
        return self.call(
            model,
            "search_read",
            [domain],
            {"fields": fields, "limit": limit, "order": order, "load": load, "context": NO_ARCHIVE_FILTER},
        )

    def display_names(self, model: str, ids: list[int]) -> dict[int, str]:
        """id -> display name; ids deleted meanwhile are left out (a `read` would fail on them)."""
        records = self.call(
            model, "search_read", [[["id", "in", ids]]], {"fields": ["display_name"], "context": NO_ARCHIVE_FILTER}
        )
        return {r["id"]: r["display_name"] or None for r in records}

    def search_count(self, model: str, domain: list) -> int:
        return self.call(model, "search_count", [domain], {"context": NO_ARCHIVE_FILTER})

    def fingerprint(self, model: str) -> list:
        """[record count, newest write_date] in one cheap request: what changes when anything
        is created, written or deleted (deletions leave no write_date, but lower the count)."""
        group = self.call(
            model, "read_group", [[], ["write_date:max"], []], {"lazy": False, "context": NO_ARCHIVE_FILTER}
        )[0]
        return [group["__count"], group["write_date"] or None]

    def search_ids(self, model: str, domain: list, limit: int, order: str = "id") -> list[int]:
        return self.call(model, "search", [domain], {"order": order, "limit": limit, "context": NO_ARCHIVE_FILTER})

    # --- retries ----------------------------------------------------------------------
    def _retrying(self, what: str, fn, not_odoo: bool = False):
        """Retry transient failures; translate what they leave behind into a clear error."""
        s = self.settings
        try:
            return with_retries(
                fn, transient=_is_transient, retries=s.retries, backoff=s.backoff, what=f"{what} on {s.url}"
            )
        except urllib.error.HTTPError as exc:
            if not_odoo:
                raise OdooError(
                    f"{s.url} does not look like an Odoo server: /web/webclient/version_info answered HTTP {exc.code}"
                ) from None
            raise OdooError(f"{what} on {s.where()} answered HTTP {exc.code}") from None
        except RetriesExhausted as exc:
            cause = exc.__cause__
            if not_odoo and isinstance(cause, json.JSONDecodeError):
                raise OdooError(f"{s.url} does not look like an Odoo server: it does not answer JSON-RPC") from None
            if timed_out(cause):
                raise OdooError(
                    f"Odoo at {s.url} did not answer within {s.timeout:g} s (ODOO_TIMEOUT); tried {s.retries + 1} times"
                ) from None
            if isinstance(cause, urllib.error.URLError) and not isinstance(cause, urllib.error.HTTPError):
                raise OdooError(f"cannot reach Odoo at {s.url}: {cause.reason}") from None
            raise TransientError(f"{exc} (database {s.db!r}, user {s.username!r})") from None
