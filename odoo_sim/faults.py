"""Fault injection, so reliability tests can make the server misbehave on purpose.

Every counted request (JSON-RPC and carrier API) gets a number; a fault whose
period divides that number fires; latency and trickle slow every counted
response. Off by default; set by command-line flags or at run time through the
admin endpoint, which anyone who can reach the server may call: every setting is
checked, type and range, before any is applied.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, fields

# The largest value of each integer setting: a period of a million requests is as good as never,
# and a minute per response (or per byte) is slower than any client waits.
MAXIMUM = {
    "fail_every": 1_000_000,
    "cut_every": 1_000_000,
    "html_every": 1_000_000,
    "latency_ms": 60_000,
    "trickle_ms": 60_000,
}
FAIL_MODES = ("http500", "odoo")


@dataclass
class Faults:
    fail_every: int = 0  # answer every Nth request with an error ...
    fail_mode: str = "http500"  # ... as HTTP 500 ("http500") or as an Odoo error reply ("odoo")
    cut_every: int = 0  # send only half of every Nth response, then close the connection
    html_every: int = 0  # answer every Nth request with a non-JSON HTML page (HTTP 200)
    latency_ms: int = 0  # delay every response
    trickle_ms: int = 0  # send the body of every response one byte at a time, this long apart

    def __post_init__(self):
        self._lock = threading.Lock()
        self._count = 0
        check(self.settings())

    def update(self, changes: dict) -> None:
        """Apply `changes` all together, or none of them when one is invalid (`ValueError`)."""
        check({**self.settings(), **changes})
        for name, value in changes.items():
            setattr(self, name, value)
        with self._lock:
            self._count = 0

    def settings(self) -> dict:
        return asdict(self)

    def next(self) -> str | None:
        """Count one request and say which fault, if any, it gets: 'fail', 'cut' or 'html'."""
        with self._lock:
            self._count += 1
            n = self._count
        for kind, every in (("fail", self.fail_every), ("cut", self.cut_every), ("html", self.html_every)):
            if every and n % every == 0:
                return kind
        return None


def check(settings: dict) -> None:
    """Raise `ValueError`, naming the setting, unless every one is known and in range."""
    unknown = set(settings) - {f.name for f in fields(Faults)}
    if unknown:
        raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
    for name, most in MAXIMUM.items():
        value = settings[name]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
            raise ValueError(f"{name} must be an integer from 0 to {most}, got {value!r}")
    if settings["fail_mode"] not in FAIL_MODES:
        raise ValueError(f"fail_mode must be 'http500' or 'odoo', got {settings['fail_mode']!r}")
