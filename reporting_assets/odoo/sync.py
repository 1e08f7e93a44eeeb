"""Incremental, exact extraction of one Odoo model into one raw table.

The algorithm (ODOO.md §4.4), in the order it runs:

1. Resolve the declared fields against `fields_get` (`columns.py`); create or
   widen `raw_odoo.<table>`.
2. Begin a pass over a window of the table, or resume the pass a killed run
   left unfinished. Before reading anything, ask Odoo for the table's newest
   `write_date` (one `read_group`): that is the cursor this pass saves once it
   is complete. The window is every record for a full load, and
   `write_date >= cursor - LOOKBACK` for an increment: Odoo stamps `write_date`
   when a transaction starts writing, not when it commits, so a row can become
   visible with a stamp older than rows already read.
3. Page the window by id (`id > last id read`, `order="id asc"`, with
   `active_test: false` so archived rows arrive with their `active` flag).
   Not by (`write_date`, `id`): Odoo stores `write_date` with microseconds, one
   value for every row a transaction writes, but answers it truncated to the
   second, so `write_date = w` matches nothing, `write_date > w` returns the
   whole second again, and a keyset pager never advances once a page's worth
   of rows share one second (a mass update, an import, a recompute). Odoo has
   no index on `write_date` either: ordering by it sorts the table on every
   page, where an id page walks the primary key at a constant cost.
4. With ODOO_WORKERS > 1 (Odoo running several worker processes), the ids are
   cut into that many contiguous ranges fetched in parallel, one thread and one
   Odoo connection each; with 1, one thread fetches one page ahead. Either way
   the pages are converted and loaded here, one at a time.
5. Each page is merged by `id` and the pass's progress (the ranges still to
   read, each from the last id loaded) saved in the same warehouse
   transaction: killed at any point, the next run resumes the pass where the
   last committed page left it, losing and duplicating nothing.
6. When the pass completes, the cursor becomes the newest `write_date` of
   step 2. A record written while the pass pages is read by it or not,
   depending on where its id lies; either way its stamp is newer than that
   cursor minus the look-back, so the next pass reads it.
7. Deletions leave no trace in Odoo: reconcile the source's ids, range by
   range, and set `_deleted_at` on the rows that are gone.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from reporting_assets.odoo.client import OdooClient
from reporting_assets.odoo.columns import resolve_columns, to_columns
from reporting_assets.odoo.names import DisplayNames
from reporting_assets.odoo.tables import OdooTable
from reporting_assets.raw.load import META_COLUMNS, SyncResult, with_load_metadata
from reporting_assets.warehouse.base import SyncState, Warehouse, utc_now

SCHEMA = "raw_odoo"
LOOKBACK = timedelta(minutes=10)
ID_CHUNK = 50_000  # ids per deletion-reconciliation request
ODOO_DT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Pass:
    """One read of a window of a table, as saved in the cursor between pages.

    `ranges` are the id ranges still to read, each `[after, up_to]`: ids greater
    than `after` and at most `up_to` (`None`: to the end, so records created
    during the pass are not cut off).
    """

    since: str | None  # the window: write_date >= since; None reads every record
    newest: str | None  # the newest write_date before the pass began: the cursor once it completes
    ranges: tuple[tuple[int, int | None], ...]

    @property
    def window(self) -> list:
        return [] if self.since is None else [["write_date", ">=", self.since]]

    def domain(self, after: int, up_to: int | None) -> list:
        return self.window + [["id", ">", after]] + ([] if up_to is None else [["id", "<=", up_to]])

    def saved(self) -> dict:
        return {"since": self.since, "newest": self.newest, "ranges": [list(r) for r in self.ranges]}

    @classmethod
    def from_saved(cls, saved: dict) -> Pass:
        return cls(saved["since"], saved["newest"], tuple((a, b) for a, b in saved["ranges"]))


def sync_table(
    client: OdooClient,
    wh: Warehouse,
    table: OdooTable,
    run_id: str,
    *,
    full_refresh: bool = False,
    progress: Callable[[SyncResult], None] | None = None,
) -> SyncResult:
    started = time.monotonic()
    resolution = resolve_columns(table, client.fields_get(table.model), client.settings.url)
    types = {c.name: c.sql_type for c in resolution.columns} | dict(META_COLUMNS)
    wh.ensure_table(SCHEMA, table.table, types, key="id")
    state = wh.read_state(SCHEMA, table.table)
    result = SyncResult(
        table.table,
        cursor_before=state.cursor,
        skipped_fields=resolution.skipped,
        columns=resolution.extracted,
        previous_columns=state.columns,
        full_refresh=full_refresh,
    )
    settled = None if full_refresh else (state.cursor or {}).get("write_date")
    unfinished = None if full_refresh else (state.cursor or {}).get("pass")
    pass_ = Pass.from_saved(unfinished) if unfinished else begin_pass(client, table.model, settled)

    names = DisplayNames(client.fields_get(table.model), list(resolution.fields))
    remaining = dict(enumerate(pass_.ranges))
    for index, page, finished in fetch_pages(client, table.model, list(resolution.fields), pass_, names):
        if finished:
            del remaining[index]
        else:
            remaining[index] = (page[-1]["id"], remaining[index][1])
        if not page:
            continue
        cursor = {"write_date": settled, "pass": Pass(pass_.since, pass_.newest, tuple(remaining.values())).saved()}
        data = with_load_metadata(to_columns(page, resolution.columns), len(page), run_id)
        result.add(
            wh.merge(
                SCHEMA,
                table.table,
                data,
                types,
                key="id",
                version="write_date",
                state=SyncState(cursor, state.columns),
                run_id=run_id,
            )
        )
        if progress:
            progress(result)

    result.deleted = _reconcile_deletions(client, wh, table)
    result.cursor_after = {"write_date": pass_.newest or settled}
    # A changed shape (a field added, gone or retyped in Odoo) is accepted only by a full refresh,
    # which re-reads every record in it: until then the rows read before the change lack or
    # misstate the field, and the drift check keeps failing, which blocks what is downstream.
    unchanged = state.columns is None or state.columns == result.columns
    accepted = result.columns if full_refresh or unchanged else state.columns
    wh.save_state(SCHEMA, table.table, SyncState(result.cursor_after, accepted), run_id)
    wh.analyze(SCHEMA, table.table)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def create_absent(wh: Warehouse, table: OdooTable) -> None:
    """The table of a model the server does not have (its module is not installed), created empty
    from the declared types, so the models reading it run and give nothing instead of failing."""
    resolution = resolve_columns(table, {}, model_absent=True)
    types = {c.name: c.sql_type for c in resolution.columns} | dict(META_COLUMNS)
    wh.ensure_table(SCHEMA, table.table, types, key="id")


def begin_pass(client: OdooClient, model: str, settled: str | None) -> Pass:
    """A new pass: every record (no settled cursor) or the look-back window after it, cut into
    ODOO_WORKERS id ranges."""
    _, newest = client.fingerprint(model)
    window = Pass(None if settled is None else _shift(settled, -LOOKBACK), newest, ())
    return Pass(window.since, newest, id_ranges(client, model, window.window, client.settings.workers))


def id_ranges(client: OdooClient, model: str, domain: list, parts: int) -> tuple[tuple[int, int | None], ...]:
    """`parts` contiguous id ranges of about the same width over the ids `domain` selects
    (two index lookups in Odoo). Ids are dense in Odoo, so equal widths hold about equal counts."""
    if parts == 1:
        return ((0, None),)
    first = client.search_ids(model, domain, 1)
    if not first:
        return ((0, None),)
    low, high = first[0] - 1, client.search_ids(model, domain, 1, order="id desc")[0]
    width = -(-(high - low) // parts)
    cuts = sorted({low + i * width for i in range(parts) if low + i * width < high})
    return tuple(zip(cuts, cuts[1:] + [None], strict=True))


def fetch_pages(
    client: OdooClient, model: str, fields: list[str], pass_: Pass, names: DisplayNames
) -> Iterator[tuple[int, list[dict], bool]]:
    """(range index, page, whether that range is finished) for every page of the pass.

    One thread per range, each with its own Odoo connection (the first reuses `client`), each
    fetching at most one page ahead of what has been loaded; the caller gets the pages of all
    ranges interleaved, each range's in id order. Pages are read with `load=None` and get their
    many2one names from `names` (see `names.py`).
    """
    page_size = client.settings.page_size
    pages: queue.Queue = queue.Queue(maxsize=len(pass_.ranges) + 1)
    stop = threading.Event()

    def put(item) -> None:
        while not stop.is_set():
            try:
                pages.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def fetch_range(index: int, odoo: OdooClient | None, after: int, up_to: int | None) -> None:
        try:
            odoo = odoo or OdooClient(client.settings).connect()
            while not stop.is_set():
                page = names.attach(
                    odoo, odoo.search_read(model, pass_.domain(after, up_to), fields, page_size, "id asc", load=None)
                )
                finished = len(page) < page_size
                put((index, page, finished))
                if finished:
                    return
                after = page[-1]["id"]
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            put(exc)

    workers = [
        threading.Thread(
            target=fetch_range, args=(i, client if i == 0 else None, after, up_to), name=f"odoo-pages-{i}", daemon=True
        )
        for i, (after, up_to) in enumerate(pass_.ranges)
    ]
    for worker in workers:
        worker.start()
    unfinished = len(workers)
    try:
        while unfinished:
            item = pages.get()
            if isinstance(item, BaseException):
                raise item
            unfinished -= item[2]
            yield item
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=5)


def reconcile_reason(result: SyncResult, source_count: int, warehouse_rows: int) -> str | None:
    """Why the copy of a table may be off record by record after a sync, or None.

    - Odoo counts more records than the warehouse holds: rows removed from the raw table by hand,
      or records that reappeared when Odoo was restored from a backup with a `write_date` older
      than the cursor, which no incremental window reaches.
    - Odoo's newest `write_date` went back below the cursor: Odoo was restored from a backup (the
      edits made since vanished, and the records that carried them now hold older stamps), or the
      most recently written record was deleted.
    """
    if source_count > warehouse_rows:
        return f"Odoo has {source_count} records, the warehouse {warehouse_rows}"
    before = (result.cursor_before or {}).get("write_date")
    after = (result.cursor_after or {}).get("write_date")
    if before and after and after < before:
        return f"Odoo's newest write_date went back from {before} to {after} (restored from a backup?)"
    return None


def reconcile(client: OdooClient, wh: Warehouse, table: OdooTable, run_id: str) -> int:
    """Make the raw table agree with Odoo record by record: re-read, by id, every record Odoo has
    that the warehouse lacks or holds at another `write_date` (in either direction: a restored
    record's stamp is older than the copy's). Rows Odoo no longer has are what every sync's
    deletion sweep settles. One read of (id, write_date) per record, so it runs only when
    `reconcile_reason` gives a reason. Returns the number of records re-read."""
    source: dict[int, str] = {}
    last = 0
    while True:
        page = client.search_read(table.model, [["id", ">", last]], ["write_date"], ID_CHUNK, "id asc", load=None)
        source.update((r["id"], r["write_date"]) for r in page)
        if len(page) < ID_CHUNK:
            break
        last = page[-1]["id"]
    held = {
        key: stamp.strftime(ODOO_DT) if stamp else None
        for key, stamp in wh.live_versions(SCHEMA, table.table, "id", "write_date").items()
    }
    stale = sorted(key for key, stamp in source.items() if held.get(key) != stamp)
    resolution = resolve_columns(table, client.fields_get(table.model), client.settings.url)
    types = {c.name: c.sql_type for c in resolution.columns} | dict(META_COLUMNS)
    names = DisplayNames(client.fields_get(table.model), list(resolution.fields))
    state = wh.read_state(SCHEMA, table.table)
    page_size = client.settings.page_size
    for start in range(0, len(stale), page_size):
        ids = stale[start : start + page_size]
        page = names.attach(
            client,
            client.search_read(
                table.model, [["id", "in", ids]], list(resolution.fields), page_size, "id asc", load=None
            ),
        )
        data = with_load_metadata(to_columns(page, resolution.columns), len(page), run_id)
        wh.merge(SCHEMA, table.table, data, types, key="id", version="write_date", state=state, run_id=run_id)
    return len(stale)


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
