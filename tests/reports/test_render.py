"""The renderers on hand-made content: HTML, SVG, PDF and XLSX, each read back.

Figures read back equal the content's values (HTML through `data-value`, XLSX as typed cells), names
from Odoo stay text, empty sections say so, and equal content gives equal bytes, which the version
hash relies on.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import replace
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from pypdf import PdfReader
from support.report_pages import Element, Page, section_element, table_rows

from reporting_assets.reports.content import Column, Link, ReportContent, SectionContent, TileValue
from reporting_assets.reports.render import (
    FORMATS_RENDERED,
    render,
    render_chart_svg,
    render_html,
    render_pdf,
    render_xlsx,
)
from reporting_assets.reports.render.formatting import format_value

EVIL = "<script>alert(1)</script> & Sons"
DAYS = [date(2024, 5, 1) + timedelta(days=n) for n in range(30)]
GREEN, RED = "#1a7f37", "#cf222e"

CUSTOMER_COLUMNS = (
    Column("customer", "Customer"),
    Column("revenue", "Revenue", "money"),
    Column("orders", "Orders", "integer"),
    Column("last_order", "Last order", "date"),
    Column("lead_time", "Lead time", "days"),
    Column("fill_rate", "Fill rate", "percent"),
    Column("lines", "Lines per order", "number"),
)
CUSTOMER_ROWS = (
    {
        "customer": EVIL,
        "revenue": 12345.678,
        "orders": 1234,
        "last_order": date(2024, 5, 29),
        "lead_time": 2.26,
        "fill_rate": 0.953,
        "lines": 3.14159,
    },
    {
        "customer": "Acme",
        "revenue": None,
        "orders": 3,
        "last_order": "2024-05-28",
        "lead_time": 0.1,
        "fill_rate": None,
        "lines": 12.0,
    },
)
# What a reader sees in each row, column by column.
CUSTOMER_TEXT = (
    [EVIL, "12,345.68", "1,234", "2024-05-29", "2.3 d", "95.3 %", "3.14"],
    ["Acme", "–", "3", "2024-05-28", "0.1 d", "–", "12.00"],
)


def make_content() -> ReportContent:
    tiles = (
        TileValue("Revenue", "money", "higher", 125000.5, previous=120000.25, trailing_avg=130000.0, target=124000.0),
        TileValue("OTIF", "percent", "higher", 0.953, previous=0.94, month_to_date=0.96),
        TileValue("Backlog", "integer", "lower", 42, previous=30, target=50),
    )
    otif = tuple(
        {"day": day, "warehouse": warehouse, "otif": 0.9 + n / 1000 + (0.03 if warehouse == "Main" else 0)}
        for n, day in enumerate(DAYS)
        for warehouse in ("Main", EVIL)
    )
    orders = tuple(
        {"channel": channel, "warehouse": warehouse, "orders": count}
        for channel, warehouse, count in (("Web", "Main", 120), ("Web", EVIL, 80), ("Phone", "Main", 45))
    )
    late = (
        {"picking_id": 17, "name": "WH/OUT/00017", "days_late": 3.0},
        {"picking_id": 23, "name": EVIL, "days_late": 1.5},
    )
    return ReportContent(
        report_id="daily_operations",
        title="Daily operations & sales",
        as_of="2024-05-30",
        scope=EVIL,
        generated_at="2024-05-31T06:00:12.345678+00:00",
        data_as_of="2024-05-31T05:40:00+00:00",
        checks="passed",
        sensitivity="internal",
        odoo_url="https://odoo.example.com/",
        sections=(
            SectionContent("tiles", "Headline", tiles=tiles),
            SectionContent("table", "Top customers", columns=CUSTOMER_COLUMNS, rows=CUSTOMER_ROWS),
            SectionContent(
                "chart",
                "OTIF by warehouse",
                columns=(
                    Column("day", "Day", "date"),
                    Column("warehouse", "Warehouse"),
                    Column("otif", "OTIF", "percent"),
                ),
                rows=otif,
                chart={"mark": "line", "x": "day", "y": "otif", "series": "warehouse"},
            ),
            SectionContent(
                "chart",
                "Orders by channel",
                columns=(
                    Column("channel", "Channel"),
                    Column("warehouse", "Warehouse"),
                    Column("orders", "Orders", "integer"),
                ),
                rows=orders,
                chart={"mark": "bar", "x": "channel", "y": "orders", "series": "warehouse"},
            ),
            SectionContent(
                "exceptions",
                "Late deliveries",
                columns=(
                    Column("picking_id", "Id", "integer"),
                    Column("name", "Delivery"),
                    Column("days_late", "Late", "days"),
                ),
                rows=late,
                link=Link("stock.picking", "picking_id"),
                total_rows=5,
            ),
            SectionContent("table", "Returns", columns=(Column("product", "Product"),)),
            SectionContent("narrative", "Commentary"),
        ),
        definitions=(("OTIF", "On time in full: deliveries complete and on time."), ("Backlog", f"Open lines {EVIL}")),
        version="abc123",
    )


# --- reading HTML back ---------------------------------------------------------------------------


def read_back(cell: Element, fmt: str):
    raw = cell.attrs.get("data-value")
    if raw is None:
        return None
    return date.fromisoformat(raw) if fmt == "date" else float(raw)


def expected(value, fmt: str):
    if value is None or fmt != "date":
        return value
    return value if isinstance(value, date) else date.fromisoformat(value)


@pytest.fixture(scope="module")
def content() -> ReportContent:
    return make_content()


@pytest.fixture(scope="module")
def html(content) -> str:
    return render_html(content)


@pytest.fixture(scope="module")
def page(html) -> Page:
    return Page(html)


@pytest.fixture(scope="module")
def workbook(content):
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(content)))


@pytest.fixture(scope="module")
def pdf_text(html) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(render_pdf(html)))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


# --- formatting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (1234567, "integer", "1,234,567"),
        (1234.5, "number", "1234.50"),
        (1234567.891, "money", "1,234,567.89"),
        (0.953, "percent", "95.3 %"),
        (2.26, "days", "2.3 d"),
        (date(2024, 5, 1), "date", "2024-05-01"),
        (datetime(2024, 5, 1, 13, 5), "date", "2024-05-01"),
        ("2024-05-01", "date", "2024-05-01"),
        ("WH/OUT/1", "text", "WH/OUT/1"),
        (None, "money", "–"),
        (float("nan"), "percent", "–"),
    ],
)
def test_values_are_formatted_by_their_column_format(value, fmt, text):
    assert format_value(value, fmt) == text


# --- HTML ----------------------------------------------------------------------------------------


def test_every_table_cell_reads_back_as_the_content_value(content, page):
    """Each number and date in every table equals the content's, through `data-value`."""
    checked = 0
    for section in content.sections:
        if section.kind not in ("table", "chart", "exceptions") or not section.rows:
            continue
        rows = table_rows(page, section.title)
        assert len(rows) == len(section.rows), section.title
        for row, cells in zip(section.rows, rows, strict=True):
            for column in section.columns:
                cell = cells[column.name]
                if column.format == "text":
                    assert cell.text() == row[column.name]
                else:
                    assert read_back(cell, column.format) == expected(row[column.name], column.format)
                    checked += 1
    assert checked == 2 * 6 + 60 * 2 + 3 * 1 + 2 * 2


def test_table_cells_show_the_formatted_figures(page):
    rows = table_rows(page, "Top customers")
    shown = [[row[column.name].text() for column in CUSTOMER_COLUMNS] for row in rows]
    assert shown == [list(texts) for texts in CUSTOMER_TEXT]


def test_tiles_carry_their_value_and_comparisons(content, page):
    tiles = content.sections[0].tiles
    for tile in tiles:
        element = page.root.find(data_tile=tile.label)
        assert float(element.attrs["data-value"]) == tile.value
        for name in ("previous", "trailing_avg", "month_to_date", "target"):
            reference = getattr(tile, name)
            found = element.find_all(data_comparison=name)
            assert len(found) == (reference is not None), (tile.label, name)
            if found:
                assert float(found[0].attrs["data-value"]) == reference
    assert "125,000.50" in page.root.find(data_tile="Revenue").text()
    otif = page.root.find(data_tile="OTIF").text()
    assert "95.3 %" in otif and "+1.3 pp" in otif and "(94.0 %)" in otif
    assert "42" in page.root.find(data_tile="Backlog").text()


@pytest.mark.parametrize(
    ("tile", "comparison", "arrow", "colour"),
    [
        ("Revenue", "previous", "▲", GREEN),  # up, and higher is better
        ("Revenue", "trailing_avg", "▼", RED),
        ("Revenue", "target", "▲", GREEN),
        ("OTIF", "month_to_date", "▼", RED),
        ("Backlog", "previous", "▲", RED),  # a rising backlog is worse
        ("Backlog", "target", "▼", GREEN),
    ],
)
def test_arrows_point_the_way_of_the_change_and_are_coloured_by_better(page, tile, comparison, arrow, colour):
    element = page.root.find(data_tile=tile).find(data_comparison=comparison)
    span = element.find("span")
    assert span.text().startswith(arrow)
    assert f"color:{colour}" in span.attrs["style"]
    assert element.attrs["data-trend"] == ("better" if colour == GREEN else "worse")


def test_names_from_odoo_are_text_not_markup(html, page):
    assert "script" not in page.tags
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons" in html
    # and read back, they are the names as Odoo had them (table, header, chart legend, definitions)
    assert table_rows(page, "Top customers")[0]["customer"].text() == EVIL
    assert EVIL in page.root.find("table", data_header=None).text()
    assert EVIL in section_element(page, "OTIF by warehouse").find("svg").text()
    assert f"Open lines {EVIL}" in page.root.find("dl").text()


def test_empty_sections_stay_and_say_nothing_to_report(page):
    for title in ("Returns", "Commentary"):
        section = section_element(page, title)
        assert section.find(data_empty=None).text().strip() == "Nothing to report."
    assert not section_element(page, "Top customers").find_all(data_empty=None)


def test_a_narrative_is_marked_ai_written(content):
    sections = tuple(
        replace(section, text="OTIF rose for a week.\nBacklog is up.") if section.kind == "narrative" else section
        for section in content.sections
    )
    page = Page(render_html(replace(content, sections=sections)))
    narrative = section_element(page, "Commentary")
    assert narrative.find(data_label="ai-written").text() == "AI-written"
    assert "OTIF rose for a week.\nBacklog is up." in narrative.text()
    assert not narrative.find_all(data_empty=None)


def test_exception_rows_link_to_their_record_in_odoo(page):
    section = section_element(page, "Late deliveries")
    links = [a.attrs["href"] for a in section.find_all("a")]
    assert links == [
        "https://odoo.example.com/web#id=17&model=stock.picking&view_type=form",
        "https://odoo.example.com/web#id=23&model=stock.picking&view_type=form",
    ]
    assert section.find(data_showing=None).text().strip() == "Showing 2 of 5 rows."


def test_header_and_footer(content, page):
    header = page.root.find("table", data_header=None).text()
    for fact in ("2024-05-30", EVIL, "2024-05-31T06:00:12.345678+00:00", "2024-05-31T05:40:00+00:00", "passed"):
        assert fact in header
    assert page.root.find("h1").text() == "Daily operations & sales"
    assert page.root.find(data_version=None).text() == "Version abc123"
    assert [dt.text() for dt in page.root.find_all("dt")] == ["OTIF", "Backlog"]
    failing = Page(render_html(replace(content, checks="failed: otif_not_null", version="")))
    checks = failing.root.find(data_checks=None)
    assert checks.text() == "failed: otif_not_null" and RED in checks.attrs["style"]
    assert failing.root.find(data_version=None).text() == "Version –"


# --- SVG -----------------------------------------------------------------------------------------


def test_chart_svg_draws_one_path_per_series(content):
    import matplotlib.pyplot as plt

    line, bar = (section for section in content.sections if section.kind == "chart")
    svg = render_chart_svg(line)
    assert svg.startswith("<svg")
    assert len(re.findall(r'<g id="series-\d+">\s*<path', svg)) == 2
    assert "Main" in svg and "&lt;script&gt;" in svg and "<script>" not in svg
    bars = render_chart_svg(bar)
    assert sorted(re.findall(r'<g id="(series-\d+-bar-\d+)">\s*<path', bars)) == [
        "series-0-bar-0",
        "series-0-bar-1",
        "series-1-bar-0",
    ]
    assert plt.get_fignums() == []  # no figure left open in pyplot's registry


# --- XLSX ----------------------------------------------------------------------------------------


def test_workbook_has_a_summary_a_sheet_per_section_and_definitions(workbook):
    assert workbook.sheetnames == [
        "Summary",
        "Top customers",
        "OTIF by warehouse",
        "Orders by channel",
        "Late deliveries",
        "Returns",
        "Definitions",
    ]
    for name in workbook.sheetnames[1:]:
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref, name
        assert all(cell.font.b for cell in sheet[1]), name
    assert workbook["Returns"]["A2"].value == "Nothing to report."
    assert [[cell.value for cell in row] for row in workbook["Definitions"].iter_rows(min_row=2)] == [
        ["OTIF", "On time in full: deliveries complete and on time."],
        ["Backlog", f"Open lines {EVIL}"],
    ]


def test_workbook_cells_are_typed_values(workbook):
    sheet = workbook["Top customers"]
    assert [cell.value for cell in sheet[1]] == [column.label for column in CUSTOMER_COLUMNS]
    for row, cells in zip(CUSTOMER_ROWS, sheet.iter_rows(min_row=2), strict=True):
        for column, cell in zip(CUSTOMER_COLUMNS, cells, strict=True):
            value = row[column.name]
            if value is None:
                assert cell.value is None
            elif column.format == "date":
                assert isinstance(cell.value, datetime) and cell.value.date() == expected(value, "date")
                assert cell.number_format == "yyyy-mm-dd"
            elif column.format == "text":
                assert cell.value == value
            else:
                assert isinstance(cell.value, int | float) and cell.value == value
    assert sheet["F2"].number_format == "0.0%" and sheet["B2"].number_format == "#,##0.00"


def test_workbook_summary_holds_tiles_as_numbers(content, workbook):
    rows = {row[0]: row[1:] for row in workbook["Summary"].iter_rows(values_only=True) if row[0]}
    assert rows["Reporting date"][0] == datetime(2024, 5, 30)
    assert rows["Scope"][0] == EVIL
    assert rows["Figure"][:6] == ("Value", "Previous period", "4-period average", "Month to date", "Target", "Better")
    for tile in content.sections[0].tiles:
        numbers = (tile.value, tile.previous, tile.trailing_avg, tile.month_to_date, tile.target)
        assert rows[tile.label][:6] == (*numbers, tile.better)


def test_workbook_chart_sheets_hold_the_series_and_a_native_chart(workbook):
    sheet = workbook["OTIF by warehouse"]
    assert len(sheet._charts) == 1
    assert [cell.value for cell in sheet[1]] == ["Day", "Main", EVIL]
    for n, (day, main, other) in enumerate(sheet.iter_rows(min_row=2, values_only=True)):
        assert day == datetime.combine(DAYS[n], datetime.min.time())
        assert (main, other) == (0.9 + n / 1000 + 0.03, 0.9 + n / 1000)
    bars = workbook["Orders by channel"]
    assert len(bars._charts) == 1
    assert [list(row) for row in bars.iter_rows(values_only=True)] == [
        ["Channel", "Main", EVIL],
        ["Web", 120, 80],
        ["Phone", 45, None],
    ]
    assert all(not workbook[name]._charts for name in ("Summary", "Top customers", "Late deliveries"))


def test_workbook_exceptions_link_to_odoo(workbook):
    sheet = workbook["Late deliveries"]
    links = [cell.hyperlink for cell in sheet["D"][1:3]]
    assert [f"{link.target}#{link.location}" for link in links] == [
        "https://odoo.example.com/web#id=17&model=stock.picking&view_type=form",
        "https://odoo.example.com/web#id=23&model=stock.picking&view_type=form",
    ]
    assert sheet["A4"].value == "Showing 2 of 5 rows."


def test_sheet_names_follow_excel_rules(content):
    titles = ["Q1/Q2: [draft]*?", "A title far longer than thirty-one characters", "Summary", "summary", "'quoted'"]
    sections = tuple(
        SectionContent("table", title, columns=(Column("x", "X"),), rows=({"x": "1"},)) for title in titles
    )
    names = openpyxl.load_workbook(io.BytesIO(render_xlsx(replace(content, sections=sections)))).sheetnames
    assert names == [
        "Summary",
        "Q1 Q2   draft",
        "A title far longer than thirty-",
        "Summary (2)",
        "summary (3)",
        "quoted",
        "Definitions",
    ]


# --- PDF and determinism -------------------------------------------------------------------------


def test_pdf_prints_the_report_with_page_numbers(pdf_text):
    pages, text = pdf_text
    assert 1 <= pages <= 10
    assert "Daily operations & sales" in text
    assert "125,000.50" in text and "95.3 %" in text
    assert "page 1 of" in text and f"page {pages} of {pages}" in text


def test_equal_content_gives_equal_bytes(content):
    """Rendered twice, more than a second apart (the clocks XlsxWriter and fontTools read tick in seconds)."""
    first = render(content)
    first_svg = render_chart_svg(content.sections[2])
    time.sleep(1.1)
    second = render(content)
    assert render_chart_svg(content.sections[2]) == first_svg
    for fmt in FORMATS_RENDERED:
        assert first[fmt] == second[fmt], fmt
    workbook = openpyxl.load_workbook(io.BytesIO(first["xlsx"]))
    assert workbook.properties.created == datetime(2024, 5, 31, 6, 0, 12)
    assert PdfReader(io.BytesIO(first["pdf"])).metadata["/CreationDate"] == "D:20240531060012Z"


def test_render_gives_the_formats_asked(content, html):
    files = render(content, ["xlsx", "html"])
    assert list(files) == ["xlsx", "html"]
    assert files["html"].decode("utf-8") == html
    assert files["xlsx"].startswith(b"PK")
    with pytest.raises(ValueError, match="docx"):
        render(content, ["docx"])
