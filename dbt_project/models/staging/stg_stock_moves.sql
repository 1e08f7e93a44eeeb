-- sale_line_id (sale_stock) and purchase_line_id (purchase_stock) come from optional modules: all
-- NULL without them, and no move then counts as a delivery of a sale line or a receipt of a PO line.
select
    id as move_id, state, date as move_date, product_id, product_uom_qty, quantity, location_id,
    location_dest_id, picking_id, picking_type_id, coalesce(is_inventory, false) as is_inventory,
    sale_line_id, purchase_line_id, company_id
from {{ source('raw_odoo', 'stock_move') }}
where _deleted_at is null
