"""The KPI layer in Dagster without a warehouse: keys, groups, lineage to the raw assets, blocking
checks, docs links, and declarative automation (what a raw update makes refresh)."""

from __future__ import annotations

import dagster as dg
import pytest

from reporting_assets.definitions import defs


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def test_models_are_keyed_and_grouped_by_layer_and_hang_off_the_raw_assets(graph):
    stg = graph.get(dg.AssetKey(["staging", "stg_sale_order_lines"]))
    assert stg.group_name == "staging" and stg.parent_keys == {dg.AssetKey(["raw_odoo", "sale_order_line"])}
    mart = graph.get(dg.AssetKey(["marts", "kpi_service_level_daily"]))
    assert mart.group_name == "marts" and mart.pools == {"warehouse"}
    assert mart.metadata["dbt_docs"].url.endswith("#!/model/model.distribution_reporting.kpi_service_level_daily")
    assert "OTIF" in (mart.description or "")
    shipments = graph.get(dg.AssetKey(["staging", "stg_shipments"]))
    assert shipments.parent_keys == {dg.AssetKey(["raw_carrier", "shipments"])}


def test_dbt_tests_are_checks_described_and_those_of_severity_error_block(graph):
    """A failing `error` test stops what is downstream of its model; a `warn` one (a figure unusual
    but legitimate, e.g. negative on-hand stock) only reports. Every check says what it checks."""
    import json

    from reporting_assets.defs.kpis.assets import kpi_models
    from reporting_assets.defs.kpis.project import DBT_PROJECT

    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    severity = {n["name"]: n["config"]["severity"].lower() for n in manifest["nodes"].values()
                if n["resource_type"] == "test"}
    specs = list(kpi_models.check_specs)
    assert specs and all(s.blocking == (severity[s.name] == "error") for s in specs)
    assert {True, False} <= {s.blocking for s in specs if s.asset_key.path[0] == "marts"}
    assert all(s.description for s in specs)
    assert any(s.asset_key == dg.AssetKey(["marts", "kpi_supplier_performance"]) for s in specs)
    # singular tests reading two marts are attached to the one they check
    assert dg.AssetKey(["marts", "kpi_service_level_daily"]) in \
        {s.asset_key for s in specs if s.name == "service_level_reconciles_with_fulfilment_lines"}


def test_a_raw_update_refreshes_exactly_the_models_downstream_of_it():
    with dg.instance_for_test() as instance:
        for key in defs.resolve_asset_graph().get_all_asset_keys():
            instance.report_runless_asset_event(dg.AssetMaterialization(key))
        settled = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert settled.total_requested == 0
        instance.report_runless_asset_event(dg.AssetMaterialization(dg.AssetKey(["raw_odoo", "stock_quant"])))
        result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=settled.cursor)
        requested = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()
                     if result.get_num_requested(k)}
    assert requested == {"staging/stg_quants", "intermediate/int_on_hand", "marts/kpi_inventory_position",
                         "marts/kpi_stock_aging"}


def test_raw_tables_and_marts_carry_freshness_policies(graph):
    raw = graph.get(dg.AssetKey(["raw_odoo", "stock_move"])).freshness_policy
    mart = graph.get(dg.AssetKey(["marts", "kpi_service_level_daily"])).freshness_policy
    assert (raw.warn_window.to_timedelta().total_seconds(), raw.fail_window.to_timedelta().total_seconds()) == \
        (2 * 3600, 6 * 3600)
    assert (mart.warn_window.to_timedelta().total_seconds(), mart.fail_window.to_timedelta().total_seconds()) == \
        (6 * 3600, 26 * 3600)
    assert graph.get(dg.AssetKey(["staging", "stg_sale_orders"])).freshness_policy is None


def test_a_bad_freshness_window_is_named(monkeypatch):
    from reporting_assets.defs.orchestration.freshness import raw_policy

    monkeypatch.setenv("REPORTING_RAW_FRESHNESS_FAIL_HOURS", "soon")
    with pytest.raises(ValueError, match="REPORTING_RAW_FRESHNESS_FAIL_HOURS must be a positive number of hours, got 'soon'"):
        raw_policy()


def test_the_dbt_resource_knows_the_version_of_the_dbt_it_runs():
    """It skips dagster-dbt's `dbt --version` per run; the installed package must be the executable's."""
    import re
    import subprocess

    dbt = defs.resources["dbt"]
    out = subprocess.run([dbt.dbt_executable, "--version"], capture_output=True, text=True, check=True).stdout
    assert str(dbt._cli_version) == re.search(r"installed:\s*(\d+\.\d+\.\d+)", out).group(1)


def test_every_model_names_its_domain_group_and_kpis_for_the_catalog():
    """The contract the Dagster translator reads (docs/kpis.md, "Catalog metadata"): dbt groups
    are the business domains, each owned by a team; every model is in one, with `meta.domain` the
    same name; the KPI marts list the KPI numbers they implement, together all of 1-21."""
    import json

    from reporting_assets.defs.kpis.project import DBT_PROJECT

    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    groups = {g["name"]: g["owner"] for g in manifest["groups"].values()}
    assert set(groups) == {"sales", "fulfilment", "inventory", "purchasing", "finance", "delivery", "platform"}
    assert all(owner.get("name") for owner in groups.values())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    kpis: set[int] = set()
    for node in models:
        meta = node["config"]["meta"]
        assert node["group"] in groups and meta.get("domain") == node["group"], node["name"]
        assert node["access"] == "protected" and node["description"], node["name"]
        if node["name"].startswith("stg_"):
            assert node["group"] == "platform"
        if node["name"].startswith(("kpi_", "fct_")):
            assert meta.get("kpis"), node["name"]
        kpis |= set(meta.get("kpis", []))
    assert kpis == set(range(1, 22))
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    singular = [t for t in tests if "test_metadata" not in t or not t["test_metadata"]]
    assert singular and all(t["meta"].get("description") for t in singular)
    warned = [t for t in tests if t["config"]["severity"].lower() == "warn"]
    assert warned and all(t["meta"].get("description") for t in warned)


def test_every_mart_has_a_uniqueness_test_on_its_grain():
    import json

    from reporting_assets.defs.kpis.project import DBT_PROJECT

    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    keyed = {n["attached_node"] for n in manifest["nodes"].values()
             if n["resource_type"] == "test" and (n.get("test_metadata") or {}).get("name") in ("unique", "unique_key")}
    marts = {k for k, n in manifest["nodes"].items()
             if n["resource_type"] == "model" and n["fqn"][1] == "marts" and n["name"] != "metricflow_time_spine"}
    assert marts and marts <= keyed, marts - keyed
