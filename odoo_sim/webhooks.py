"""Odoo 17's "Send Webhook Notification" automation action, fired by the demo server's writes.

As Odoo 17 sends them (base.automation webhook actions): one POST per record, `Content-Type:
application/json`, the body `json.dumps(..., sort_keys=True, default=str)` of
`_action`, `_id`, `_model` and the chosen fields read with `load=None` (here
`write_date`, so a receiver can deduplicate), a 1-second timeout, no
authentication header, no retries, a failure only logged. Odoo sends it inside
the transaction, so the RPC that caused it answers only after the POST; rules
on deletion run before the record goes, so its payload is still readable.
"""

from __future__ import annotations

import json
import sys
import urllib.request

from .db import served

ACTION = "Notify reporting(#1)"
FIELDS = ("write_date",)
TIMEOUT = 1.0


class Webhook:
    """One automation rule "on save and on deletion" of every model, posting to `url`."""

    def __init__(self, url: str):
        self.url = url

    def payloads(self, db, model: str, ids: list[int]) -> list[dict]:
        out = []
        for rid in ids:
            rec = db.record(model, rid)
            if rec is not None:
                out.append(
                    {
                        "_action": ACTION,
                        "_id": rid,
                        "_model": model,
                        "id": rid,
                        **{
                            f: served(db.value(model, rec, f), db.meta(model)[f]["type"]) or False
                            for f in FIELDS
                            if f in db.meta(model)
                        },
                    }
                )
        return out

    def send(self, payloads: list[dict]) -> None:
        for payload in payloads:
            body = json.dumps(payload, sort_keys=True, default=str).encode()
            request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
            try:
                urllib.request.urlopen(request, timeout=TIMEOUT).close()
            except OSError as exc:  # Odoo logs the failure and carries on
                print(
                    f"odoo-sim: webhook for {payload['_model']}({payload['_id']}) failed: {exc}",
                    file=sys.stderr,
                    flush=True,
                )
