"""The report as one self-contained HTML page: the e-mail body, the web view and the PDF's source.

Jinja2 with autoescaping everywhere: customer, product and warehouse names come from Odoo and may
hold markup. Styles are inline because mail clients (Gmail, Outlook) drop or ignore `<style>` blocks
and external sheets; layout is a single max-width column with horizontally scrolling tables, which
reads on a phone and needs no images (charts come with their data as a table).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from reporting_assets.reports.content import Column, ReportContent, SectionContent
from reporting_assets.reports.render.charts import render_chart_svg
from reporting_assets.reports.render.formatting import format_difference, format_value, raw_value, utc_timestamp
from reporting_assets.reports.render.links import odoo_link
from reporting_assets.reports.render.tiles import comparisons

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,  # a misspelt field fails the render instead of vanishing
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(formatted=format_value, difference=format_difference, raw=raw_value)


def is_numeric(column: Column) -> bool:
    """Right-aligned, and carries `data-value`."""
    return column.format != "text"


def chart_svg(section: SectionContent) -> Markup:
    """matplotlib escapes the text it writes into the SVG, so the markup is safe to insert as is.

    The SVG keeps its size for print but may shrink to a phone's width.
    """
    svg = render_chart_svg(section).replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
    return Markup(svg)


_environment.globals.update(odoo_link=odoo_link, is_numeric=is_numeric, chart_svg=chart_svg, comparisons=comparisons)


def render_html(content: ReportContent) -> str:
    created = utc_timestamp(content.generated_at).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _environment.get_template("base.html").render(report=content, created=created)
