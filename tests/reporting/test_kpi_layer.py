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

    from reporting_assets.dbt import DBT_PROJECT
    from reporting_assets.defs.kpis.assets import kpi_models

    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    severity = {
        n["name"]: n["config"]["severity"].lower() for n in manifest["nodes"].values() if n["resource_type"] == "test"
    }
    specs = list(kpi_models.check_specs)
    assert specs and all(s.blocking == (severity[s.name] == "error") for s in specs)
    assert {True, False} <= {s.blocking for s in specs if s.asset_key.path[0] == "marts"}
    assert all(s.description for s in specs)
    assert any(s.asset_key == dg.AssetKey(["marts", "kpi_supplier_performance"]) for s in specs)
    # singular tests reading two marts are attached to the one they check
    assert dg.AssetKey(["marts", "kpi_service_level_daily"]) in {
        s.asset_key for s in specs if s.name == "service_level_reconciles_with_fulfilment_lines"
    }


def test_a_raw_update_refreshes_exactly_the_models_downstream_of_it():
    with dg.instance_for_test() as instance:
        for key in defs.resolve_asset_graph().get_all_asset_keys():
            instance.report_runless_asset_event(dg.AssetMaterialization(key))
        settled = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert settled.total_requested == 0
        instance.report_runless_asset_event(dg.AssetMaterialization(dg.AssetKey(["raw_odoo", "stock_quant"])))
        result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=settled.cursor)
        requested = {
            k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys() if result.get_num_requested(k)
        }
    assert requested == {
        "staging/stg_quants",
        "intermediate/int_on_hand",
        "marts/kpi_inventory_position",
        "marts/kpi_stock_aging",
    }


def test_raw_tables_and_marts_carry_freshness_policies(graph):
    raw = graph.get(dg.AssetKey(["raw_odoo", "stock_move"])).freshness_policy
    mart = graph.get(dg.AssetKey(["marts", "kpi_service_level_daily"])).freshness_policy
    assert (raw.warn_window.to_timedelta().total_seconds(), raw.fail_window.to_timedelta().total_seconds()) == (
        2 * 3600,
        6 * 3600,
    )
    assert (mart.warn_window.to_timedelta().total_seconds(), mart.fail_window.to_timedelta().total_seconds()) == (
        6 * 3600,
        26 * 3600,
    )
    assert graph.get(dg.AssetKey(["staging", "stg_sale_orders"])).freshness_policy is None


def test_a_bad_freshness_window_is_named(monkeypatch):
    from reporting_assets.defs.orchestration.freshness import raw_policy

    monkeypatch.setenv("REPORTING_RAW_FRESHNESS_FAIL_HOURS", "soon")
    with pytest.raises(
        ValueError, match="REPORTING_RAW_FRESHNESS_FAIL_HOURS must be a positive number of hours, got 'soon'"
    ):
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

    from reporting_assets.dbt import DBT_PROJECT

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

    from reporting_assets.dbt import DBT_PROJECT

    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    keyed = {
        n["attached_node"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and (n.get("test_metadata") or {}).get("name") in ("unique", "unique_key")
    }
    marts = {
        k
        for k, n in manifest["nodes"].items()
        if n["resource_type"] == "model" and n["fqn"][1] == "marts" and n["name"] != "metricflow_time_spine"
    }
    assert marts and marts <= keyed, marts - keyed


@pytest.fixture(scope="module")
def manifest():
    import json

    from reporting_assets.dbt import DBT_PROJECT

    return json.loads(DBT_PROJECT.manifest_path.read_text())


def test_every_dbt_source_is_a_raw_asset_of_the_code_location(graph, manifest):
    """A dbt source's asset key `[source name, table]` must be the key of a raw asset that the
    ingestion materializes; else the staging model hangs off a key nothing loads (an external asset
    Dagster cannot run), and its automation never fires."""
    sources = [dg.AssetKey([s["source_name"], s["name"]]) for s in manifest["sources"].values()]
    assert sources
    for key in sources:
        assert graph.has(key), f"dbt source {key.to_user_string()} is no asset of the code location"
        node = graph.get(key)
        assert node.is_materializable and node.group_name in ("odoo_raw", "carrier_raw"), key.to_user_string()


def test_only_staging_reads_sources_and_dbt_declares_no_source_freshness(manifest):
    """Intermediate models and marts read staging, never a raw table; freshness is Dagster's policies
    (raw tables warn 2 h / fail 6 h), so dbt declares none of its own (models/staging/_sources.yml)."""
    readers = {
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and any(d.startswith("source.") for d in n["depends_on"]["nodes"])
    }
    assert readers and all(name.startswith("stg_") for name in readers), readers
    for source in manifest["sources"].values():
        freshness = source.get("freshness") or {}
        assert source.get("loaded_at_field") is None, source["unique_id"]
        assert not any((freshness.get(k) or {}).get("count") for k in ("warn_after", "error_after")), source[
            "unique_id"
        ]


def test_every_staging_model_has_a_unique_and_not_null_key(manifest):
    tested: dict[str, set[tuple[str, str]]] = {}
    for test in manifest["nodes"].values():
        name = (test.get("test_metadata") or {}).get("name")
        if test["resource_type"] == "test" and name in ("unique", "not_null") and test.get("attached_node"):
            tested.setdefault(test["attached_node"], set()).add((name, test["column_name"]))
    staging = [k for k, n in manifest["nodes"].items() if n["resource_type"] == "model" and n["fqn"][1] == "staging"]
    assert staging
    for model in staging:
        columns = {c for _, c in tested.get(model, set())}
        assert any({("unique", c), ("not_null", c)} <= tested[model] for c in columns), model


def test_every_model_is_described_by_one_yaml_beside_its_sql(manifest):
    """The jaffle-shop layout: `<model>.yml` next to `<model>.sql` holds the model's description,
    columns and tests, its unit tests, and its semantic model and metrics where it has them."""
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for name, node in models.items():
        beside = node["original_file_path"].removesuffix(".sql") + ".yml"
        assert (node.get("patch_path") or "").split("://")[-1] == beside, (name, node.get("patch_path"))
    for unit_test in manifest["unit_tests"].values():
        assert unit_test["original_file_path"] == models[unit_test["model"]]["patch_path"].split("://")[-1], unit_test[
            "name"
        ]
    for semantic_model in manifest["semantic_models"].values():
        (model,) = semantic_model["depends_on"]["nodes"]
        assert semantic_model["original_file_path"] == manifest["nodes"][model]["patch_path"].split("://")[-1]
    semantic_files = {s["original_file_path"] for s in manifest["semantic_models"].values()}
    assert all(m["original_file_path"] in semantic_files for m in manifest["metrics"].values())
