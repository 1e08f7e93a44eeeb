"""The carrier tracking API client (see `odoo_sim/carrier.py` for the contract).

`GET <CARRIER_API_URL>/shipments?updated_since=&page=&page_size=` with a bearer
token; retries like the Odoo client, with the timeout an overall deadline per
request; an authentication failure or a bad request is an error at once, with
the URL and never the token.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from reporting_assets.retry import RetriesExhausted, deadline_opener, timed_out, transient_http, with_retries


class CarrierError(Exception):
    """Something retrying cannot fix, or retries ran out."""


@dataclass(frozen=True)
class CarrierSettings:
    url: str
    token: str
    timeout: float = 60.0
    page_size: int = 1000
    retries: int = 5
    backoff: float = 0.25

    def __repr__(self) -> str:
        return f"CarrierSettings(url={self.url!r}, token=***)"


class CarrierClient:
    def __init__(self, settings: CarrierSettings):
        self.settings = settings
        self._opener = deadline_opener()

    def shipments_page(self, updated_since: str | None, page: int, page_size: int | None = None) -> dict:
        query = {"page": page, "page_size": page_size or self.settings.page_size}
        if updated_since:
            query["updated_since"] = updated_since
        url = f"{self.settings.url.rstrip('/')}/shipments?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(
            url, headers={"Authorization": f"Bearer {self.settings.token}", "Accept": "application/json"}
        )

        def get() -> dict:
            with self._opener.open(request, timeout=self.settings.timeout) as response:
                reply = json.loads(response.read())
            if not isinstance(reply, dict) or not isinstance(reply.get("shipments"), list):
                raise json.JSONDecodeError("reply has no 'shipments' list", str(reply)[:100], 0)
            return reply

        try:
            return with_retries(
                get,
                transient=transient_http,
                retries=self.settings.retries,
                backoff=self.settings.backoff,
                what=f"GET {self.settings.url}/shipments",
            )
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise CarrierError(
                    f"the carrier API at {self.settings.url} rejected the token (CARRIER_API_TOKEN): HTTP {exc.code}"
                ) from None
            raise CarrierError(
                f"the carrier API at {self.settings.url} answered HTTP {exc.code}: "
                f"{exc.read()[:200].decode(errors='replace')}"
            ) from None
        except RetriesExhausted as exc:
            if timed_out(exc.__cause__):
                raise CarrierError(
                    f"the carrier API at {self.settings.url} did not answer within {self.settings.timeout:g} s; "
                    f"tried {self.settings.retries + 1} times"
                ) from None
            raise CarrierError(str(exc)) from None
