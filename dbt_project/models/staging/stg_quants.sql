select id as quant_id, product_id, location_id, quantity, in_date, company_id
from {{ source('raw_odoo', 'stock_quant') }}
where _deleted_at is null
