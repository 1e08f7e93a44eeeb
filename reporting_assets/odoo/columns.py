"""From Odoo's field metadata and JSON values to typed warehouse columns.

`resolve_columns` checks a table's declared fields against `fields_get` and says
which columns the raw table has; `to_columns` turns one page of `search_read`
records into column lists with Python values the warehouses load in bulk.
Pure functions: no network, no database, no Dagster.

Types (portable names; each warehouse maps them to its own SQL):
many2one -> bigint id + text display name, one2many/many2many -> bigint[],
integer -> bigint, float/monetary -> double, boolean -> boolean,
date -> date, datetime -> timestamp (naive UTC, as Odoo stores it),
everything else (char, text, html, selection, reference) -> text.
Odoo's `false` for an empty value becomes NULL, except in boolean fields; an
empty string becomes NULL as well (COPY cannot tell them apart cheaply).
"""

from __future__ import annotations

from dataclasses import dataclass

from reporting_assets.odoo.tables import ALWAYS, OdooTable
from reporting_assets.raw.load import META_DESCRIPTIONS

SQL_TYPES = {
    "integer": "bigint",
    "float": "double",
    "monetary": "double",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamp",
    "many2one": "bigint",
    "one2many": "bigint[]",
    "many2many": "bigint[]",
}


class FieldMissingError(Exception):
    """A required field is not on the server: the table cannot be extracted as declared."""


@dataclass(frozen=True)
class Column:
    name: str  # column in the warehouse
    sql_type: str  # portable type name (see SQL_TYPES)
    field: str  # Odoo field it comes from
    kind: str  # Odoo field type; for the `_name` half of a many2one: "many2one_name"
    present: bool = True  # False: an optional field the server lacks, kept as a NULL column of its declared type


@dataclass(frozen=True)
class Resolution:
    columns: tuple[Column, ...]
    fields: tuple[str, ...]  # what to ask `search_read` for
    skipped: tuple[str, ...]  # optional fields the server lacks (notice)

    @property
    def extracted(self) -> dict[str, str]:
        """Column -> type of what the server gave: what the schema-drift check compares."""
        return {c.name: c.sql_type for c in self.columns if c.present}


def resolve_columns(
    table: OdooTable, fields_get: dict[str, dict], base_url: str = "", model_absent: bool = False
) -> Resolution:
    """The columns of `table` on a server with these fields; `model_absent`: the server lacks the
    whole model (an optional module), so every field is taken as an absent optional one."""
    columns: list[Column] = []
    fields: list[str] = []
    skipped: list[str] = []
    for token in ALWAYS + tuple(table.fields.split()):
        optional = model_absent or token.startswith("?")
        spec, _, declared = token.lstrip("?").partition(":")
        names = spec.split("|")
        found = next((n for n in names if n in fields_get), None)
        if found is None:
            if optional:
                skipped.append(names[0])
                columns.extend(_columns(names[0], names[0], declared, present=False))
                continue
            where = f" on {base_url}" if base_url else ""
            raise FieldMissingError(
                f"{table.model}: required field {' or '.join(repr(n) for n in names)} does not exist{where}; "
                f"mark it optional with '?' in reporting_assets/odoo/tables.py if the module providing it may be absent"
            )
        fields.append(found)
        columns.extend(_columns(names[0], found, fields_get[found].get("type", "char")))
    return Resolution(tuple(columns), tuple(fields), tuple(skipped))


def _columns(name: str, field: str, kind: str, present: bool = True) -> list[Column]:
    """The warehouse column(s) of one field: a many2one is an id and a display name."""
    columns = [Column(name, SQL_TYPES.get(kind, "text"), field, kind, present)]
    if kind == "many2one":
        columns.append(Column(f"{name}_name", "text", field, "many2one_name", present))
    return columns


def column_descriptions(model: str, resolution: Resolution, fields_get: dict[str, dict]) -> dict[str, str]:
    """Column -> what it holds, for the raw asset's column schema: Odoo's label and field name."""
    out = {}
    for col in (c for c in resolution.columns if c.present):
        meta = fields_get.get(col.field, {})
        label = meta.get("string") or col.field
        if col.kind == "many2one_name":
            out[col.name] = f"{label}: display name of the linked record as of extraction (`{model}.{col.field}`)."
        elif col.kind == "many2one":
            out[col.name] = f"{label}: id of the linked {meta.get('relation', 'record')} (`{model}.{col.field}`)."
        else:
            out[col.name] = f"{label} (`{model}.{col.field}`, Odoo {col.kind})."
    return out | META_DESCRIPTIONS


def to_columns(records: list[dict], columns: tuple[Column, ...]) -> dict[str, list]:
    """Column name -> list of values, one per record, typed for bulk loading.

    Dates and datetimes stay ISO strings ('2024-05-01', '2024-05-01 13:45:10'):
    the warehouses cast them in bulk, far faster than parsing each in Python.
    """
    out: dict[str, list] = {}
    for col in columns:
        values = [rec.get(col.field, False) for rec in records]
        kind = col.kind
        if not col.present:
            out[col.name] = [None] * len(records)
        elif kind == "many2one":
            out[col.name] = [v[0] if v else None for v in values]
        elif kind == "many2one_name":
            out[col.name] = [(v[1] or None) if v else None for v in values]
        elif kind == "boolean":
            out[col.name] = [bool(v) for v in values]
        elif kind in ("one2many", "many2many"):
            out[col.name] = [list(v) if v else [] for v in values]
        elif kind in ("integer", "float", "monetary"):
            out[col.name] = [None if v is False or v is None else v for v in values]
        else:  # text: an empty string is NULL too, the same on both warehouses
            out[col.name] = [v if v not in (False, None, "") else None for v in values]
    return out
