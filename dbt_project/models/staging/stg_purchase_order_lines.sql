select id as purchase_line_id, order_id, display_type, product_id, product_qty, product_uom_qty, price_unit,
    coalesce(discount, 0) as discount, date_planned, qty_received, company_id
from {{ source('raw_odoo', 'purchase_order_line') }}
where _deleted_at is null
