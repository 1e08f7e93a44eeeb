"""Incremental, exact extraction of one Odoo model into one raw table.

The algorithm (ODOO.md §4.4), in the order it runs:

1. Resolve the declared fields against `fields_get` (`columns.py`); create or
   widen `raw_odoo.<table>`.
2. Read the stored cursor `(write_date, id)` of the last row loaded. Start at
   `write_date >= cursor - LOOKBACK`: Odoo stamps `write_date` (one-second
   resolution) when a transaction writes, not when it commits, so a row can
   become visible with a stamp older than rows already read.
3. Page with a keyset on (`write_date`, `id`) and `active_test: false` (archived
   rows arrive with their `active` flag). A record written while we page gets
   a newer stamp and shows up on a later page of the same run. One thread
   fetches the next page while the caller converts and loads the current one.
4. Each page is merged by `id` and the cursor saved in the same warehouse
   transaction: a crash at any point loses nothing, and a rerun re-reads from
   the saved cursor without duplicating anything (the merge is by key).
5. Deletions leave no trace in Odoo: reconcile the source's ids, range by
   range, and set `_deleted_at` on the rows that are gone.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterator

from reporting_assets.odoo.client import OdooClient
from reporting_assets.odoo.columns import META_COLUMNS, resolve_columns, to_columns, with_load_metadata
from reporting_assets.odoo.tables import OdooTable
from reporting_assets.warehouse.base import MergeCounts, SyncState, Warehouse, utc_now

SCHEMA = "raw_odoo"
LOOKBACK = timedelta(minutes=10)
ID_CHUNK = 50_000  # ids per deletion-reconciliation request
ODOO_DT = "%Y-%m-%d %H:%M:%S"


@dataclass
class SyncResult:
    table: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    pages: int = 0
    cursor_before: dict | None = None
    cursor_after: dict | None = None
    seconds: float = 0.0
    skipped_fields: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    previous_columns: dict[str, str] | None = None

    def add(self, counts: MergeCounts) -> None:
        """Count one merged page."""
        self.rows_read += counts.rows
        self.inserted += counts.inserted
        self.updated += counts.updated
        self.unchanged += counts.unchanged
        self.pages += 1


def sync_table(client: OdooClient, wh: Warehouse, table: OdooTable, run_id: str, *, full_refresh: bool = False,
               progress: Callable[[SyncResult], None] | None = None) -> SyncResult:
    started = time.monotonic()
    resolution = resolve_columns(table, client.fields_get(table.model), client.settings.url)
    types = {c.name: c.sql_type for c in resolution.columns} | dict(META_COLUMNS)
    wh.ensure_table(SCHEMA, table.table, types, key="id")
    state = wh.read_state(SCHEMA, table.table)
    result = SyncResult(table.table, cursor_before=state.cursor, skipped_fields=resolution.skipped,
                        columns={c.name: c.sql_type for c in resolution.columns}, previous_columns=state.columns)
    cursor = None if full_refresh else state.cursor
    start = None if cursor is None else _shift(cursor["write_date"], -LOOKBACK)
    base = [] if start is None else [["write_date", ">=", start]]

    for page in _prefetched(lambda domain: client.search_read(
            table.model, domain, list(resolution.fields), client.settings.page_size, "write_date asc, id asc"),
            base, client.settings.page_size):
        last = {"write_date": page[-1]["write_date"], "id": page[-1]["id"]}
        cursor = last if cursor is None else max(cursor, last, key=lambda c: (c["write_date"], c["id"]))
        data = with_load_metadata(to_columns(page, resolution.columns), len(page), run_id)
        result.add(wh.merge(SCHEMA, table.table, data, types, key="id", version="write_date",
                            state=SyncState(cursor, state.columns), run_id=run_id))
        if progress:
            progress(result)

    result.deleted = _reconcile_deletions(client, wh, table)
    result.cursor_after = cursor
    wh.save_state(SCHEMA, table.table, SyncState(cursor, result.columns), run_id)
    wh.analyze(SCHEMA, table.table)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _prefetched(fetch: Callable[[list], list[dict]], base: list, page_size: int) -> Iterator[list[dict]]:
    """Keyset pages, fetched one ahead in a thread so fetching overlaps loading."""
    pages: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()
    done = object()

    def put(item) -> None:
        while not stop.is_set():
            try:
                pages.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def fetch_all() -> None:
        domain = base
        try:
            while not stop.is_set():
                page = fetch(domain)
                if page:
                    put(page)
                if len(page) < page_size:
                    break
                wd, rid = page[-1]["write_date"], page[-1]["id"]
                domain = base + ["|", ["write_date", ">", wd], "&", ["write_date", "=", wd], ["id", ">", rid]]
            put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            put(exc)

    worker = threading.Thread(target=fetch_all, name="odoo-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = pages.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


def _reconcile_deletions(client: OdooClient, wh: Warehouse, table: OdooTable) -> int:
    deleted, after, now = 0, None, utc_now()
    while True:
        domain = [] if after is None else [["id", ">", after]]
        ids = client.search_ids(table.model, domain, ID_CHUNK)
        up_to = ids[-1] if len(ids) == ID_CHUNK else None  # the last chunk reaches to the end
        deleted += wh.mark_deleted(SCHEMA, table.table, "id", "bigint", ids, now, after=after, up_to=up_to)
        if up_to is None:
            return deleted
        after = up_to


def _shift(odoo_datetime: str, delta: timedelta) -> str:
    return (datetime.strptime(odoo_datetime, ODOO_DT) + delta).strftime(ODOO_DT)
