select id as invoice_id, name as invoice_name, move_type, state, invoice_date, partner_id as customer_id,
    amount_untaxed_signed, company_id
from {{ source('raw_odoo', 'account_move') }}
where _deleted_at is null
