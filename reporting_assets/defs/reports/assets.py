"""One asset per report of `reporting_assets/reports/catalog/`, group `reports`, partitioned by
reporting date (daily, or weekly on Mondays), depending on exactly the marts it reads.

Thin wiring: `reports.build.render_all` does the work. A materialization renders the version(s) of
its date (one per variant, one per customer for a customer report) into the report store and shows,
in the Dagster UI, the version, the headline figures, the exception counts and where the files are.
The marts are published only when their blocking tests pass (write-audit-publish), so a failed
gate leaves the marts of the last good build, and the report says which warn-level checks failed.
A report waits for the marts of its date: rendering another day's figures is refused.
"""

import functools
import json

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from reporting_assets.dbt import DBT_PROJECT
from reporting_assets.defs.kpis.assets import kpi_models, sources_of
from reporting_assets.reports.build import Context, render_all
from reporting_assets.reports.definition import Report, load_catalog
from reporting_assets.reports.store import DirectoryStore
from reporting_assets.resources import WarehouseResource
from reporting_assets.settings import get_settings
from reporting_assets.warehouse import POOL

SETTINGS = get_settings()
CATALOG = load_catalog(DBT_PROJECT.manifest_path)
PARTITIONS = {
    "daily": dg.DailyPartitionsDefinition(start_date=SETTINGS.reports_start, end_offset=1, timezone=SETTINGS.timezone),
    "weekly": dg.WeeklyPartitionsDefinition(
        start_date=SETTINGS.reports_start, day_offset=1, end_offset=1, timezone=SETTINGS.timezone
    ),
}


@functools.cache
def dbt_manifest() -> dict:
    """The prepared dbt manifest (a few MB), read once per process: it does not change under a
    loaded code location."""
    return json.loads(DBT_PROJECT.manifest_path.read_text())


def report_context(report: Report, checks: str) -> Context:
    """What a render needs besides the marts: Odoo's address, the checks, the raw tables, the definitions."""
    manifest = dbt_manifest()
    descriptions: dict[str, str] = {}
    raw_tables: set[str] = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"] in report.marts:
            raw_tables |= sources_of(manifest, node["name"])
            for name, column in (node.get("columns") or {}).items():
                if column.get("description"):
                    descriptions.setdefault(name, column["description"])
    return Context(SETTINGS.odoo_url, checks, tuple(sorted(raw_tables)), descriptions)


def checks_status(instance: dg.DagsterInstance, report: Report) -> str:
    """ "passed", or the checks of its marts whose last evaluation failed (warn level: the blocking
    ones never let a build be published)."""
    marts = {dg.AssetKey(["marts", m]) for m in report.marts}
    failed = []
    for key in sorted(kpi_models.check_keys, key=lambda k: k.to_user_string()):
        if key.asset_key in marts:
            record = instance.get_latest_asset_check_evaluation_record(key)
            if record is not None and record.status == AssetCheckExecutionRecordStatus.FAILED:
                failed.append(f"{key.asset_key.path[-1]}: {key.name}")
    return "passed" if not failed else "warnings: " + "; ".join(failed)


def report_asset(report: Report) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["reports", report.id]),
        group_name="reports",
        partitions_def=PARTITIONS[report.cadence],
        deps=[dg.AssetKey(["marts", m]) for m in report.marts],
        pool=POOL,  # DuckDB: no reader while a writer holds the file
        owners=[f"team:{report.owner}"],
        tags={"cadence": report.cadence, "approval": report.approval, "sensitivity": report.sensitivity},
        kinds={"report"},
        description=f"{report.title}. {report.description}",
        metadata={"audience": ", ".join(report.audience), "formats": ", ".join(report.formats)},
        automation_condition=dg.AutomationCondition.eager(),
    )
    def _report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        as_of = context.partition_key
        ctx = report_context(report, checks_status(context.instance, report))
        with warehouse.open() as wh:
            rendered = render_all(wh, DirectoryStore(SETTINGS.reports_dir), report, as_of, ctx)
        if not rendered:
            return dg.MaterializeResult(metadata={"notice": f"no data for {as_of}: not produced"})
        first = rendered[0].manifest
        metadata = {
            "version": first["version"][:12],
            "versions": len(rendered),
            "checks": first["checks"],
            "html": dg.MetadataValue.path(f"{rendered[0].location}/report.html"),
            "folder": dg.MetadataValue.path(rendered[0].location),
        }
        metadata |= {f"headline: {label}": value for label, value in first["headline"].items() if value is not None}
        metadata |= {f"exceptions: {title}": count for title, count in first["exceptions"].items()}
        for r in rendered:
            context.log.info(f"{report.id} {r.manifest['scope']} {r.variant} {r.version}: {r.location}")
        return dg.MaterializeResult(metadata=metadata)

    return _report


report_assets = [report_asset(report) for report in CATALOG.values()]
