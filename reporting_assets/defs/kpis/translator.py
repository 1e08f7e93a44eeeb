"""How dbt nodes become Dagster assets: keys, groups, automation and checks in one place.

- Sources keep dagster-dbt's key `[source, table]`, which is exactly the raw
  asset's key (`raw_odoo/sale_order`): the KPI graph hangs off the ingestion.
- Models are keyed and grouped by layer: `staging/stg_sale_orders`,
  `marts/kpi_service_level_daily`.
- Models link to their dbt docs page (`make docs` serves them at DBT_DOCS_URL,
  default http://localhost:8080).
- Models refresh by declarative automation when what they read has updated.
- dbt tests are asset checks; those on marts block: a failing test on a mart
  stops everything downstream of it (reports) from materializing.
"""

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator

DBT_DOCS_URL = os.environ.get("DBT_DOCS_URL", "http://localhost:8080").rstrip("/")


class KpiTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        metadata = dict(super().get_metadata(dbt_resource_props))
        if dbt_resource_props["resource_type"] == "model":
            metadata["dbt_docs"] = dg.MetadataValue.url(
                f"{DBT_DOCS_URL}/#!/model/{dbt_resource_props['unique_id']}")
        return metadata

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return layer(dbt_resource_props)

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]) -> dg.AutomationCondition | None:
        return dg.AutomationCondition.eager()

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is not None and asset_spec.key.path[0] == "marts":
            return spec._replace(blocking=True)
        return spec


def layer(dbt_resource_props: Mapping[str, Any]) -> str:
    """staging, intermediate or marts: the model's folder under models/."""
    return dbt_resource_props["fqn"][1]
