"""The XLSX workbook: the report's figures as typed cells, for readers who carry on in Excel.

Numbers are written as numbers and dates as dates, with display formats, never as their formatted
text, so sums and filters work. Text goes through `write_string`, never `write`, so a name from Odoo
starting with "=" stays text and cannot become a formula. The file is written in memory, and its
creation date (the only varying part XlsxWriter writes; it stamps zip entries 1980-01-01 in memory
mode) comes from `generated_at`, so equal content gives equal bytes.
"""

from __future__ import annotations

import io
import re

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reporting_assets.reports.content import Column, ReportContent, SectionContent
from reporting_assets.reports.render.formatting import as_date, format_value, is_missing, utc_timestamp
from reporting_assets.reports.render.links import odoo_link
from reporting_assets.reports.render.tiles import COMPARISONS

NUMBER_FORMATS = {
    "integer": "#,##0",
    "number": "0.00",
    "money": "#,##0.00",
    "percent": "0.0%",
    "days": '0.0 "d"',
    "date": "yyyy-mm-dd",
    "text": "@",
}
SHEETS_OF = ("table", "exceptions", "chart")  # section kinds that get a sheet of their own
NOTHING = "Nothing to report."


def render_xlsx(content: ReportContent) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": content.title, "created": utc_timestamp(content.generated_at)})
    styles = _Styles(workbook)
    names = _SheetNames()
    summary = workbook.add_worksheet(names.claim("Summary"))
    definitions = names.claim("Definitions")  # reserved now, so no section takes the name
    _write_summary(summary, content, styles)
    for section in content.sections:
        if section.kind in SHEETS_OF:
            sheet = workbook.add_worksheet(names.claim(section.title))
            if section.kind == "chart" and section.rows:
                _write_chart(workbook, sheet, section, styles)
            else:
                _write_table(sheet, section, content.odoo_url, styles)
    _write_definitions(workbook.add_worksheet(definitions), content, styles)
    workbook.close()
    return buffer.getvalue()


class _Styles:
    """The workbook's cell formats, created once (XlsxWriter keeps every format it is given)."""

    def __init__(self, workbook: Workbook):
        self.cell = {name: workbook.add_format({"num_format": code}) for name, code in NUMBER_FORMATS.items()}
        self.header = workbook.add_format({"bold": True, "bottom": 1, "bg_color": "#F6F8FA"})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.bold = workbook.add_format({"bold": True})
        self.note = workbook.add_format({"italic": True, "font_color": "#57606A"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})


class _SheetNames:
    """Excel's rules: at most 31 characters, none of []:*?/\\, no leading or trailing apostrophe,
    unique regardless of case, and "History" is reserved."""

    def __init__(self):
        self.taken = {"history"}

    def claim(self, title: str) -> str:
        base = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'").strip()[:31] or "Sheet"
        name, number = base, 1
        while name.lower() in self.taken:
            number += 1
            suffix = f" ({number})"
            name = base[: 31 - len(suffix)].rstrip() + suffix
        self.taken.add(name.lower())
        return name


def _write_value(sheet: Worksheet, row: int, col: int, value, fmt: str, styles: _Styles) -> None:
    if is_missing(value):
        sheet.write_blank(row, col, None, styles.cell[fmt])
    elif fmt == "date":
        sheet.write_datetime(row, col, as_date(value), styles.cell["date"])
    elif fmt == "text":
        sheet.write_string(row, col, str(value))
    else:
        sheet.write_number(row, col, value, styles.cell[fmt])


def _header(sheet: Worksheet, labels: list[str], rows: int, styles: _Styles) -> None:
    """Bold header row, frozen, with an autofilter over the `rows` data rows below it."""
    for col, label in enumerate(labels):
        sheet.write_string(0, col, label, styles.header)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(rows, 1), len(labels) - 1)


def _widths(sheet: Worksheet, columns: list[list[str]]) -> None:
    """Each column as wide as its longest text (header included), within 8 to 50 characters."""
    for col, texts in enumerate(columns):
        sheet.set_column(col, col, min(max(8, *(len(text) + 2 for text in texts)), 50))


def _write_table(sheet: Worksheet, section: SectionContent, odoo_url: str, styles: _Styles) -> None:
    labels = [column.label for column in section.columns] + (["Odoo"] if section.link else [])
    _header(sheet, labels, len(section.rows), styles)
    for row_number, row in enumerate(section.rows, start=1):
        for col, column in enumerate(section.columns):
            _write_value(sheet, row_number, col, row[column.name], column.format, styles)
        url = section.link and odoo_link(odoo_url, section, row)
        if url:
            sheet.write_url(row_number, len(section.columns), url, string="Open in Odoo")
    notes = [] if section.rows else [NOTHING]
    if section.total_rows is not None and section.total_rows > len(section.rows):
        notes.append(f"Showing {len(section.rows)} of {section.total_rows} rows.")
    for offset, note in enumerate(notes):
        sheet.write_string(len(section.rows) + 1 + offset, 0, note, styles.note)
    texts = [
        [column.label] + [format_value(row[column.name], column.format) for row in section.rows]
        for column in section.columns
    ]
    _widths(sheet, texts + ([["Open in Odoo"]] if section.link else []))


def _write_chart(workbook: Workbook, sheet: Worksheet, section: SectionContent, styles: _Styles) -> None:
    """The chart's data with one column per series (what an Excel chart plots), and the chart beside it."""
    chart_spec = section.chart
    columns = {column.name: column for column in section.columns}
    x, y = columns[chart_spec["x"]], columns[chart_spec["y"]]
    table = _pivot(section.rows, x, y, chart_spec.get("series"))
    series_names = list(dict.fromkeys(name for values in table.values() for name in values))
    _header(sheet, [x.label, *series_names], len(table), styles)
    for row_number, (x_value, values) in enumerate(table.items(), start=1):
        _write_value(sheet, row_number, 0, x_value, x.format, styles)
        for col, name in enumerate(series_names, start=1):
            _write_value(sheet, row_number, col, values.get(name), y.format, styles)
    _widths(
        sheet,
        [[x.label, *(format_value(value, x.format) for value in table)]]
        + [[name, *(format_value(values.get(name), y.format) for values in table.values())] for name in series_names],
    )

    chart = workbook.add_chart({"type": "column" if chart_spec["mark"] == "bar" else "line"})
    last = len(table)
    for col in range(1, len(series_names) + 1):
        chart.add_series(
            {
                "name": [sheet.name, 0, col],
                "categories": [sheet.name, 1, 0, last, 0],
                "values": [sheet.name, 1, col, last, col],
            }
        )
    chart.set_title({"name": section.title})
    x_axis = {"name": x.label}
    if x.format == "date":
        x_axis.update(date_axis=True, num_format=NUMBER_FORMATS["date"])
    chart.set_x_axis(x_axis)
    chart.set_y_axis({"name": y.label, "num_format": NUMBER_FORMATS[y.format], "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"} if len(series_names) > 1 else {"none": True})
    chart.set_size({"width": 720, "height": 360})
    sheet.insert_chart(1, len(series_names) + 2, chart)


def _pivot(rows, x: Column, y: Column, series_column: str | None) -> dict:
    """x value -> {series name: y}, both in first-seen order; without a series column, one named after y."""
    table: dict = {}
    for row in rows:
        key = as_date(row[x.name]) if x.format == "date" else row[x.name]
        name = str(row[series_column]) if series_column else y.label
        table.setdefault(key, {})[name] = row[y.name]
    return table


def _write_summary(sheet: Worksheet, content: ReportContent, styles: _Styles) -> None:
    """The header facts, then each tiles section (value and comparisons as numbers) and narrative."""
    sheet.write_string(0, 0, content.title, styles.title)
    facts = [
        ("Reporting date", content.as_of, "date"),
        ("Scope", content.scope, "text"),
        ("Generated at", content.generated_at, "text"),
        ("Data as of", content.data_as_of, "text"),
        ("Data quality", content.checks, "text"),
        ("Sensitivity", content.sensitivity, "text"),
        ("Version", content.version or "–", "text"),
    ]
    for row, (label, value, fmt) in enumerate(facts, start=2):
        sheet.write_string(row, 0, label, styles.bold)
        _write_value(sheet, row, 1, value, fmt, styles)
    row = len(facts) + 3
    for section in content.sections:
        if section.kind not in ("tiles", "narrative"):
            continue
        sheet.write_string(row, 0, section.title, styles.bold)
        row += 1
        if section.empty:
            sheet.write_string(row, 0, NOTHING, styles.note)
        elif section.kind == "narrative":
            sheet.write_string(row, 0, "AI-written", styles.note)
            sheet.write_string(row, 1, section.text, styles.wrap)
        else:
            row = _write_tiles(sheet, row, section, styles)
        row += 2
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, len(COMPARISONS) + 2, 18)


def _write_tiles(sheet: Worksheet, row: int, section: SectionContent, styles: _Styles) -> int:
    """A header row and one row per tile; returns the last row written."""
    labels = ["Figure", "Value", *(label.capitalize() for _, label in COMPARISONS), "Better"]
    for col, label in enumerate(labels):
        sheet.write_string(row, col, label, styles.header)
    for tile in section.tiles:
        row += 1
        sheet.write_string(row, 0, tile.label)
        for col, value in enumerate([tile.value, *(getattr(tile, name) for name, _ in COMPARISONS)], start=1):
            _write_value(sheet, row, col, value, tile.format, styles)
        sheet.write_string(row, len(labels) - 1, tile.better)
    return row


def _write_definitions(sheet: Worksheet, content: ReportContent, styles: _Styles) -> None:
    _header(sheet, ["Term", "Definition"], len(content.definitions), styles)
    for row, (term, definition) in enumerate(content.definitions, start=1):
        sheet.write_string(row, 0, term, styles.bold)
        sheet.write_string(row, 1, definition, styles.wrap)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 100)
