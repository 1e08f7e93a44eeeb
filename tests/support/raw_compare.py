"""An independent reading of the source and of a raw table, to compare them row for row.

The source side is read with plain odoorpc and converted here, by the rules the
issue states (many2one -> id + display name, false -> NULL except booleans,
dates and datetimes typed, x2many as lists), not with the connector's code.
Only the list of fields comes from the declared tables (`resolve_columns`).
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import psycopg2

from reporting_assets.odoo.columns import resolve_columns
from reporting_assets.odoo.tables import OdooTable


def columns_of(odoo, table: OdooTable):
    return tuple(
        c for c in resolve_columns(table, odoo.execute_kw(table.model, "fields_get", [], {})).columns if c.present
    )


def source_rows(odoo, table: OdooTable) -> dict[int, dict]:
    meta = odoo.execute_kw(table.model, "fields_get", [], {})
    columns = [c for c in resolve_columns(table, meta).columns if c.present]
    records = odoo.execute_kw(
        table.model,
        "search_read",
        [[]],
        {"fields": sorted({c.field for c in columns}), "context": {"active_test": False}},
    )
    rows = {}
    for rec in records:
        row = {}
        for col in columns:
            value, kind = rec[col.field], meta[col.field]["type"]
            if col.kind == "many2one_name":
                row[col.name] = (value[1] or None) if value else None
            elif kind == "many2one":
                row[col.name] = value[0] if value else None
            elif kind == "boolean":
                row[col.name] = bool(value)
            elif kind in ("one2many", "many2many"):
                row[col.name] = list(value)
            elif kind == "datetime":
                row[col.name] = datetime.strptime(value, "%Y-%m-%d %H:%M:%S") if value else None
            elif kind == "date":
                row[col.name] = date.fromisoformat(value) if value else None
            elif kind in ("integer", "float", "monetary"):
                row[col.name] = value
            else:
                row[col.name] = value or None
        rows[rec["id"]] = row
    return rows


def warehouse_rows(kind: str, where: str, schema: str, table: str, columns: list[str]) -> tuple[dict, int]:
    """Live rows by key (first column) and the total row count, deleted rows included."""
    select = ", ".join(f'"{c}"' for c in columns)
    sql = f'SELECT {select} FROM {schema}."{table}" WHERE _deleted_at IS NULL'
    if kind == "duckdb":
        con = duckdb.connect(where, read_only=True)
        try:
            live = con.execute(sql).fetchall()
            total = con.execute(f'SELECT count(*) FROM {schema}."{table}"').fetchone()[0]
        finally:
            con.close()
    else:
        con = psycopg2.connect(where)
        try:
            cur = con.cursor()
            cur.execute(sql)
            live = cur.fetchall()
            cur.execute(f'SELECT count(*) FROM {schema}."{table}"')
            total = cur.fetchone()[0]
        finally:
            con.close()
    rows = {r[0]: dict(zip(columns, r, strict=True)) for r in live}
    assert len(rows) == len(live), f"{schema}.{table}: duplicate keys"
    return rows, total


def assert_same(source: dict, loaded: dict, label: str) -> None:
    missing, extra = set(source) - set(loaded), set(loaded) - set(source)
    assert not missing and not extra, (
        f"{label}: {len(missing)} missing ids {sorted(missing)[:5]}, {len(extra)} extra ids {sorted(extra)[:5]}"
    )
    diffs = [
        (key, col, source[key][col], loaded[key][col])
        for key in source
        for col in source[key]
        if source[key][col] != loaded[key][col]
    ]
    assert not diffs, f"{label}: {len(diffs)} differing values, e.g. {diffs[:5]}"
