"""Every dbt model as an asset (`dbt build`: models, their tests as checks, unit tests)."""

import json

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
        yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context).stream()
