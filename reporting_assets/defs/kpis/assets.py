"""Every dbt model as an asset (`dbt build`: models, their tests as checks, unit tests)."""

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from reporting_assets.carrier.sync import SCHEMA as CARRIER_SCHEMA
from reporting_assets.carrier.sync import TABLE as CARRIER_TABLE
from reporting_assets.dbt import DBT_PROJECT
from reporting_assets.defs.kpis.translator import KpiTranslator
from reporting_assets.resources import CarrierApiResource, WarehouseResource
from reporting_assets.warehouse import POOL


class KpiConfig(dg.Config):
    as_of: str = ""  # the reporting date (YYYY-MM-DD); empty: today in reporting_tz


PUBLISHED = "marts"  # what people, reports and BI read
AUDIT = "marts_audit"  # where dbt builds and tests the marts (dbt_project.yml, `models: marts`)


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=KpiTranslator(), pool=POOL)
def kpi_models(
    context: dg.AssetExecutionContext,
    config: KpiConfig,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    carrier_api: CarrierApiResource,
):
    """`dbt build` (models, their tests as checks, unit tests), then publish the marts.

    Write-audit-publish: dbt builds the marts into their audit schema (`marts_audit`,
    dbt_project.yml) and tests them there; only when the whole build passed are they copied into
    `marts` in one transaction, and only then are they reported as materialized. A failed test (or
    model) publishes nothing: `marts` keeps the last good build, consistent with itself, and the
    step fails with the tests that failed, so the run fails and the alert names them.
    """
    dbt_vars = {"as_of": config.as_of} if config.as_of else {}
    notices = empty_source_notices(warehouse, carrier_api)
    # model -> why it is empty, worked out once per run, and only when an optional source is empty
    affected = notices_by_model(json.loads(DBT_PROJECT.manifest_path.read_text()), notices) if notices else {}
    built: dict[str, dg.Output] = {}  # mart -> its output, held back until the build has passed
    failed: list[str] = []
    with warehouse.dbt_environment():
        invocation = dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context, raise_on_error=False)
        try:
            for event in invocation.stream():
                if isinstance(event, dg.AssetCheckResult) and not event.passed:
                    if event.severity == dg.AssetCheckSeverity.ERROR:
                        failed.append(f"{event.asset_key.to_user_string()} {event.check_name}")
                if not isinstance(event, dg.Output):
                    yield event
                    continue
                key = context.assets_def.keys_by_output_name[event.output_name]
                if key.path[-1] in affected:
                    event = event.with_metadata({**event.metadata, "notice": affected[key.path[-1]]})
                if key.path[0] == PUBLISHED:
                    built[key.path[-1]] = event
                else:
                    yield event
        finally:
            keep_partial_parse(invocation.target_path, DBT_PROJECT.project_dir / "target")
    if not invocation.is_successful():
        why = "; ".join(failed) or first_line(str(invocation.get_error()))
        raise dg.Failure(
            description=f"the marts were not published, the last good ones stay: {why}",
            metadata={"failed": why, "held_back": ", ".join(sorted(built)) or "-"},
        )
    with warehouse.open() as wh:
        wh.publish(AUDIT, PUBLISHED, sorted(built))
    for name, output in built.items():
        yield output.with_metadata({**output.metadata, "dagster/table_name": f"{PUBLISHED}.{name}"})


def first_line(text: str) -> str:
    """dbt's errors come as a paragraph; the first line that says something is the one to show."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "dbt build failed")


def empty_source_notices(warehouse: WarehouseResource, carrier_api: CarrierApiResource) -> dict[str, str]:
    """Optional sources that are empty, and why: the models built on them say so in their metadata
    (an empty carrier mart is expected on a site without a carrier API, not a fault)."""
    reasons = {
        f"{CARRIER_SCHEMA}.{CARRIER_TABLE}": (
            "empty: CARRIER_API_URL is not set, so there are no carrier shipments"
            if not carrier_api.configured
            else "empty: the carrier API has given no shipments yet"
        ),
        "raw_odoo.delivery_carrier": "empty: this Odoo has no delivery carriers (stock_delivery not installed?)",
    }
    notices = {}
    with warehouse.open() as wh:
        for qualified, reason in reasons.items():
            schema, table = qualified.split(".")
            if not wh.table_columns(schema, table) or wh.count(schema, table) == 0:
                notices[qualified] = reason
    return notices


def notices_by_model(manifest: Mapping, notices: dict[str, str]) -> dict[str, str]:
    """Each model reading an empty optional source (directly or through other models), with why."""
    affected = {}
    for node_id, node in manifest["nodes"].items():
        if node_id.startswith("model."):
            reasons = [notices[s] for s in sorted(sources_of(manifest, node["name"])) if s in notices]
            if reasons:
                affected[node["name"]] = "; ".join(reasons)
    return affected


def sources_of(manifest: Mapping, model: str) -> set[str]:
    """`schema.table` of every source a model reads, directly or through other models."""
    node_id = next((k for k in manifest["nodes"] if k.startswith("model.") and k.split(".")[-1] == model), None)
    found, todo, seen = set(), [node_id] if node_id else [], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        if current.startswith("source."):
            source = manifest["sources"][current]
            found.add(f"{source['source_name']}.{source['name']}")
        elif current in manifest["nodes"]:
            todo.extend(manifest["nodes"][current]["depends_on"]["nodes"])
    return found


def keep_partial_parse(invocation_target: Path, project_target: Path) -> None:
    """Keep this invocation's parse state for the next one.

    dagster-dbt gives every invocation a target folder of its own, seeded with
    `target/partial_parse.msgpack`, which `make` writes for the default (DuckDB)
    profile; on another profile (the PostgreSQL deployment) dbt threw it away and
    parsed the whole project again on every run (about 4 s). dbt checks the file
    (profile, vars, file checksums) before trusting it, so a stale one only costs
    a full parse; the `warehouse` pool keeps two dbt runs from writing it at once.
    """
    state = invocation_target / "partial_parse.msgpack"
    if state.exists():
        temporary = project_target / f".partial_parse.{os.getpid()}"
        shutil.copyfile(state, temporary)
        os.replace(temporary, project_target / "partial_parse.msgpack")
