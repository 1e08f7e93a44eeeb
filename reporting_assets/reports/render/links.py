"""Drill-downs from an exception row to its record in Odoo, the same link in HTML and XLSX."""

from __future__ import annotations

from reporting_assets.reports.content import SectionContent


def odoo_link(odoo_url: str, section: SectionContent, row: dict) -> str | None:
    """The record's form view in Odoo, or None when the row has no id."""
    record_id = row.get(section.link.id_column)
    if record_id is None:
        return None
    if isinstance(record_id, float) and record_id.is_integer():
        record_id = int(record_id)  # ids of a nullable column arrive as floats from pandas
    return f"{odoo_url.rstrip('/')}/web#id={record_id}&model={section.link.model}&view_type=form"
