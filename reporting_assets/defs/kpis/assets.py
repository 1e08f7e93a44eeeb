"""Every dbt model as an asset (`dbt build`: models, their tests as checks, unit tests)."""

import json
import os
import shutil
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from reporting_assets.defs.kpis.project import DBT_PROJECT
from reporting_assets.defs.kpis.translator import KpiTranslator
from reporting_assets.defs.odoo_raw.assets import POOL
from reporting_assets.resources import WarehouseResource


class KpiConfig(dg.Config):
    as_of: str = ""  # the reporting date (YYYY-MM-DD); empty: today in reporting_tz


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=KpiTranslator(),
            pool=POOL)
def kpi_models(context: dg.AssetExecutionContext, config: KpiConfig, dbt: DbtCliResource,
               warehouse: WarehouseResource):
    dbt_vars = {"as_of": config.as_of} if config.as_of else {}
    with warehouse.dbt_environment():
        invocation = dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context)
        yield from invocation.stream()
    keep_partial_parse(invocation.target_path, DBT_PROJECT.project_dir / "target")


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
