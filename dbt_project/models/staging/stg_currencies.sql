select id as currency_id, name as currency_name, symbol as currency_symbol, decimal_places
from {{ source('raw_odoo', 'res_currency') }}
where _deleted_at is null
