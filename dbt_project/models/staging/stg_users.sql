select id as user_id, name as user_name, partner_id, active
from {{ source('raw_odoo', 'res_users') }}
where _deleted_at is null
