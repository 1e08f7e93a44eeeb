"""Fault injection, so reliability tests can make the server misbehave on purpose.

Every counted request (JSON-RPC and carrier API) gets a number; a fault whose
period divides that number fires. Off by default; set by command-line flags
or at run time through the admin endpoint.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, fields


@dataclass
class Faults:
    fail_every: int = 0  # answer every Nth request with an error ...
    fail_mode: str = "http500"  # ... as HTTP 500 ("http500") or as an Odoo error reply ("odoo")
    cut_every: int = 0  # send only half of every Nth response, then close the connection
    html_every: int = 0  # answer every Nth request with a non-JSON HTML page (HTTP 200)
    latency_ms: int = 0  # delay every response

    def __post_init__(self):
        self._lock = threading.Lock()
        self._count = 0
        self.validate()

    def validate(self) -> None:
        for name in ("fail_every", "cut_every", "html_every", "latency_ms"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if self.fail_mode not in ("http500", "odoo"):
            raise ValueError(f"fail_mode must be 'http500' or 'odoo', got {self.fail_mode!r}")

    def update(self, changes: dict) -> None:
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        previous = self.settings()
        for name, value in changes.items():
            setattr(self, name, value)
        try:
            self.validate()
        except ValueError:
            for name, value in previous.items():
                setattr(self, name, value)
            raise
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
