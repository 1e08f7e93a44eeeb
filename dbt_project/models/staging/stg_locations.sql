select id as location_id, complete_name as location_name, usage, warehouse_id, company_id
from {{ source('raw_odoo', 'stock_location') }}
where _deleted_at is null
