"""Retry with exponential backoff, and a deadline per request: one policy for every source we
call over HTTP."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)

# HTTP statuses worth retrying: rate limited, a server error, a proxy or gateway in trouble
# (501 Not Implemented and 505 will not go away, nor will a 4xx).
TRANSIENT_HTTP = frozenset({429, 500, 502, 503, 504})
# What a dropped, cut, slow or garbled exchange raises.
NETWORK_ERRORS = (
    urllib.error.URLError,
    socket.timeout,
    TimeoutError,
    ConnectionError,
    http.client.HTTPException,
    json.JSONDecodeError,
)
T = TypeVar("T")


def transient_http(exc: BaseException) -> bool:
    """Worth retrying for any JSON-over-HTTP source: a transient status or a network failure."""
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code in TRANSIENT_HTTP
    return isinstance(exc, NETWORK_ERRORS)


def timed_out(exc: BaseException | None) -> bool:
    """A timeout, bare (while reading a response) or wrapped by urllib in a `URLError` (before)."""
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason
    return isinstance(exc, TimeoutError)  # socket.timeout is TimeoutError


class RetriesExhausted(Exception):
    """A transient failure kept happening; `__cause__` is the last one."""


def with_retries(
    fn: Callable[[], T], *, transient: Callable[[BaseException], bool], retries: int, backoff: float, what: str
) -> T:
    """Call `fn`; on a transient failure wait `backoff`, `2*backoff`, ... and try again.

    A failure that is not transient propagates at once; after `retries` retries
    the last one is raised as `RetriesExhausted` (from the original exception).
    """
    delay = backoff
    for attempt in range(retries + 1):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - classified by `transient`
            if not transient(exc):
                raise
            if attempt == retries:
                raise RetriesExhausted(
                    f"{what}: still failing after {retries} retries: {type(exc).__name__}: {str(exc)[:300]}"
                ) from exc
            log.warning(
                "%s failed (%s: %s); retry %d/%d in %.1fs",
                what,
                type(exc).__name__,
                str(exc)[:200],
                attempt + 1,
                retries,
                delay,
            )
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


# --- a deadline per request -------------------------------------------------------------
# urllib (and so odoorpc) hands its `timeout` to the socket, which applies it to each receive and
# send on its own: a server that trickles its answer, a byte every few seconds, keeps one request
# going for hours without ever tripping it. Through `deadline_opener` the timeout bounds the whole
# request instead: connecting, sending, and reading the whole response.


def _time_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


class _Deadline:
    """Socket mixin: every receive and send first shrinks the socket's timeout to the time left
    before `deadline` (a `time.monotonic()` value), so that all of them together wait no longer."""

    deadline: float

    def recv_into(self, *args):
        self.settimeout(_time_left(self.deadline))
        return super().recv_into(*args)

    def sendall(self, *args):
        self.settimeout(_time_left(self.deadline))
        return super().sendall(*args)


class _DeadlineSocket(_Deadline, socket.socket):
    pass


class _DeadlineSSLSocket(_Deadline, ssl.SSLSocket):
    pass


class _DeadlineHTTPConnection(http.client.HTTPConnection):
    """The clock starts when the connection is made: urllib makes one per request."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = time.monotonic() + self.timeout

    def connect(self):
        self.timeout = _time_left(self.deadline)
        super().connect()
        self.sock = _DeadlineSocket(fileno=self.sock.detach())
        self.sock.deadline = self.deadline
        self.sock.settimeout(_time_left(self.deadline))  # for a TLS handshake, which reads below `recv_into`


class _DeadlineHTTPSConnection(http.client.HTTPSConnection, _DeadlineHTTPConnection):
    """HTTPSConnection.connect wraps the socket `_DeadlineHTTPConnection.connect` made in TLS; the
    handler's context makes that wrapper a `_DeadlineSSLSocket`, which takes the deadline here."""

    def connect(self):
        super().connect()
        self.sock.deadline = self.deadline


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_DeadlineHTTPConnection, req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self):
        self.tls = ssl.create_default_context()
        self.tls.sslsocket_class = _DeadlineSSLSocket
        super().__init__(context=self.tls)

    def https_open(self, req):
        return self.do_open(_DeadlineHTTPSConnection, req, context=self.tls)


def deadline_opener(*handlers: urllib.request.BaseHandler) -> urllib.request.OpenerDirector:
    """A urllib opener (with `handlers` added) whose `timeout`, which every request must be given,
    is an overall deadline per request: past it the request raises `TimeoutError`, at whatever
    point it is, and `transient_http` retries it like any other timeout."""
    return urllib.request.build_opener(*handlers, _DeadlineHTTPHandler, _DeadlineHTTPSHandler())
