-- picking_type_id comes from purchase_stock: all NULL without it (the PO lines then have no warehouse).
select id as purchase_order_id, name as purchase_order_name, state, date_order, partner_id as supplier_id,
    picking_type_id, company_id, currency_id, currency_rate
from {{ source('raw_odoo', 'purchase_order') }}
where _deleted_at is null
