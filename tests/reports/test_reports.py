"""The eleven reports end to end: `reporting run` against the demo distributor (which renders the
daily reports), `reporting report` for each, then every figure of every rendered version read back
from its HTML (exact values), its workbook (typed cells) and its PDF (text) and compared with the
marts, on DuckDB and on PostgreSQL, which must give the same figures."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import psycopg2
import pytest
from pypdf import PdfReader
from support.cli import cli_env, reporting
from support.report_pages import Page, section_element, table_rows
from support.servers import AS_OF, Server

from reporting_assets.dbt import DBT_PROJECT
from reporting_assets.reports.definition import load_catalog

pytestmark = pytest.mark.slow  # starts demo servers or processes; `make test-fast` skips it

CATALOG = load_catalog(DBT_PROJECT.manifest_path)
TABLE_KINDS = ("table", "exceptions", "chart")


@pytest.fixture(scope="module")
def srv():
    server = Server(scale="0.2")
    yield server
    server.stop()


class Built:
    """One warehouse after `reporting run` and `reporting report` for every report."""

    def __init__(self, env: dict, run_output: str, report_output: dict[str, str]):
        self.env, self.run_output, self.report_output = env, run_output, report_output
        self.root = Path(env["REPORTING_REPORTS_DIR"])

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        if self.env["REPORTING_WAREHOUSE"] == "postgres":
            with psycopg2.connect(self.env["REPORTING_PG_DSN"]) as con, con.cursor() as cur:
                cur.execute(statement.replace("?", "%s"), params)
                return cur.fetchall()
        with duckdb.connect(self.env["REPORTING_DUCKDB_PATH"], read_only=True) as con:
            return con.execute(statement, params).fetchall()

    def versions(self, report_id: str) -> list[Path]:
        return sorted(p.parent for p in (self.root / report_id / AS_OF).glob("*/*/manifest.json"))


def build(srv, tmp_path: Path, kind: str, dsn: str = "") -> Built:
    env = cli_env(srv, tmp_path, warehouse=kind, pg_dsn=dsn, REPORTING_REPORTS_DIR=str(tmp_path / "reports"))
    done = reporting(env, "run", "--as-of", AS_OF, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    outputs = {}
    for report in CATALOG.values():
        if report.cadence == "weekly":  # the run renders the daily ones (AS_OF is not a Monday)
            rendered = reporting(env, "report", report.id, "--as-of", AS_OF, timeout=300)
            assert rendered.returncode == 0, rendered.stdout + rendered.stderr
            outputs[report.id] = rendered.stdout
    return Built(env, done.stdout, outputs)


@pytest.fixture(scope="module")
def duck(srv, tmp_path_factory):
    return build(srv, tmp_path_factory.mktemp("duck"), "duckdb")


@pytest.fixture(scope="module")
def pg(srv, tmp_path_factory, module_pg_dsn):
    return build(srv, tmp_path_factory.mktemp("pg"), "postgres", module_pg_dsn)


def plain(value, fmt: str):
    """A mart value as the report shows it exactly: numbers as floats, dates ISO, text as text."""
    if value is None:
        return "–" if fmt == "text" else None
    if fmt == "text":
        return str(value)
    if fmt == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]
    return float(value) if isinstance(value, Decimal | int | float) else value


def html_value(cell, fmt: str):
    if fmt == "text":
        return cell.text().strip()
    raw = cell.attrs.get("data-value")
    return None if raw is None else (raw if fmt == "date" else float(raw))


def customer_of(version: Path) -> int | None:
    scope = version.parent.name
    return int(scope.split("-")[1]) if scope.startswith("customer-") else None


def test_run_renders_the_daily_reports_and_says_where(duck):
    daily = [r for r in CATALOG.values() if r.cadence == "daily"]
    for report in daily:
        assert re.search(rf"reports/{report.id} {AS_OF}: .*/report\.html", duck.run_output), report.id
    assert "weekly reports are dated on Mondays" in duck.run_output
    assert set(duck.report_output) == {r.id for r in CATALOG.values() if r.cadence == "weekly"}
    for report_id, output in duck.report_output.items():
        assert f"{report_id} {AS_OF} " in output and str(duck.root) in output


def test_every_figure_of_every_report_equals_the_marts(duck):
    checked = 0
    for report in CATALOG.values():
        for version in duck.versions(report.id):
            customer = customer_of(version)
            page = Page((version / "report.html").read_text())
            book = openpyxl.load_workbook(io.BytesIO((version / "report.xlsx").read_bytes()))
            sheets = iter(book.sheetnames[1:-1])  # Summary first, Definitions last, one per table-like section
            restricted = version.name.startswith("restricted")
            for section in report.sections:
                if section.kind == "tiles":
                    for spec in section.tiles:
                        sql = f"select value from marts.{section.source} where kpi = ? and grain = ?"
                        params = (spec.kpi, section.grain)
                        if customer is not None:
                            sql, params = sql + " and customer_id = ?", (*params, customer)
                        (expected,) = [plain(v, "number") for (v,) in duck.sql(sql, params)] or [None]
                        tile = page.root.find(data_tile=spec.label)
                        shown = tile.attrs.get("data-value")
                        assert (None if shown is None else float(shown)) == expected, (report.id, spec.kpi)
                        checked += 1
                    continue
                if section.kind not in TABLE_KINDS:
                    continue
                sheet = book[next(sheets)]
                columns = [c for c in section.columns if not (restricted and c.name in section.sensitive)]
                if restricted:  # the variant without margin and cost shows none of them
                    assert not {c.name for c in columns} & section.sensitive
                names = ", ".join(c.name for c in columns)
                where = f" where customer_id = {customer}" if customer is not None else ""
                in_mart = {
                    tuple(plain(v, c.format) for v, c in zip(row, columns, strict=True))
                    for row in duck.sql(f"select {names} from marts.{section.source}{where}")
                }
                if not page.root.find_all("table", data_section=section.title):  # nothing qualified
                    assert "Nothing to report." in section_element(page, section.title).text()
                    continue
                rows = table_rows(page, section.title)
                if section.limit:
                    assert len(rows) <= section.limit
                for number, row in enumerate(rows, start=1):
                    shown = tuple(html_value(row[c.name], c.format) for c in columns)
                    assert shown in in_mart, (report.id, section.title, shown)
                    if section.kind != "chart":  # a chart's sheet holds its series pivoted
                        cells = [sheet.cell(number + 1, i + 1).value for i in range(len(columns))]
                        for cell, value, column in zip(cells, shown, columns, strict=True):
                            if column.format not in ("text", "date") and value is not None:
                                # A workbook keeps 15 significant digits (Excel's precision), not 17.
                                assert math.isclose(cell, value, rel_tol=1e-14), (report.id, column.name)
                    checked += 1
            pdf = PdfReader(version / "report.pdf")
            text = " ".join(page.extract_text() for page in pdf.pages)
            assert report.title in text and "page 1 of" in text.lower()
    assert checked > 200  # figures compared, across all reports


def figures(version: Path) -> list[tuple]:
    """Every tile and table cell of a rendered version: its raw value and its text."""
    page = Page((version / "report.html").read_text())
    cells = page.root.find_all(data_tile=None) + page.root.find_all("td", data_column=None)
    return [(c.attrs.get("data-tile") or c.attrs["data-column"], c.attrs.get("data-value"), c.text()) for c in cells]


def close(x: str | None, y: str | None) -> bool:
    """Equal raw values; numbers to 9 significant digits (ratios of float sums differ in their last
    digits between the two engines)."""
    if x == y:
        return True
    try:
        return math.isclose(float(x), float(y), rel_tol=1e-9)
    except (TypeError, ValueError):
        return False


def test_both_warehouses_give_the_same_figures(duck, pg):
    """Shown alike, and equal to 9 significant digits (ratios of float sums differ beyond): the
    versions differ anyway, by when each warehouse was loaded (the report's "data as of")."""
    for report in CATALOG.values():
        on_duck, on_pg = duck.versions(report.id), pg.versions(report.id)
        assert [(v.parent.name, v.name.split("-")[0]) for v in on_duck] == [
            (v.parent.name, v.name.split("-")[0]) for v in on_pg
        ], report.id
        for a, b in zip(on_duck, on_pg, strict=True):
            duck_figures, pg_figures = figures(a), figures(b)
            assert len(duck_figures) == len(pg_figures), (report.id, a.parent.name)
            for (name, x, text), (other, y, other_text) in zip(duck_figures, pg_figures, strict=True):
                assert (name, text) == (other, other_text), (report.id, a.parent.name)
                assert close(x, y), (report.id, name, x, y)


def test_a_customer_report_holds_that_customer_only(duck):
    names = dict(duck.sql("select customer_id, customer_name from marts.dim_partners"))
    versions = duck.versions("customer_service")
    assert len(versions) >= 3
    for version in versions:
        customer = customer_of(version)
        html = (version / "report.html").read_text()
        assert names[customer] in html
        others = [n for i, n in names.items() if i != customer and n not in names[customer]]
        leaked = [n for n in others if n in html]
        assert leaked == [], (customer, leaked)


def test_the_same_marts_give_the_same_version_and_a_change_gives_a_new_one(duck):
    first = duck.versions("backorders")
    again = reporting(duck.env, "report", "backorders", "--as-of", AS_OF)
    assert again.returncode == 0 and duck.versions("backorders") == first
    with duckdb.connect(duck.env["REPORTING_DUCKDB_PATH"]) as con:
        con.execute("update marts.kpi_backorders set open_qty = open_qty + 1")
    try:
        changed = reporting(duck.env, "report", "backorders", "--as-of", AS_OF)
        assert changed.returncode == 0
        assert len(duck.versions("backorders")) == len(first) + 1
    finally:
        with duckdb.connect(duck.env["REPORTING_DUCKDB_PATH"]) as con:
            con.execute("update marts.kpi_backorders set open_qty = open_qty - 1")


def test_a_report_for_another_day_than_the_marts_is_refused(duck):
    done = reporting(duck.env, "report", "backorders", "--as-of", "2026-11-01")
    assert done.returncode == 1
    line = done.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"error: marts\.\w+ holds the figures of {AS_OF}, not 2026-11-01: build the marts for that date first "
        r"\(reporting run --as-of 2026-11-01\)",
        line,
    ), line


def test_each_version_has_a_manifest_of_what_it_holds(duck):
    for report in CATALOG.values():
        for version in duck.versions(report.id):
            manifest = json.loads((version / "manifest.json").read_text())
            assert manifest["report"] == report.id and manifest["as_of"] == AS_OF
            assert version.name.endswith(manifest["version"][:12]) and len(manifest["version"]) == 64
            assert set(manifest["files"]) == {f"report.{f}" for f in report.formats}
            assert manifest["approval"] == report.approval and manifest["checks"]
