-- sale_id (sale_stock), carrier_id and carrier_tracking_ref (stock_delivery) come from optional
-- modules: all NULL without them, and the carrier KPI is then simply empty.
select
    id as picking_id, name as picking_name, state, picking_type_id, scheduled_date, date_deadline, date_done,
    location_id, location_dest_id, backorder_id, sale_id, carrier_id, carrier_tracking_ref, company_id
from {{ source('raw_odoo', 'stock_picking') }}
where _deleted_at is null
