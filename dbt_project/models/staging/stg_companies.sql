select id as company_id, name as company_name, currency_id
from {{ source('raw_odoo', 'res_company') }}
where _deleted_at is null
