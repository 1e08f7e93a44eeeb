"""Incremental extraction of carrier shipments into `raw_carrier.shipments`.

The API filters with `updated_since` (exclusive) and pages by number. Paging by
number alone can skip a row when a record moves to the end while we page, so
this pages by key instead: after each page, ask again from one second before
the last `updated_at` seen (timestamps have one-second resolution), which
re-reads at most the rows of that second and merges them by `tracking_ref`.
Only when a whole page shares one second does it move to the next page number.
The cursor is the newest `updated_at` loaded, minus a look-back on the next run.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from reporting_assets.carrier.client import CarrierClient
from reporting_assets.raw.load import META_COLUMNS, META_DESCRIPTIONS, SyncResult, with_load_metadata
from reporting_assets.warehouse.base import SyncState, Warehouse

SCHEMA, TABLE = "raw_carrier", "shipments"
LOOKBACK = timedelta(minutes=10)
API_TS = "%Y-%m-%dT%H:%M:%SZ"
COLUMNS = {
    "tracking_ref": "text",
    "carrier_code": "text",
    "shipped_at": "timestamp",
    "delivered_at": "timestamp",
    "status": "text",
    "service_level_days": "bigint",
    "updated_at": "timestamp",
}
TYPES = COLUMNS | dict(META_COLUMNS)
DESCRIPTIONS = {
    "tracking_ref": "The carrier's tracking reference (Odoo's stock.picking.carrier_tracking_ref).",
    "carrier_code": "The carrier, as the tracking API names it.",
    "shipped_at": "When the carrier took the parcel (UTC).",
    "delivered_at": "When the carrier delivered it (UTC); NULL while in transit.",
    "status": "The carrier's status of the shipment.",
    "service_level_days": "The days the carrier promises for this service: on time = delivered within them.",
    "updated_at": "When the API last changed the shipment (UTC): the extraction's cursor.",
} | META_DESCRIPTIONS


def sync_shipments(
    client: CarrierClient, wh: Warehouse, run_id: str, *, full_refresh: bool = False, progress=None
) -> SyncResult:
    started = time.monotonic()
    wh.ensure_table(SCHEMA, TABLE, TYPES, key="tracking_ref")
    state = wh.read_state(SCHEMA, TABLE)
    result = SyncResult(TABLE, cursor_before=state.cursor, columns=dict(COLUMNS), previous_columns=state.columns)
    cursor = None if full_refresh else state.cursor
    since = None if cursor is None else _api(_parse(cursor["updated_at"]) - LOOKBACK)
    page_no = 1
    while True:
        reply = client.shipments_page(since, page_no)
        rows = reply["shipments"]
        if not rows:
            break
        newest = max(r["updated_at"] for r in rows)
        cursor = {"updated_at": max(newest, cursor["updated_at"]) if cursor else newest}
        data = with_load_metadata(
            {c: [_value(r.get(c), t) for r in rows] for c, t in COLUMNS.items()}, len(rows), run_id
        )
        result.add(
            wh.merge(
                SCHEMA,
                TABLE,
                data,
                TYPES,
                key="tracking_ref",
                version="updated_at",
                state=SyncState(cursor, state.columns),
                run_id=run_id,
            )
        )
        if progress:
            progress(result)
        if reply.get("next_page") is None:
            break
        next_since = _api(_parse(rows[-1]["updated_at"]) - timedelta(seconds=1))
        if since is None or next_since > since:
            since, page_no = next_since, 1
        else:  # a whole page within one second: only page numbers move us on
            page_no += 1
    result.cursor_after = cursor
    wh.save_state(SCHEMA, TABLE, SyncState(cursor, result.columns), run_id)
    wh.analyze(SCHEMA, TABLE)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _value(value, sql_type: str):
    if value is None:
        return None
    if sql_type == "timestamp":  # '2024-05-01T13:45:10Z' -> naive UTC like every other raw timestamp
        return value.replace("T", " ").rstrip("Z")
    return value


def _parse(ts: str) -> datetime:
    return datetime.strptime(ts, API_TS)


def _api(moment: datetime) -> str:
    return moment.strftime(API_TS)
