"""Which Odoo models and fields the raw layer extracts: the one table to edit.

Each line is one source table landing in `raw_odoo.<model with dots as underscores>`.
Fields are checked against the server's `fields_get` on every run:

- `name`           required: missing on the server is an error that stops the table;
- `?name`          optional (another Odoo version, a module that is not installed):
                   skipped with a visible notice, the column stays NULL;
- `a|b`            the first of these names the server has, landing in column `a`
                   (e.g. `quantity|quantity_done`: Odoo 17's done quantity, 16's name).

`id`, `create_date` and `write_date` are always extracted. Values are typed from
`fields_get` (see `columns.py`): a many2one becomes `<field>` (id) and
`<field>_name` (display name as of extraction), x2many an array of ids.

The list covers what the KPIs of `../shared/KPIS.md` read, plus the dimensions a
report names things by (users, teams, companies, currencies, units).
"""

from __future__ import annotations

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
    OdooTable("res.company", "name partner_id currency_id ?parent_id active"),
    OdooTable("res.currency", "name symbol decimal_places rounding active"),
    OdooTable("res.partner", "name ?complete_name ref is_company type parent_id commercial_partner_id country_code "
                             "city zip email user_id company_id ?customer_rank ?supplier_rank active"),
    OdooTable("res.users", "login name partner_id company_id company_ids share active"),
    OdooTable("crm.team", "name user_id company_id active"),
    OdooTable("uom.uom", "name factor rounding uom_type active"),
    # --- products ---------------------------------------------------------------------------
    OdooTable("product.category", "name complete_name parent_id parent_path"),
    OdooTable("product.template", "name default_code type ?detailed_type ?is_storable categ_id list_price uom_id "
                                  "uom_po_id sale_ok purchase_ok ?invoice_policy ?tracking weight volume company_id active"),
    # Only the variant's own fields: those it reads through `_inherits` from its template (name,
    # category, type, unit) do not bump the variant's write_date when the template changes.
    OdooTable("product.product", "product_tmpl_id default_code ?barcode standard_price active"),
    # --- warehouses -------------------------------------------------------------------------
    OdooTable("stock.warehouse", "name code company_id partner_id view_location_id lot_stock_id reception_steps "
                                 "delivery_steps in_type_id out_type_id pick_type_id int_type_id sequence active"),
    OdooTable("stock.location", "name complete_name usage location_id parent_path warehouse_id company_id "
                                "?scrap_location ?return_location active"),
    OdooTable("stock.picking.type", "name code sequence_code warehouse_id default_location_src_id "
                                    "default_location_dest_id company_id sequence active"),
    OdooTable("stock.picking", "name origin state move_type priority scheduled_date date_deadline date date_done "
                               "location_id location_dest_id picking_type_id picking_type_code partner_id company_id "
                               "user_id backorder_id ?return_id ?sale_id ?purchase_id ?carrier_id ?carrier_tracking_ref "
                               "?carrier_price ?weight"),
    OdooTable("stock.move", "name reference origin state date date_deadline product_id product_uom_qty "
                            "quantity|quantity_done product_qty product_uom location_id location_dest_id picking_id "
                            "picking_type_id partner_id company_id warehouse_id price_unit origin_returned_move_id "
                            "scrapped is_inventory ?picked ?sale_line_id ?purchase_line_id"),
    OdooTable("stock.quant", "product_id location_id warehouse_id company_id ?lot_id quantity reserved_quantity in_date"),
    # --- sales ------------------------------------------------------------------------------
    OdooTable("sale.order", "name state date_order commitment_date validity_date origin client_order_ref partner_id "
                            "partner_shipping_id user_id team_id company_id currency_id currency_rate amount_untaxed "
                            "amount_tax amount_total invoice_status ?warehouse_id ?delivery_status ?effective_date "
                            "?picking_policy ?carrier_id ?locked"),
    OdooTable("sale.order.line", "order_id sequence display_type product_id name product_uom_qty product_uom price_unit "
                                 "discount price_subtotal price_tax price_total qty_delivered qty_invoiced customer_lead "
                                 "state order_partner_id salesman_id company_id currency_id is_downpayment ?is_delivery "
                                 "?purchase_price"),
    # --- purchases --------------------------------------------------------------------------
    OdooTable("purchase.order", "name partner_ref origin state date_order date_approve date_planned partner_id user_id "
                                "company_id currency_id currency_rate amount_untaxed amount_tax amount_total "
                                "invoice_status ?picking_type_id ?effective_date ?receipt_status"),
    OdooTable("purchase.order.line", "order_id display_type name product_id product_qty product_uom_qty product_uom "
                                     "price_unit discount price_subtotal price_total date_planned qty_received "
                                     "qty_invoiced partner_id company_id currency_id state"),
    # --- invoicing and delivery -------------------------------------------------------------
    OdooTable("account.move", "name ref date invoice_date invoice_date_due state move_type payment_state company_id "
                              "partner_id commercial_partner_id currency_id amount_untaxed amount_total "
                              "amount_untaxed_signed amount_total_signed invoice_origin invoice_user_id"),
    OdooTable("delivery.carrier", "name delivery_type product_id company_id sequence active"),
)

# Modules that may be absent (stock_delivery): the table is skipped with a notice
# instead of failing the run when the server does not know the model at all.
OPTIONAL_MODELS = frozenset({"delivery.carrier"})

ALWAYS = ("id", "create_date", "write_date")


def table_for(model: str) -> OdooTable:
    for spec in ODOO_TABLES:
        if spec.model == model:
            return spec
    known = ", ".join(t.model for t in ODOO_TABLES)
    raise KeyError(f"unknown Odoo model {model!r}; the raw layer extracts: {known}")
