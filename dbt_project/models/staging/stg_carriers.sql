-- Empty on a database without the stock_delivery module (ingestion lands an empty table).
select id as carrier_id, name as carrier_name, delivery_type, product_id, company_id, active
from {{ source('raw_odoo', 'delivery_carrier') }}
where _deleted_at is null
