"""What a rendered report holds: plain data, read from the marts, handed to the renderers.

The query layer (`query.py`) fills these from the marts; the renderers (`render/`) turn them into
HTML, PDF and XLSX without reading anything else, so every figure in every format is the same
value the marts hold, and a renderer can be tested on hand-made content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How a value is shown. The renderers format; the value itself stays the mart's number.
FORMATS = ("integer", "number", "money", "percent", "date", "text", "days")


@dataclass(frozen=True)
class Column:
    name: str  # the mart's column
    label: str
    format: str = "text"  # one of FORMATS


@dataclass(frozen=True)
class TileValue:
    """One headline figure and its comparisons, all computed in SQL over the marts."""

    label: str
    format: str
    better: str  # "higher" or "lower": what the arrow's colour means (a rising backlog is worse)
    value: float | None
    previous: float | None = None  # the previous period (day or week)
    trailing_avg: float | None = None  # the average of the 4 periods before
    month_to_date: float | None = None
    target: float | None = None


@dataclass(frozen=True)
class Link:
    """A drill-down to the record in Odoo: `<ODOO_URL>/web#id=<id>&model=<model>&view_type=form`."""

    model: str
    id_column: str


@dataclass(frozen=True)
class SectionContent:
    kind: str  # tiles | table | chart | exceptions | narrative
    title: str
    columns: tuple[Column, ...] = ()
    rows: tuple[dict, ...] = ()  # column name -> value, in the order the SQL gave them
    tiles: tuple[TileValue, ...] = ()
    chart: dict | None = None  # {"mark": "line" | "bar", "x": column, "y": column, "series": column | None}
    link: Link | None = None  # exceptions: each row links to its record in Odoo
    total_rows: int | None = None  # exceptions: how many rows qualified before the cap
    text: str = ""  # narrative (the AI layer fills it later); empty: "nothing to report"

    @property
    def empty(self) -> bool:
        return not (self.rows or self.tiles or self.text)


@dataclass(frozen=True)
class ReportContent:
    report_id: str
    title: str
    as_of: str  # the reporting date (YYYY-MM-DD)
    scope: str  # "all", or the scope's name (a customer)
    generated_at: str  # ISO 8601, UTC
    data_as_of: str  # the oldest extraction time among the raw tables the report depends on
    checks: str  # data-quality status of its marts: "passed" or what failed
    sensitivity: str  # the variant: internal | confidential | external
    odoo_url: str
    sections: tuple[SectionContent, ...]
    definitions: tuple[tuple[str, str], ...] = ()  # (KPI or column, its definition from the dbt docs)
    version: str = ""  # the short content hash, set once the files exist
    extra: dict = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """A report with no data at all is not produced."""
        return all(s.empty for s in self.sections if s.kind != "narrative")
