"""Pure functions of the connector: field resolution, value conversion, schema drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reporting_assets.defs.raw_metadata import schema_drift
from reporting_assets.odoo.columns import FieldMissingError, column_descriptions, resolve_columns, to_columns
from reporting_assets.odoo.tables import ODOO_TABLES, OdooTable, table_for

FIELDS = {
    "id": {"type": "integer"},
    "create_date": {"type": "datetime"},
    "write_date": {"type": "datetime"},
    "partner_id": {"type": "many2one", "relation": "res.partner"},
    "quantity_done": {"type": "float"},
    "tag_ids": {"type": "many2many"},
    "active": {"type": "boolean"},
    "date_planned": {"type": "date"},
    "state": {"type": "selection"},
    "note": {"type": "text"},
    "amount": {"type": "monetary"},
}


def test_many2one_becomes_an_id_and_a_name_column_and_alternatives_land_in_the_first_name():
    res = resolve_columns(
        OdooTable("x.y", "partner_id quantity|quantity_done ?is_delivery:boolean tag_ids ?carrier_id:many2one"), FIELDS
    )
    assert [(c.name, c.sql_type, c.field, c.present) for c in res.columns] == [
        ("id", "bigint", "id", True),
        ("create_date", "timestamp", "create_date", True),
        ("write_date", "timestamp", "write_date", True),
        ("partner_id", "bigint", "partner_id", True),
        ("partner_id_name", "text", "partner_id", True),
        ("quantity", "double", "quantity_done", True),
        ("is_delivery", "boolean", "is_delivery", False),
        ("tag_ids", "bigint[]", "tag_ids", True),
        ("carrier_id", "bigint", "carrier_id", False),
        ("carrier_id_name", "text", "carrier_id", False),
    ]
    assert res.fields == ("id", "create_date", "write_date", "partner_id", "quantity_done", "tag_ids")
    assert res.skipped == ("is_delivery", "carrier_id")
    assert "is_delivery" not in res.extracted and "carrier_id" not in res.extracted  # what drift compares


def test_an_absent_optional_field_is_a_null_column_of_its_declared_type_even_a_boolean():
    res = resolve_columns(OdooTable("x.y", "active ?is_delivery:boolean ?carrier_id:many2one"), FIELDS)
    records = [{"id": 1, "create_date": False, "write_date": False, "active": False}]
    data = to_columns(records, res.columns)
    assert (data["active"], data["is_delivery"], data["carrier_id"], data["carrier_id_name"]) == (
        [False],
        [None],
        [None],
        [None],
    )


def test_an_absent_optional_model_gets_every_declared_column():
    res = resolve_columns(table_for("delivery.carrier"), {}, model_absent=True)
    types = {c.name: c.sql_type for c in res.columns}
    assert types == {
        "id": "bigint",
        "create_date": "timestamp",
        "write_date": "timestamp",
        "name": "text",
        "delivery_type": "text",
        "product_id": "bigint",
        "product_id_name": "text",
        "company_id": "bigint",
        "company_id_name": "text",
        "sequence": "bigint",
        "active": "boolean",
    }
    assert res.fields == () and res.extracted == {}


def test_raw_columns_are_described_with_odoo_labels_and_field_names():
    fields = dict(
        FIELDS,
        partner_id={"type": "many2one", "relation": "res.partner", "string": "Customer"},
        state={"type": "selection", "string": "Status"},
    )
    res = resolve_columns(OdooTable("sale.order", "partner_id state ?carrier_id:many2one"), fields)
    described = column_descriptions("sale.order", res, fields)
    assert described["partner_id"] == "Customer: id of the linked res.partner (`sale.order.partner_id`)."
    assert described["partner_id_name"].startswith("Customer: display name of the linked record as of extraction")
    assert described["state"] == "Status (`sale.order.state`, Odoo selection)."
    assert "carrier_id" not in described  # absent here: listed in the skipped fields instead
    assert described["_deleted_at"].startswith("When the extraction found the record gone")


def test_declared_types_of_optional_fields_are_those_of_odoo_17():
    """A declared type is what the column gets when the field is absent; it must be the type Odoo 17
    gives the field where it exists (the captured fields_get of a real server), or the column would
    change type the day the module is installed."""
    real = json.loads((Path(__file__).resolve().parents[2] / "odoo_sim/data/odoo17-fields.json").read_text())["models"]
    declared = 0
    for table in ODOO_TABLES:
        for token in table.fields.split():
            name, _, kind = token.lstrip("?").split("|")[0].partition(":")
            if kind and name in real.get(table.model, {}):
                assert real[table.model][name]["type"] == kind, (table.model, name)
                declared += 1
    assert declared > 30


def test_a_missing_required_field_is_a_clear_error():
    with pytest.raises(FieldMissingError, match=r"x\.y: required field 'margin' does not exist on http://h:8069"):
        resolve_columns(OdooTable("x.y", "partner_id margin"), FIELDS, "http://h:8069")


def test_values_are_typed_and_false_becomes_null_except_in_booleans():
    res = resolve_columns(OdooTable("x.y", "partner_id tag_ids active date_planned state note amount"), FIELDS)
    records = [
        {
            "id": 1,
            "create_date": "2024-05-01 10:00:00",
            "write_date": "2024-05-02 11:00:00",
            "partner_id": [7, "Acme"],
            "tag_ids": [3, 4],
            "active": True,
            "date_planned": "2024-06-01",
            "state": "sale",
            "note": "hello",
            "amount": 12.5,
        },
        {
            "id": 2,
            "create_date": "2024-05-01 10:00:00",
            "write_date": "2024-05-02 11:00:00",
            "partner_id": False,
            "tag_ids": [],
            "active": False,
            "date_planned": False,
            "state": False,
            "note": "",
            "amount": 0,
        },
    ]
    data = to_columns(records, res.columns)
    assert data["partner_id"] == [7, None] and data["partner_id_name"] == ["Acme", None]
    assert data["tag_ids"] == [[3, 4], []]
    assert data["active"] == [True, False]
    assert data["date_planned"] == ["2024-06-01", None]
    assert data["state"] == ["sale", None] and data["note"] == ["hello", None]
    assert data["amount"] == [12.5, 0]


def test_every_declared_table_is_reachable_by_model_name_and_unknown_names_are_refused():
    assert [table_for(t.model).table for t in ODOO_TABLES] == [t.model.replace(".", "_") for t in ODOO_TABLES]
    with pytest.raises(
        KeyError,
        match="unknown Odoo model 'sale.ordr'; did you mean 'sale.order'\\? the raw layer extracts: res.company, ",
    ):
        table_for("sale.ordr")


def test_schema_drift_names_what_was_added_removed_and_retyped():
    before = {"id": "bigint", "quantity": "double", "picked": "boolean", "name": "text"}
    after = {"id": "bigint", "quantity": "text", "name": "text", "weight": "double"}
    assert schema_drift(before, after) == {
        "added": ["weight"],
        "removed": ["picked"],
        "retyped": ["quantity: double -> text"],
    }
    assert schema_drift(None, after) == {"added": [], "removed": [], "retyped": []}
    assert schema_drift(after, dict(after)) == {"added": [], "removed": [], "retyped": []}


def test_the_code_location_has_one_raw_asset_per_table_with_pool_and_checks():
    from reporting_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    raw = [k for k in graph.get_all_asset_keys() if k.path[0] in ("raw_odoo", "raw_carrier")]
    keys = {k.to_user_string() for k in raw}
    assert keys == {f"raw_odoo/{t.table}" for t in ODOO_TABLES} | {"raw_carrier/shipments"}
    for key in raw:
        node = graph.get(key)
        assert node.group_name == ("carrier_raw" if key.path[0] == "raw_carrier" else "odoo_raw")
        assert node.pools == {"warehouse"}
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys if c.asset_key in raw}
    assert checks == {(k, name) for k in keys for name in ("source_count_matches", "schema_unchanged")} | {
        ("raw_carrier/shipments", "source_available")
    }  # the optional source's own check
    for key in raw:  # owners, tags, a link to the source file
        node = graph.get(key)
        assert node.owners == ["team:data-platform"] and node.tags["tier"] == "bronze"
        assert "dagster/code_references" in node.metadata
    # An incomplete Odoo copy (count or shape) blocks what is downstream; the optional carrier source never does.
    blocking = {
        (c.asset_key.to_user_string(), c.name)
        for c in graph.asset_check_keys
        if c.asset_key in raw and graph.get_check_spec(c).blocking
    }
    assert blocking == {
        (k, name) for k in keys if k.startswith("raw_odoo/") for name in ("source_count_matches", "schema_unchanged")
    }


def test_run_config_sends_full_refresh_to_raw_assets_and_as_of_to_dbt():
    from reporting_assets.cli import materializable, run_config_for
    from reporting_assets.definitions import defs

    assets = materializable(defs)
    ops = run_config_for(assets, full_refresh=True, as_of="2026-11-20")["ops"]
    assert ops["kpi_models"] == {"config": {"as_of": "2026-11-20"}}
    assert ops["raw_odoo__sale_order"] == {"config": {"full_refresh": True}}
    assert set(ops) == {"kpi_models", "raw_carrier__shipments"} | {f"raw_odoo__{t.table}" for t in ODOO_TABLES}
    assert "ops" not in run_config_for(assets, full_refresh=False, as_of=None)
