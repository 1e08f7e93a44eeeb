-- One row per delivery carrier (delivery.carrier); empty on a database without stock_delivery.
select
    carrier_id, carrier_name, delivery_type, product_id, company_id, active,
    {{ as_of() }} as as_of
from {{ ref('stg_carriers') }}
