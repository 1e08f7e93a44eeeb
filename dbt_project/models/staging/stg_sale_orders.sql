-- warehouse_id comes from sale_stock: all NULL without it (the sales KPIs then have no warehouse).
select
    id as order_id, name as order_name, state, date_order,
    commitment_date, partner_id as customer_id, user_id as salesperson_id, team_id, company_id,
    currency_id, currency_rate, warehouse_id, amount_untaxed
from {{ source('raw_odoo', 'sale_order') }}
where _deleted_at is null
