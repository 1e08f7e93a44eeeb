"""The one query layer between the marts and the reports, the same on DuckDB and PostgreSQL.

Python here only selects: which rows of a mart (the reporting date, the customer, a threshold),
in which order, how many. Every figure and every comparison is the mart's own value, computed by
dbt; values are normalised (PostgreSQL's numerics become floats) so both warehouses give the same
content, hence the same version hash.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from reporting_assets.reports.content import Column, SectionContent, TileValue
from reporting_assets.reports.definition import Report, Section
from reporting_assets.warehouse.base import Warehouse, q

SCHEMA = "marts"


class MartsNotReady(RuntimeError):
    """The marts do not hold the reporting date asked for (they hold one `as_of` at a time)."""


def check_as_of(wh: Warehouse, report: Report, as_of: str) -> None:
    """Every mart the report reads holds `as_of` (or is empty): else its figures are another day's."""
    for mart in report.marts:
        held = [str(v) for (v,) in wh.execute(f"SELECT DISTINCT as_of FROM {SCHEMA}.{q(mart)}")]
        if held and held != [as_of]:
            raise MartsNotReady(
                f"marts.{mart} holds the figures of {', '.join(held)}, not {as_of}: "
                f"build the marts for that date first (reporting run --as-of {as_of})"
            )


def section_content(
    wh: Warehouse, section: Section, as_of: str, customer_id: int | None = None, sensitive: bool = True
) -> SectionContent:
    """One section's rows from its mart. `sensitive=False` leaves out the columns marked sensitive
    (the variant for roles that may not see margin or cost)."""
    if section.kind == "narrative":
        return SectionContent(section.kind, section.title)
    if section.kind == "tiles":
        return SectionContent(section.kind, section.title, tiles=_tiles(wh, section, customer_id))
    columns = tuple(c for c in section.columns if sensitive or c.name not in section.sensitive)
    selected = [c.name for c in columns]
    extra = [c for c in (section.link.id_column if section.link else None, section.owner) if c and c not in selected]
    where, params = _where(section, as_of, customer_id)
    # Every selected column breaks ties, so the order (hence the content and its hash) is fixed.
    order = [f"{q(c)} {'DESC' if desc else 'ASC'} NULLS LAST" for c, desc in section.order_by]
    order += [f"{q(c)} ASC NULLS LAST" for c in selected + extra]
    sql = f"SELECT {', '.join(q(c) for c in selected + extra)} FROM {SCHEMA}.{q(section.source)}{where}"
    sql += f" ORDER BY {', '.join(order)}" + (f" LIMIT {section.limit}" if section.limit else "")
    names = selected + extra
    rows = tuple({n: _plain(v) for n, v in zip(names, row, strict=True)} for row in wh.execute(sql, params))
    total = None
    if section.kind == "exceptions":
        total = wh.execute(f"SELECT count(*) FROM {SCHEMA}.{q(section.source)}{where}", params)[0][0]
    if section.owner and section.owner not in selected:
        columns += (Column(section.owner, "Owner"),)
    return SectionContent(
        section.kind,
        section.title,
        columns=columns,
        rows=rows,
        chart=section.chart,
        link=section.link,
        total_rows=total,
    )


def _where(section: Section, as_of: str, customer_id: int | None) -> tuple[str, tuple]:
    clauses, params = [], []
    for column, value in section.filter:
        if value == "as_of":
            clauses.append(f"{q(column)} = CAST(? AS DATE)")
            params.append(as_of)
        else:
            clauses.append(f"{q(column)} = ?")
            params.append(value)
    for column, bound in section.at_least:
        clauses.append(f"{q(column)} >= ?")
        params.append(bound)
    for column, bound in section.below:
        clauses.append(f"{q(column)} < ?")
        params.append(bound)
    if customer_id is not None:
        clauses.append("customer_id = ?")
        params.append(customer_id)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)


def _tiles(wh: Warehouse, section: Section, customer_id: int | None) -> tuple[TileValue, ...]:
    kpis = [t.kpi for t in section.tiles]
    sql = (
        f"SELECT kpi, value, previous, trailing_avg, month_to_date FROM {SCHEMA}.{q(section.source)} "
        f"WHERE grain = ? AND kpi IN ({', '.join('?' for _ in kpis)})"
    )
    params: tuple = (section.grain, *kpis)
    if customer_id is not None:
        sql += " AND customer_id = ?"
        params += (customer_id,)
    found = {row[0]: [_plain(v) for v in row[1:]] for row in wh.execute(sql, params)}
    tiles = []
    for spec in section.tiles:
        value, previous, trailing, mtd = found.get(spec.kpi, [None] * 4)
        tiles.append(TileValue(spec.label, spec.format, spec.better, value, previous, trailing, mtd, spec.target))
    return tuple(tiles)


def customers(wh: Warehouse, source: str) -> list[tuple[int, str]]:
    """(id, name) of the customers a customer-scoped report is made for: those in its first mart."""
    rows = wh.execute(
        f"SELECT DISTINCT customer_id, customer_name FROM {SCHEMA}.{q(source)} "
        "WHERE customer_id IS NOT NULL ORDER BY customer_id"
    )
    return [(int(i), str(n)) for i, n in rows]


def data_as_of(wh: Warehouse, raw_tables: list[str]) -> str:
    """The oldest extraction time among the raw tables (`schema.table`) the report depends on."""
    oldest = None
    for qualified in raw_tables:
        schema, table = qualified.split(".")
        if not wh.table_columns(schema, "_sync_state"):
            continue
        rows = wh.execute(f"SELECT updated_at FROM {q(schema)}._sync_state WHERE table_name = ?", (table,))
        for (stamp,) in rows:
            if stamp is not None and (oldest is None or stamp < oldest):
                oldest = stamp
    return oldest.strftime("%Y-%m-%dT%H:%M:%SZ") if oldest else "never extracted"


def _plain(value):
    """The same Python value from either warehouse: numerics as floats, dates as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
