"""The KPI layer in Dagster without a warehouse: keys, groups, lineage to the raw assets, blocking
checks, docs links, and declarative automation (what a raw update makes refresh)."""

from __future__ import annotations

import re

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
        # the report marts built on stock (marts/reports/)
        "marts/rpt_customer_escalations",
        "marts/rpt_customer_kpi_comparisons",
        "marts/rpt_daily_history",
        "marts/rpt_kpi_comparisons",
        "marts/rpt_kpi_trend",
        "marts/rpt_late_lines",
        "marts/rpt_overdue_po_line_risk",
        "marts/rpt_stock_aging_by_group",
        "marts/rpt_stock_items",
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


# A quantity column of a mart: `qty`, `*_qty`, `*_qty_*`, `*_quantity`.
QUANTITY = re.compile(r"(^|_)(qty|quantity)(_|$)")
# A rate column: `*_rate`, and a margin rate over a window (`margin_rate_last_7d`), as test_kpis.py reads them.
RATE = re.compile(r"_rate($|_last_\d+d$|_prior_\d+d$)")
# Where a negative figure is a broken one, never a legitimate one: those docs/kpis.md ("Tests") names,
# and the fill rate's numerator and denominator (a negative ordered quantity made unit_fill_rate 1.658).
BLOCKING_NON_NEGATIVE = {
    ("fct_order_line_fulfilment", "ordered_qty"),
    ("kpi_service_level_daily", "due_qty"),
    ("kpi_service_level_daily", "filled_qty"),
    ("kpi_inventory_position", "shortage_qty"),
    ("kpi_warehouse_throughput_daily", "units"),
    ("kpi_supplier_performance", "overdue_lines"),
    ("kpi_backorders", "open_qty"),
}


def mart_tests(manifest) -> dict[str, dict[tuple[str, str | None], list[dict]]]:
    """Every mart (metricflow_time_spine included) -> (generic test, column or None) -> its tests."""
    marts = {
        k: n["name"] for k, n in manifest["nodes"].items() if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    }
    found: dict[str, dict[tuple[str, str | None], list[dict]]] = {name: {} for name in marts.values()}
    for test in manifest["nodes"].values():
        if test["resource_type"] == "test" and test.get("attached_node") in marts and test.get("test_metadata"):
            key = (test["test_metadata"]["name"], test.get("column_name"))
            found[marts[test["attached_node"]]].setdefault(key, []).append(test)
    return found


def test_every_mart_has_a_unique_key_on_its_grain(manifest):
    """Every mart, dimensions and the time spine included, names its grain in a blocking `unique_key`
    test on columns the mart has (a single key also keeps its `unique` and `not_null`, docs/kpis.md)."""
    tests = mart_tests(manifest)
    assert len(tests) >= 21
    for mart, by_kind in tests.items():
        keys = [t for (kind, _), ts in by_kind.items() if kind == "unique_key" for t in ts]
        assert keys, f"{mart} has no unique_key test naming its grain"
        columns = manifest["nodes"][f"model.distribution_reporting.{mart}"]["columns"]
        for test in keys:
            grain = test["test_metadata"]["kwargs"]["columns"]
            assert grain and set(grain) <= set(columns), (mart, grain)
            assert test["config"]["severity"].lower() == "error", test["name"]


def test_every_rate_has_its_range_and_every_quantity_its_sign(manifest):
    """Every rate column has `rate_between`, blocking on [0, 1] unless the exception is written
    (margin rates [-1, 1] and Odoo's own on-time figure over 1 warn); `odoo_on_time_percent` has its
    0-100 / -1 range. Every quantity column has `non_negative`, or `meta.may_be_negative` saying why a
    negative figure is legitimate (a return, an adjustment difference), and then no blocking
    `non_negative`; the quantities docs/kpis.md names as blocking have an `error` one."""
    rates = quantities = 0
    for mart, by_kind in mart_tests(manifest).items():
        columns = manifest["nodes"][f"model.distribution_reporting.{mart}"]["columns"]
        for name, column in columns.items():
            meta = {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}
            checks = {kind: tests for (kind, col), tests in by_kind.items() if col == name}
            if RATE.search(name):
                rates += 1
                assert "rate_between" in checks, f"{mart}.{name} has no rate_between"
                for test in checks["rate_between"]:
                    kwargs = test["test_metadata"]["kwargs"]
                    if test["config"]["severity"].lower() == "error":
                        assert (kwargs.get("min", 0), kwargs.get("max", 1)) == (0, 1), (mart, name, kwargs)
            if name == "odoo_on_time_percent":
                (test,) = checks["rate_between"]
                assert (test["test_metadata"]["kwargs"]["min"], test["test_metadata"]["kwargs"]["max"]) == (-1, 100)
            severities = {t["config"]["severity"].lower() for t in checks.get("non_negative", [])}
            if "may_be_negative" in meta:
                assert isinstance(meta["may_be_negative"], str) and len(meta["may_be_negative"]) > 20, (mart, name)
                assert "error" not in severities, f"{mart}.{name} may be negative but has a blocking non_negative"
            elif QUANTITY.search(name):
                quantities += 1
                assert severities, f"{mart}.{name}: add non_negative, or meta may_be_negative saying why"
            if (mart, name) in BLOCKING_NON_NEGATIVE:
                assert "error" in severities, (mart, name)
    assert rates >= 7 and quantities >= 15


@pytest.mark.slow  # two dbt processes (about 15 s); `make test-fast` skips it
def test_a_negative_ordered_quantity_a_rate_above_one_and_a_duplicated_line_fail_the_marts_tests(manifest, tmp_path):
    """The probe of issue "quality gates that actually hold", replayed through the real models and
    their real tests on a small DuckDB file: a due line ordered at -50 next to a line half
    delivered, and a sale line read twice (a join fanning out). fct_order_line_fulfilment and
    kpi_service_level_daily are built by `dbt run` from hand-made inputs, then `dbt test` runs every
    test of the two marts: exactly the tests that guard these figures fail, and at severity error."""
    import json
    import os
    import subprocess

    import duckdb

    from reporting_assets.dbt import DBT_EXECUTABLE, DBT_PROJECT

    def relation(name: str) -> str:
        node = next(n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] == name)
        return f"{node['schema']}.{node['alias']}"

    inputs = {
        "int_sale_lines": (
            "sale_line_id bigint, order_id bigint, order_name varchar, customer_id bigint, warehouse_id bigint, "
            "company_id bigint, product_id bigint, category_id bigint, ordered_qty double, promised_date date, "
            "unit_net_price double, net_amount double, is_fulfilment boolean",
            [
                (1, 10, "S00010", 7, 1, 1, 100, 5, 10.0, "2026-11-20", 2.0, 20.0, True),  # half delivered
                (2, 10, "S00010", 7, 1, 1, 100, 5, -50.0, "2026-11-20", 2.0, -100.0, True),  # the probe
                (3, 11, "S00011", 7, 1, 1, 100, 5, 4.0, "2026-11-21", 2.0, 8.0, True),  # read twice
                (3, 11, "S00011", 7, 1, 1, 100, 5, 4.0, "2026-11-21", 2.0, 8.0, True),
            ],
        ),
        "int_customer_deliveries": (
            "sale_line_id bigint, delivered_date date, signed_qty double",
            [(1, "2026-11-19", 5.0), (3, "2026-11-21", 4.0)],
        ),
        "dim_partners": ("customer_id bigint, customer_name varchar", [(7, "Acme Works")]),
        "dim_warehouses": ("warehouse_id bigint, warehouse_name varchar", [(1, "Main")]),
        "dim_products": (
            "product_id bigint, default_code varchar, product_name varchar, category_name varchar",
            [(100, "FURN-1", "Desk", "All / Office")],
        ),
        "int_companies": ("company_id bigint, decimal_places integer", [(1, 2)]),
    }
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        for name, (columns, rows) in inputs.items():
            table = relation(name)
            con.execute(f"create schema if not exists {table.split('.')[0]}")
            con.execute(f"create table {table} ({columns})")
            con.executemany(f"insert into {table} values ({', '.join('?' * len(rows[0]))})", rows)

    env = {**os.environ, "REPORTING_WAREHOUSE": "duckdb", "REPORTING_DUCKDB_PATH": str(path)}
    project = ["--project-dir", str(DBT_PROJECT.project_dir), "--profiles-dir", str(DBT_PROJECT.profiles_dir)]
    scratch = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    marts = ["--select", "fct_order_line_fulfilment", "kpi_service_level_daily"]

    def dbt(*args: str) -> dict[str, str]:
        """Each node's status (`success`, `pass`, `fail` for a failed error test, `warn`...)."""
        (tmp_path / "target" / "run_results.json").unlink(missing_ok=True)
        done = subprocess.run(
            [DBT_EXECUTABLE, *args, *marts, "--vars", '{"as_of": "2026-11-27"}', *project, *scratch],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]  # 1: a node failed
        results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
        return {r["unique_id"].split(".")[2]: r["status"] for r in results}

    built = dbt("run")
    assert built == {"fct_order_line_fulfilment": "success", "kpi_service_level_daily": "success"}, built
    with duckdb.connect(str(path), read_only=True) as con:
        # what the probe saw: the real model turns the negative line into a fill rate above 1
        fill = con.execute(
            f"select filled_qty, due_qty, unit_fill_rate from {relation('kpi_service_level_daily')} "
            "where promised_date = date '2026-11-20'"
        ).fetchall()
    assert fill == [(-45.0, -40.0, 1.125)]

    tested = dbt("test", "--exclude", "test_type:unit")
    failed = {name for name, status in tested.items() if status != "pass"}
    assert failed == {
        "non_negative_fct_order_line_fulfilment_ordered_qty",
        "non_negative_kpi_service_level_daily_filled_qty",
        "non_negative_kpi_service_level_daily_due_qty",
        "rate_between_kpi_service_level_daily_unit_fill_rate",
        "unique_fct_order_line_fulfilment_sale_line_id",
        "fct_order_line_fulfilment_one_row_per_sale_line",
    }, tested
    assert {tested[name] for name in failed} == {"fail"}  # `fail` is severity error; a warning is `warn`
    # every other test of the two marts ran and passed: the warnings, the expressions, the reconciliation
    ids = {f"model.distribution_reporting.{name}" for name in ("fct_order_line_fulfilment", "kpi_service_level_daily")}
    assert set(tested) == {
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and ids & set(n["depends_on"]["nodes"])
    }
