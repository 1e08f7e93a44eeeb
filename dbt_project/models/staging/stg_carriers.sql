select id as carrier_id, name as carrier_name, delivery_type
from {{ source('raw_odoo', 'delivery_carrier') }}
where _deleted_at is null
