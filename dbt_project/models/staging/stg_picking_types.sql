select id as picking_type_id, name as picking_type_name, code as picking_type_code, warehouse_id
from {{ source('raw_odoo', 'stock_picking_type') }}
where _deleted_at is null
