"""Rendering a `ReportContent` into the files a report is delivered as: HTML, PDF and XLSX.

Each renderer reads only the content it is given, and equal content gives equal bytes, so a file's
hash identifies the figures it shows.
"""

from __future__ import annotations

from collections.abc import Iterable

from reporting_assets.reports.content import ReportContent
from reporting_assets.reports.render.charts import render_chart_svg
from reporting_assets.reports.render.html_page import render_html
from reporting_assets.reports.render.pdf import render_pdf
from reporting_assets.reports.render.workbook import render_xlsx

FORMATS_RENDERED = ("html", "pdf", "xlsx")

__all__ = ["FORMATS_RENDERED", "render", "render_chart_svg", "render_html", "render_pdf", "render_xlsx"]


def render(content: ReportContent, formats: Iterable[str] = FORMATS_RENDERED) -> dict[str, bytes]:
    """The files for `formats`, by format; the PDF is printed from the same HTML as the page."""
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS_RENDERED)
    if unknown:
        raise ValueError(f"cannot render {sorted(unknown)}; known formats: {FORMATS_RENDERED}")
    html = render_html(content) if {"html", "pdf"} & set(formats) else ""
    files = {}
    for fmt in formats:
        if fmt == "html":
            files[fmt] = html.encode("utf-8")
        elif fmt == "pdf":
            files[fmt] = render_pdf(html)
        else:
            files[fmt] = render_xlsx(content)
    return files
