select tracking_ref, carrier_code, shipped_at, delivered_at, status, service_level_days, updated_at
from {{ source('raw_carrier', 'shipments') }}
where _deleted_at is null
