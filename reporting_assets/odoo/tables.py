"""Which Odoo models and fields the raw layer extracts: the one table to edit.

Each line is one source table landing in `raw_odoo.<model with dots as underscores>`.
Fields are checked against the server's `fields_get` on every run:

- `name`           required: missing on the server is an error that stops the table;
- `?name:type`     optional (another Odoo version, a module that is not installed):
                   when the server lacks it, a notice says so and the column is still
                   created, of the declared Odoo type (`many2one`, `char`, `float`, ...),
                   and left NULL, so the models reading it work on every Odoo;
- `a|b`            the first of these names the server has, landing in column `a`
                   (e.g. `quantity|quantity_done`: Odoo 17's done quantity, 16's name).

A model of `OPTIONAL_MODELS` (its module may be absent) declares every field's
type: when the server does not know the model, its table is created empty.

`id`, `create_date` and `write_date` are always extracted. Values are typed from
`fields_get` (see `columns.py`): a many2one becomes `<field>` (id) and
`<field>_name` (display name as of extraction), x2many an array of ids.

The list covers what the KPIs of `docs/kpis.md` read, plus the dimensions a
report names things by (users, teams, companies, currencies, units).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class OdooTable:
    model: str
    fields: str  # whitespace-separated, with the `?` and `|` marks above

    @property
    def table(self) -> str:
        return self.model.replace(".", "_")


ODOO_TABLES: tuple[OdooTable, ...] = (
    # --- companies, people, currencies, units ---------------------------------------------
    OdooTable("res.company", "name partner_id currency_id ?parent_id:many2one active"),
    OdooTable("res.currency", "name symbol decimal_places rounding active"),
    OdooTable(
        "res.partner",
        "name ?complete_name:char ref is_company type parent_id commercial_partner_id "
        "country_code city zip email user_id company_id ?customer_rank:integer "
        "?supplier_rank:integer active",
    ),
    OdooTable("res.users", "login name partner_id company_id company_ids share active"),
    OdooTable("crm.team", "name user_id company_id active"),
    OdooTable("uom.uom", "name factor rounding uom_type active"),
    # --- products ---------------------------------------------------------------------------
    OdooTable("product.category", "name complete_name parent_id parent_path"),
    OdooTable(
        "product.template",
        "name default_code type ?detailed_type:selection ?is_storable:boolean categ_id "
        "list_price uom_id uom_po_id sale_ok purchase_ok ?invoice_policy:selection "
        "?tracking:selection weight volume company_id active",
    ),
    # Only the variant's own fields: those it reads through `_inherits` from its template (name,
    # category, type, unit) do not bump the variant's write_date when the template changes.
    OdooTable("product.product", "product_tmpl_id default_code ?barcode:char standard_price active"),
    # --- warehouses -------------------------------------------------------------------------
    OdooTable(
        "stock.warehouse",
        "name code company_id partner_id view_location_id lot_stock_id reception_steps "
        "delivery_steps in_type_id out_type_id pick_type_id int_type_id sequence active",
    ),
    OdooTable(
        "stock.location",
        "name complete_name usage location_id parent_path warehouse_id company_id "
        "?scrap_location:boolean ?return_location:boolean active",
    ),
    OdooTable(
        "stock.picking.type",
        "name code sequence_code warehouse_id default_location_src_id "
        "default_location_dest_id company_id sequence active",
    ),
    OdooTable(
        "stock.picking",
        "name origin state move_type priority scheduled_date date_deadline date date_done "
        "location_id location_dest_id picking_type_id picking_type_code partner_id company_id "
        "user_id backorder_id ?return_id:many2one ?sale_id:many2one ?purchase_id:many2one "
        "?carrier_id:many2one ?carrier_tracking_ref:char ?carrier_price:float ?weight:float",
    ),
    OdooTable(
        "stock.move",
        "name reference origin state date date_deadline product_id product_uom_qty "
        "quantity|quantity_done product_qty product_uom location_id location_dest_id picking_id "
        "picking_type_id partner_id company_id warehouse_id price_unit origin_returned_move_id "
        "scrapped is_inventory ?picked:boolean ?sale_line_id:many2one ?purchase_line_id:many2one",
    ),
    OdooTable(
        "stock.quant",
        "product_id location_id warehouse_id company_id ?lot_id:many2one quantity reserved_quantity in_date",
    ),
    # --- sales ------------------------------------------------------------------------------
    OdooTable(
        "sale.order",
        "name state date_order commitment_date validity_date origin client_order_ref partner_id "
        "partner_shipping_id user_id team_id company_id currency_id currency_rate amount_untaxed "
        "amount_tax amount_total invoice_status ?warehouse_id:many2one ?delivery_status:selection "
        "?effective_date:datetime ?picking_policy:selection ?carrier_id:many2one ?locked:boolean",
    ),
    OdooTable(
        "sale.order.line",
        "order_id sequence display_type product_id name product_uom_qty product_uom price_unit "
        "discount price_subtotal price_tax price_total qty_delivered qty_invoiced customer_lead "
        "state order_partner_id salesman_id company_id currency_id is_downpayment "
        "?is_delivery:boolean ?purchase_price:float",
    ),
    # --- purchases --------------------------------------------------------------------------
    OdooTable(
        "purchase.order",
        "name partner_ref origin state date_order date_approve date_planned partner_id user_id "
        "company_id currency_id currency_rate amount_untaxed amount_tax amount_total "
        "invoice_status ?picking_type_id:many2one ?effective_date:datetime "
        "?receipt_status:selection",
    ),
    OdooTable(
        "purchase.order.line",
        "order_id display_type name product_id product_qty product_uom_qty product_uom "
        "price_unit discount price_subtotal price_total date_planned qty_received "
        "qty_invoiced partner_id company_id currency_id state",
    ),
    # --- invoicing and delivery -------------------------------------------------------------
    OdooTable(
        "account.move",
        "name ref date invoice_date invoice_date_due state move_type payment_state company_id "
        "partner_id commercial_partner_id currency_id amount_untaxed amount_total "
        "amount_untaxed_signed amount_total_signed invoice_origin invoice_user_id",
    ),
    OdooTable(
        "delivery.carrier",
        "name:char delivery_type:selection product_id:many2one company_id:many2one sequence:integer active:boolean",
    ),
)

# Models whose module may be absent (stock_delivery): when the server does not know the
# model at all, its table is created empty (from the declared types) with a notice.
OPTIONAL_MODELS = frozenset({"delivery.carrier"})

ALWAYS = ("id:integer", "create_date:datetime", "write_date:datetime")


def _check_declarations() -> None:
    """Every optional field, and every field of an optional model, declares its type."""
    for spec in ODOO_TABLES:
        for token in spec.fields.split():
            if (token.startswith("?") or spec.model in OPTIONAL_MODELS) and ":" not in token:
                raise ValueError(
                    f"reporting_assets/odoo/tables.py: {spec.model} field {token!r} needs a type, e.g. {token}:many2one"
                )


_check_declarations()


def table_for(model: str, extra: tuple[str, ...] = ()) -> OdooTable:
    """The table of an Odoo model; an unknown name is a KeyError whose message suggests the
    nearest names and lists the known ones (`extra`: other names the caller accepts)."""
    for spec in ODOO_TABLES:
        if spec.model == model:
            return spec
    known = [t.model for t in ODOO_TABLES] + list(extra)
    close = difflib.get_close_matches(model, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise KeyError(f"unknown Odoo model {model!r}; {hint}the raw layer extracts: {', '.join(known)}")
