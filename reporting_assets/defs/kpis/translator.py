"""How dbt nodes become Dagster assets: keys, groups, owners, tags, automation and checks in one place.

- Sources keep dagster-dbt's key `[source, table]`, which is exactly the raw
  asset's key (`raw_odoo/sale_order`): the KPI graph hangs off the ingestion.
- Models are keyed and grouped by layer: `staging/stg_sale_orders`,
  `marts/kpi_service_level_daily`.
- Owners come from the model's dbt group (`models/_groups.yml`): its owner's
  name becomes the team `team:<name>`. Tags: `domain` (the model's
  `meta.domain`), `tier` (bronze staging, silver intermediate, gold marts) and
  one `kpi/<n>` per KPI the model implements (`meta.kpis`, see docs/kpis.md).
- Descriptions are the dbt descriptions, without dagster-dbt's raw-SQL
  appendix (the code reference links to the file); models link to their dbt
  docs page (`make docs` serves them at DBT_DOCS_URL, default http://localhost:8080).
- Models refresh by declarative automation when what they read has updated.
- dbt tests are asset checks, described from what they test; those of
  severity `error` block (a failing test stops everything downstream of its
  model, reports included, from materializing); `warn` ones only report.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from reporting_assets.settings import get_settings

DBT_DOCS_URL = get_settings().dbt_docs_url
TIERS = {"staging": "bronze", "intermediate": "silver", "marts": "gold"}
DEFAULT_OWNER = "team:data-platform"

# What a generic test checks, in words (`{column}` and the test's arguments are filled in).
GENERIC_TESTS = {
    "unique": "Every `{column}` appears once.",
    "not_null": "`{column}` is never empty.",
    "accepted_values": "`{column}` is one of {values}.",
    "relationships": "Every `{column}` exists in {to} (`{field}`).",
    "rate_between": "`{column}` is a fraction in its allowed range (or empty).",
    "non_negative": "`{column}` is never negative.",
    "unique_key": "One row per {columns}.",
    "expression_is_true": "Every row satisfies `{expression}`.",
}


class KpiTranslator(DagsterDbtTranslator):
    def __init__(self):
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_code_references=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return (
            dbt_resource_props.get("description")
            or f"dbt {dbt_resource_props['resource_type']} `{dbt_resource_props['name']}`."
        )

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        metadata = dict(super().get_metadata(dbt_resource_props))
        if dbt_resource_props["resource_type"] == "model":
            metadata["dbt_docs"] = dg.MetadataValue.url(f"{DBT_DOCS_URL}/#!/model/{dbt_resource_props['unique_id']}")
        return metadata

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        owner = (dbt_resource_props.get("group") or {}).get("owner") or {}
        if owner.get("name"):
            return [f"team:{owner['name']}"]
        return super().get_owners(dbt_resource_props) or [DEFAULT_OWNER]

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        if dbt_resource_props["resource_type"] != "model":
            return {}
        meta = dbt_resource_props.get("config", {}).get("meta") or dbt_resource_props.get("meta") or {}
        tags = {"tier": TIERS.get(layer(dbt_resource_props), "bronze")}
        if meta.get("domain"):
            tags["domain"] = str(meta["domain"])
        tags |= {f"kpi/{n}": "" for n in meta.get("kpis") or []}
        return tags

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return layer(dbt_resource_props)

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]) -> dg.AutomationCondition | None:
        return dg.AutomationCondition.eager()

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        # dagster-dbt makes a check blocking exactly when the test's severity is `error`.
        return spec._replace(description=spec.description or test_description(manifest["nodes"][unique_id]))


def test_description(test: Mapping[str, Any]) -> str:
    """In words, what a dbt test checks: its own description, else one written from a generic
    test's name and arguments."""
    own = test.get("description") or (test.get("config", {}).get("meta") or {}).get("description")
    if own:
        return own
    metadata = test.get("test_metadata") or {}
    kwargs = {k: v for k, v in (metadata.get("kwargs") or {}).items() if not isinstance(v, dict)}
    column = kwargs.get("column_name") or test.get("column_name") or ""
    template = GENERIC_TESTS.get(metadata.get("name", ""))
    if template:
        try:
            return template.format(column=column, **{k: v for k, v in kwargs.items() if k != "column_name"})
        except (KeyError, IndexError):
            pass
    arguments = ", ".join(f"{k}={v}" for k, v in kwargs.items() if k != "model")
    return f"dbt test `{metadata.get('name') or test['name']}`" + (f" ({arguments})" if arguments else "") + "."


def layer(dbt_resource_props: Mapping[str, Any]) -> str:
    """staging, intermediate or marts: the model's folder under models/."""
    return dbt_resource_props["fqn"][1]
