select id as warehouse_id, name as warehouse_name, code as warehouse_code, company_id, active
from {{ source('raw_odoo', 'stock_warehouse') }}
where _deleted_at is null
