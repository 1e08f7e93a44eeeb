"""`make bench`: performance figures, each next to a baseline measured in the same run.

The demo server: `search_read` throughput of `stock.move` in 5,000-row pages over
HTTP with the real odoorpc client, paged by id as the extractor pages (`id > last`,
`order="id asc"`), with many2ones as `[id, name]` (Odoo's default `load`) and as bare
ids (`load=None`, what the extractor asks for), next to the same rows fetched
with offset paging by id, measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.servers import Server  # noqa: E402

FIELDS = [
    "product_id",
    "product_uom_qty",
    "quantity",
    "state",
    "date",
    "location_id",
    "location_dest_id",
    "picking_id",
    "sale_line_id",
    "purchase_line_id",
    "is_inventory",
    "write_date",
]


def id_pages(odoo, page: int, load) -> tuple[int, float]:
    Move, rows, last = odoo.env["stock.move"], 0, 0
    start = time.perf_counter()
    while True:
        batch = Move.search_read(
            [("id", ">", last)], FIELDS, limit=page, order="id asc", load=load, context={"active_test": False}
        )
        rows += len(batch)
        if len(batch) < page:
            return rows, time.perf_counter() - start
        last = batch[-1]["id"]


def offset_pages(odoo, page: int) -> tuple[int, float]:
    Move, rows, offset = odoo.env["stock.move"], 0, 0
    start = time.perf_counter()
    while True:
        batch = Move.search_read([], FIELDS, offset=offset, limit=page, order="id asc")
        rows += len(batch)
        offset += page
        if len(batch) < page:
            return rows, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="1")
    args = parser.parse_args()
    server = Server(scale=args.scale)
    try:
        odoo = server.client()
        rows, classic = id_pages(odoo, 5000, "_classic_read")
        _, bare = id_pages(odoo, 5000, None)
        _, offset = offset_pages(odoo, 5000)
        print(f"demo server, scale {args.scale}: stock.move search_read, 5,000-row pages, {rows:,} rows")
        print(f"  id pages, many2one as [id, name]: {rows / classic:10,.0f} rows/s  ({classic:.2f} s)")
        print(
            f"  id pages, load=None (bare ids):   {rows / bare:10,.0f} rows/s  ({bare:.2f} s)  = {classic / bare:.2f} x"
        )
        print(f"  offset pages by id:               {rows / offset:10,.0f} rows/s  ({offset:.2f} s)")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
