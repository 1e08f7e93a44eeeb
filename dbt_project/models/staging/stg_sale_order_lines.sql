-- is_delivery (stock_delivery) and purchase_price (sale_margin) come from optional modules: all
-- NULL without them, and then no line is a delivery fee and cost falls back to the product's cost.
select
    id as sale_line_id, order_id, sequence, display_type, product_id, product_uom_qty, price_unit,
    coalesce(discount, 0) as discount, price_subtotal, qty_delivered, customer_lead,
    coalesce(is_delivery, false) as is_delivery, purchase_price, company_id
from {{ source('raw_odoo', 'sale_order_line') }}
where _deleted_at is null
