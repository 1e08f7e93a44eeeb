select id as partner_id, name as partner_name, is_company, commercial_partner_id, supplier_rank, customer_rank, active
from {{ source('raw_odoo', 'res_partner') }}
where _deleted_at is null
