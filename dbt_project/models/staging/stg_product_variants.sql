select id as product_id, product_tmpl_id, default_code, coalesce(standard_price, 0) as standard_price, active
from {{ source('raw_odoo', 'product_product') }}
where _deleted_at is null
