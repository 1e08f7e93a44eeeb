"""Report definitions: the catalogue loads and is checked against the marts' columns; a mistake
stops the load with one line naming the report, the field and what is allowed."""

from __future__ import annotations

import copy
import json
import shutil

import pytest
import yaml

from reporting_assets.dbt import DBT_PROJECT
from reporting_assets.reports.definition import CATALOG, DefinitionError, load_catalog, mart_columns, parse_report

MARTS = {"kpi_x": {"kpi", "grain", "value", "previous", "trailing_avg", "month_to_date", "as_of"},
         "late": {"order_id", "customer_id", "customer_name", "days_late", "open_value", "as_of"}}  # fmt: skip

GOOD = {
    "id": "late_lines",
    "title": "Late lines",
    "owner": "operations_manager",
    "cadence": "daily",
    "scope": "all",
    "approval": "auto_release",
    "audience": ["operations_manager"],
    "sensitivity": "internal",
    "formats": ["html", "xlsx"],
    "thresholds": {"late_days": 2},
    "targets": {"otif": 0.95},
    "sections": [
        {"kind": "tiles", "title": "Headline", "source": "kpi_x",
         "tiles": [{"kpi": "otif_rate", "label": "OTIF", "format": "percent", "better": "higher", "target": "otif"}]},
        {"kind": "exceptions", "title": "Late", "source": "late",
         "columns": [{"name": "customer_name", "label": "Customer"},
                     {"name": "open_value", "label": "Open value", "format": "money", "sensitive": True}],
         "at_least": {"days_late": "threshold:late_days"}, "order_by": ["-open_value"], "limit": 20,
         "link": {"model": "sale.order", "id": "order_id"}},
        {"kind": "narrative", "title": "Summary"},
    ],
}  # fmt: skip


def broken(path: list, value) -> dict:
    raw = copy.deepcopy(GOOD)
    target = raw
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return raw


def test_a_good_definition_reads_as_written():
    report = parse_report(GOOD, "late_lines", MARTS)
    assert report.marts == ("kpi_x", "late")
    tiles, late, _ = report.sections
    assert tiles.tiles[0].target == 0.95
    assert late.at_least == (("days_late", 2.0),) and late.order_by == (("open_value", True),)
    assert late.sensitive == {"open_value"} and report.has_sensitive_columns
    assert late.link.model == "sale.order" and late.link.id_column == "order_id"


@pytest.mark.parametrize(
    "path, value, message",
    [
        (["id"], "other", "report late_lines, id: must equal the file name ('late_lines'), not 'other'"),
        (["approval"], "whenever", "report late_lines, approval: 'whenever' is not one of auto_release, "
         "supervisor_above_threshold, role_approval, sign_off, dual_approval"),
        (["cadence"], "hourly", "report late_lines, cadence: 'hourly' is not one of daily, weekly"),
        (["formats"], ["html", "docx"], "report late_lines, formats: 'docx' is not one of html, pdf, xlsx"),
        (["sections", 1, "source"], "nope", "report late_lines, sections[1].source: 'nope' is not a mart (one of: "
         "kpi_x, late)"),
        (["sections", 1, "columns", 0, "name"], "customr_name", "report late_lines, sections[1].columns[0].name: "
         "'customr_name' is not a column of late (as_of, customer_id, customer_name, days_late, open_value, "
         "order_id)"),
        (["sections", 1, "at_least", "days_late"], "threshold:very_late", "report late_lines, "
         "sections[1].at_least.days_late: threshold 'very_late' is not in thresholds (late_days)"),
        (["sections", 1, "limit"], 0, "report late_lines, sections[1].limit: must be a positive whole number, not 0"),
        (["sections", 0, "tiles", 0, "better"], "up", "report late_lines, sections[0].tiles[0].better: 'up' is not "
         "one of higher, lower"),
        (["sections", 0, "tiles", 0, "target"], "fill", "report late_lines, sections[0].tiles[0].target: 'fill' is "
         "not in targets (otif)"),
        (["thresholds", "late_days"], "two", "report late_lines, thresholds.late_days: must be a number, not 'two'"),
        (["title"], KeyError, "report late_lines, title: is required (text)"),
        (["colour"], "red", "report late_lines, colour: unknown field 'colour' (allowed: approval, audience, "
         "cadence, description, formats, id, owner, scope, sections, sensitivity, targets, thresholds, title)"),
    ],
)  # fmt: skip
def test_a_mistake_names_the_report_the_field_and_what_is_allowed(path, value, message):
    with pytest.raises(DefinitionError) as raised:
        parse_report(broken(path, value), "late_lines", MARTS)
    assert str(raised.value) == message


def test_a_customer_report_must_read_marts_cut_by_customer():
    raw = broken(["scope"], "customer")
    with pytest.raises(DefinitionError, match=r"sections\[0\].source: 'customer_id' is not a column of kpi_x"):
        parse_report(raw, "late_lines", MARTS)


def test_the_catalogue_holds_the_eleven_reports_and_checks_against_the_dbt_manifest():
    reports = load_catalog(DBT_PROJECT.manifest_path)
    assert set(reports) == {
        "daily_service_level", "daily_sales", "warehouse_throughput", "backorders", "escalations", "stock_aging",
        "procurement_exceptions", "supplier_breach", "inventory_discrepancy", "executive_summary",
        "customer_service",
    }  # fmt: skip
    assert reports["customer_service"].scope == "customer" and reports["customer_service"].sensitivity == "external"
    assert reports["stock_aging"].cadence == "weekly" and reports["supplier_breach"].approval == "role_approval"
    marts = mart_columns(json.loads(DBT_PROJECT.manifest_path.read_text()))
    for report in reports.values():
        assert set(report.marts) <= set(marts), report.id
        assert any(s.kind == "narrative" for s in report.sections), report.id


def test_a_twelfth_report_is_a_yaml_file(tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    twelfth = yaml.safe_load((CATALOG / "backorders.yml").read_text())
    twelfth |= {"id": "backorders_weekly", "title": "Backorders, weekly", "cadence": "weekly"}
    (catalog / "backorders_weekly.yml").write_text(yaml.safe_dump(twelfth))
    reports = load_catalog(DBT_PROJECT.manifest_path, catalog)
    assert len(reports) == 12 and reports["backorders_weekly"].cadence == "weekly"
    (catalog / "broken.yml").write_text("id: broken\ntitle: [unclosed\n")
    with pytest.raises(DefinitionError, match=r"^broken.yml: not valid YAML"):
        load_catalog(DBT_PROJECT.manifest_path, catalog)


def test_the_code_location_loads_with_the_reports_as_dagster_loads_it():
    """Every job resolves: a job selecting the date-partitioned reports beside unpartitioned assets
    (the daily full refresh did) stops the whole code location from loading."""
    import dagster as dg

    from reporting_assets.definitions import defs

    dg.Definitions.validate_loadable(defs)
    jobs = {job.name: job for job in defs.get_repository_def().get_all_jobs()}
    assert not [k for k in jobs["full_refresh"].asset_layer.executable_asset_keys if k.path[0] == "reports"]
