select
    id as picking_id, name as picking_name, state, picking_type_id, scheduled_date, date_deadline, date_done,
    location_id, location_dest_id, backorder_id, sale_id, carrier_id, carrier_tracking_ref, company_id
from {{ source('raw_odoo', 'stock_picking') }}
where _deleted_at is null
