"""Retry with exponential backoff: one policy for every source we call over HTTP."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import time
import urllib.error
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
