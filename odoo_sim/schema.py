"""Which Odoo models and fields the demo server serves, and how they relate.

The field metadata (type, relation, selection, string, related path) is not
written here: it is read from `data/odoo17-fields.json`, a copy of
`fields_get` taken from a real Odoo 17.0 server, so `fields_get` answers with
exactly Odoo's names, types and selections. This module only says *which*
of those fields we serve, the inverse side of one2many fields (which
`fields_get` does not expose), the models' default order, hierarchy and
defaults, which fields Odoo can search, sort and group on, the differences of
Odoo 16, and what a stock Odoo 17 without the delivery and margin modules lacks.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class ModelSpec:
    fields: tuple[str, ...]
    order: str = "id"
    parent: str | None = None  # the `_parent_name` used by child_of / parent_of
    has_active: bool = False
    inherits: tuple[str, str] | None = None  # (parent model, link field), like Odoo's _inherits
    one2many: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (comodel, inverse m2o)
    defaults: dict[str, object] = field(default_factory=dict)  # what `create` fills in when not given


def _f(text: str) -> tuple[str, ...]:
    return tuple(text.split())


COMMON = _f("id display_name create_date create_uid write_date write_uid")

MODELS: dict[str, ModelSpec] = {
    "res.company": ModelSpec(
        _f("name partner_id currency_id parent_id vat active sequence"),
        order="sequence, name",
        parent="parent_id",
        has_active=True,
    ),
    "res.currency": ModelSpec(
        _f("name full_name symbol rate inverse_rate rounding decimal_places position active"),
        order="active desc, name",
        has_active=True,
    ),
    "res.partner": ModelSpec(
        _f(
            "name complete_name ref is_company type parent_id commercial_partner_id child_ids street city zip country_code "
            "email phone vat lang tz user_id company_id customer_rank supplier_rank active on_time_rate"
        ),
        order="complete_name, id desc",
        parent="parent_id",
        has_active=True,
        one2many={"child_ids": ("res.partner", "parent_id")},
    ),
    "res.users": ModelSpec(
        _f("login name partner_id active share company_id company_ids tz lang"), order="name, login", has_active=True
    ),
    "crm.team": ModelSpec(_f("name user_id company_id active sequence"), order="sequence, name", has_active=True),
    "uom.uom": ModelSpec(
        _f("name factor factor_inv rounding uom_type active"), order="factor desc, id", has_active=True
    ),
    "product.category": ModelSpec(
        _f("name complete_name parent_id child_id parent_path"),
        order="complete_name",
        parent="parent_id",
        one2many={"child_id": ("product.category", "parent_id")},
    ),
    "product.template": ModelSpec(
        _f(
            "name default_code detailed_type type categ_id list_price standard_price uom_id uom_po_id sale_ok purchase_ok "
            "active company_id weight volume product_variant_ids seller_ids tracking invoice_policy sale_delay"
        ),
        order="name",
        has_active=True,
        one2many={
            "product_variant_ids": ("product.product", "product_tmpl_id"),
            "seller_ids": ("product.supplierinfo", "product_tmpl_id"),
        },
    ),
    "product.product": ModelSpec(
        _f(
            "product_tmpl_id default_code barcode active standard_price lst_price name categ_id type detailed_type "
            "uom_id uom_po_id sale_ok purchase_ok list_price company_id invoice_policy tracking weight volume sale_delay"
        ),
        order="default_code, name, id",
        has_active=True,
        inherits=("product.template", "product_tmpl_id"),
    ),
    "product.supplierinfo": ModelSpec(
        _f("partner_id product_tmpl_id product_id price delay min_qty currency_id company_id sequence"),
        order="sequence, min_qty desc, price, id",
    ),
    "stock.warehouse": ModelSpec(
        _f(
            "name code active company_id partner_id view_location_id lot_stock_id reception_steps delivery_steps "
            "in_type_id out_type_id pick_type_id int_type_id sequence"
        ),
        order="sequence, id",
        has_active=True,
    ),
    "stock.location": ModelSpec(
        _f(
            "name complete_name usage location_id parent_path warehouse_id company_id scrap_location return_location "
            "replenish_location active barcode"
        ),
        order="complete_name, id",
        parent="location_id",
        has_active=True,
    ),
    "stock.picking.type": ModelSpec(
        _f(
            "name code sequence_code warehouse_id default_location_src_id default_location_dest_id return_picking_type_id "
            "company_id active sequence"
        ),
        order="sequence, id",
        has_active=True,
    ),
    "stock.picking": ModelSpec(
        _f(
            "name origin state move_type priority scheduled_date date_deadline date date_done location_id location_dest_id "
            "picking_type_id picking_type_code partner_id company_id user_id backorder_id backorder_ids return_id move_ids "
            "sale_id purchase_id carrier_id carrier_tracking_ref carrier_price weight"
        ),
        order="priority desc, scheduled_date asc, id desc",
        one2many={"backorder_ids": ("stock.picking", "backorder_id"), "move_ids": ("stock.move", "picking_id")},
    ),
    "stock.move": ModelSpec(
        _f(
            "name reference origin state date date_deadline product_id product_tmpl_id product_uom_qty quantity product_qty "
            "product_uom picked location_id location_dest_id location_usage location_dest_usage picking_id picking_type_id "
            "picking_code partner_id company_id warehouse_id price_unit origin_returned_move_id scrapped is_inventory "
            "sale_line_id purchase_line_id move_line_ids sequence"
        ),
        order="sequence, id",
        one2many={"move_line_ids": ("stock.move.line", "move_id")},
    ),
    "stock.move.line": ModelSpec(
        _f(
            "move_id picking_id product_id product_uom_id quantity quantity_product_uom picked location_id location_dest_id "
            "date state reference origin company_id picking_code"
        ),
        order="date, id",
    ),
    "stock.quant": ModelSpec(
        _f(
            "product_id product_tmpl_id product_uom_id location_id warehouse_id company_id quantity reserved_quantity "
            "available_quantity in_date"
        ),
    ),
    "sale.order": ModelSpec(
        _f(
            "name state locked date_order commitment_date validity_date origin client_order_ref partner_id partner_invoice_id "
            "partner_shipping_id user_id team_id company_id currency_id currency_rate order_line amount_untaxed amount_tax "
            "amount_total invoice_status warehouse_id picking_ids delivery_count delivery_status effective_date "
            "picking_policy carrier_id margin margin_percent"
        ),
        order="date_order desc, id desc",
        one2many={"order_line": ("sale.order.line", "order_id"), "picking_ids": ("stock.picking", "sale_id")},
    ),
    "sale.order.line": ModelSpec(
        _f(
            "order_id sequence display_type product_id product_template_id name product_uom_qty product_uom price_unit "
            "discount price_subtotal price_tax price_total qty_delivered qty_delivered_method qty_invoiced customer_lead "
            "state order_partner_id salesman_id company_id currency_id is_downpayment move_ids purchase_price margin "
            "margin_percent is_delivery warehouse_id"
        ),
        order="order_id, sequence, id",
        one2many={"move_ids": ("stock.move", "sale_line_id")},
    ),
    "purchase.order": ModelSpec(
        _f(
            "name partner_ref origin state priority date_order date_approve date_planned partner_id user_id company_id "
            "currency_id currency_rate order_line amount_untaxed amount_tax amount_total invoice_status picking_type_id "
            "picking_ids incoming_picking_count is_shipped effective_date receipt_status"
        ),
        order="priority desc, id desc",
        one2many={"order_line": ("purchase.order.line", "order_id")},
    ),
    "purchase.order.line": ModelSpec(
        _f(
            "order_id display_type name product_id product_qty product_uom_qty product_uom price_unit discount price_subtotal "
            "price_tax price_total date_planned date_order date_approve qty_received qty_received_method qty_invoiced "
            "partner_id company_id currency_id state move_ids sequence"
        ),
        order="order_id, sequence, id",
        one2many={"move_ids": ("stock.move", "purchase_line_id")},
    ),
    "account.move": ModelSpec(
        _f(
            "name ref date invoice_date invoice_date_due state move_type payment_state company_id partner_id "
            "commercial_partner_id currency_id company_currency_id amount_untaxed amount_tax amount_total amount_residual "
            "amount_untaxed_signed amount_tax_signed amount_total_signed amount_residual_signed invoice_origin "
            "invoice_user_id line_ids invoice_line_ids"
        ),
        order="date desc, name desc, id desc",
        one2many={"line_ids": ("account.move.line", "move_id")},
        defaults={"state": "draft", "move_type": "entry", "name": "/"},
    ),
    "account.move.line": ModelSpec(
        _f(
            "move_id move_name name date parent_state company_id partner_id product_id product_uom_id quantity price_unit "
            "discount price_subtotal price_total balance debit credit amount_currency currency_id display_type "
            "sale_line_ids purchase_line_id"
        ),
        order="date desc, move_name desc, id",
    ),
    "delivery.carrier": ModelSpec(
        _f(
            "name active sequence delivery_type integration_level product_id company_id invoice_policy fixed_price margin "
            "free_over amount"
        ),
        order="sequence, id",
        has_active=True,
    ),
}

# product.supplierinfo is not in the captured fields file; these entries follow
# the Odoo 17 source (product/models/product_supplierinfo.py).
_EXTRA_FIELDS = {
    "product.supplierinfo": {
        "partner_id": {
            "relation": "res.partner",
            "required": True,
            "store": True,
            "string": "Vendor",
            "type": "many2one",
        },
        "product_tmpl_id": {
            "relation": "product.template",
            "store": True,
            "string": "Product Template",
            "type": "many2one",
        },
        "product_id": {"relation": "product.product", "store": True, "string": "Product Variant", "type": "many2one"},
        "price": {"required": True, "store": True, "string": "Price", "type": "float"},
        "delay": {"required": True, "store": True, "string": "Delivery Lead Time", "type": "integer"},
        "min_qty": {"required": True, "store": True, "string": "Quantity", "type": "float"},
        "currency_id": {
            "relation": "res.currency",
            "required": True,
            "store": True,
            "string": "Currency",
            "type": "many2one",
        },
        "company_id": {"relation": "res.company", "store": True, "string": "Company", "type": "many2one"},
        "sequence": {"store": True, "string": "Sequence", "type": "integer"},
    },
}
_COMMON_META = {
    "id": {"readonly": True, "store": True, "string": "ID", "type": "integer"},
    "display_name": {"readonly": True, "string": "Display Name", "type": "char"},
    "create_date": {"readonly": True, "store": True, "string": "Created on", "type": "datetime"},
    "create_uid": {
        "readonly": True,
        "relation": "res.users",
        "store": True,
        "string": "Created by",
        "type": "many2one",
    },
    "write_date": {"readonly": True, "store": True, "string": "Last Updated on", "type": "datetime"},
    "write_uid": {
        "readonly": True,
        "relation": "res.users",
        "store": True,
        "string": "Last Updated by",
        "type": "many2one",
    },
}


# What the modules a stock Odoo 17 Community with sale_management, stock, purchase and account does
# not install add to the models served here (`--stock-odoo`): model -> its fields from those modules,
# None for a model of its own. The captured fields file does not say which module defines a field;
# these come from the Odoo 17.0 source: delivery/models/{sale_order,sale_order_line}.py,
# stock_delivery/models/stock_picking.py, sale_margin/models/{sale_order,sale_order_line}.py.
NOT_IN_STOCK_ODOO: dict[str, tuple[str, ...] | None] = {
    "delivery.carrier": None,  # delivery
    "sale.order": ("carrier_id", "margin", "margin_percent"),  # delivery; sale_margin
    "sale.order.line": ("is_delivery", "purchase_price", "margin", "margin_percent"),  # delivery; sale_margin
    "stock.picking": ("carrier_id", "carrier_tracking_ref", "carrier_price", "weight"),  # stock_delivery
}

# Non-stored computed fields that Odoo 17 can nevertheless search, because they have a search
# method (`search=`, or company_dependent); a domain leaf on any other non-stored field that is not
# related is ignored by Odoo (see `searchable`).
SEARCH_METHODS = {
    ("product.template", "standard_price"),
    ("product.product", "standard_price"),
    ("sale.order.line", "product_template_id"),
}

# `read_group` aggregates a numeric field named without a function with the field's group_operator,
# `sum` unless the field says otherwise (Odoo 17.0: account/models/account_move_line.py,
# sale_margin/models/sale_order.py); None leaves the field out, and a date field with one is aggregated.
GROUP_OPERATORS = {
    ("account.move.line", "amount_currency"): None,
    ("account.move.line", "date"): "min",
    ("sale.order", "margin_percent"): "avg",
}


@cache
def _odoo17_fields() -> dict:
    return json.loads(files("odoo_sim").joinpath("data/odoo17-fields.json").read_text())["models"]


@cache
def field_meta(version: int = 17, stock_odoo: bool = False) -> dict[str, dict[str, dict]]:
    """model -> field -> fields_get entry, for the served models and fields of one Odoo version
    (`stock_odoo`: without the models and fields of NOT_IN_STOCK_ODOO)."""
    source = _odoo17_fields()
    out: dict[str, dict[str, dict]] = {}
    for model, spec in MODELS.items():
        lacking = NOT_IN_STOCK_ODOO.get(model, ()) if stock_odoo else ()
        if lacking is None:
            continue
        available = {**_COMMON_META, **source.get(model, {}), **_EXTRA_FIELDS.get(model, {})}
        out[model] = {name: copy.deepcopy(available[name]) for name in COMMON + spec.fields if name not in lacking}
    if version == 16:
        _apply_odoo16(out)
    return out


def searchable(model: str, name: str, meta: dict) -> bool:
    """Whether Odoo 17 can search the field: stored, related, or with a search method. Odoo's
    expression.py drops a leaf on any other field ("Non-stored field ... cannot be searched." in its
    log) and the leaf then matches every record."""
    return bool(meta.get("store") or meta.get("related") or (model, name) in SEARCH_METHODS)


def is_column(fields: dict[str, dict[str, dict]], model: str, name: str) -> bool:
    """Whether the field is a column of the model's table (stored, not a one2many or many2many), or
    inherited through `_inherits` from a column of the parent: what Odoo 17 can sort on. It skips an
    `order` term on any other field."""
    meta = fields[model][name]
    if meta.get("store"):
        return meta["type"] not in ("one2many", "many2many")
    inherits = MODELS[model].inherits
    if inherits and (meta.get("related") or "").startswith(inherits[1] + "."):
        parent = inherits[0]
        return name in fields[parent] and is_column(fields, parent, name)
    return False


def _apply_odoo16(meta: dict[str, dict[str, dict]]) -> None:
    """Odoo 16 names: moves have a non-stored `quantity_done` instead of `quantity`/`picked`;
    sale orders have the `done` (Locked) state and no `locked` flag."""
    move = meta["stock.move"]
    move["quantity_done"] = {"string": "Quantity Done", "type": "float"}
    del move["quantity"], move["picked"]
    meta["stock.move.line"]["qty_done"] = {"store": True, "string": "Quantity Done", "type": "float"}
    del meta["stock.move.line"]["quantity"], meta["stock.move.line"]["picked"]
    order_state = meta["sale.order"]["state"]
    order_state["selection"] = [s for s in order_state["selection"] if s[0] != "cancel"] + [
        ["done", "Locked"],
        ["cancel", "Cancelled"],
    ]
    del meta["sale.order"]["locked"]
    meta["sale.order.line"]["state"]["selection"] = order_state["selection"]
