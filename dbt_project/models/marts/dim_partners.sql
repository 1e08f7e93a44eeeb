-- Customers: partners with at least one confirmed sale order (state sale/done), the ordering
-- partner of the order. Not customer_rank: Odoo raises it on its own events (a posted invoice), and
-- it is absent without the account module.
with orders as (
    select
        customer_id, count(*) as confirmed_orders, min(date_order) as first_order_at,
        max(date_order) as last_order_at
    from {{ ref('stg_sale_orders') }}
    where state in ('sale', 'done')
    group by customer_id
)
select
    o.customer_id, p.partner_name as customer_name, p.ref, p.is_company,
    p.commercial_partner_id, cp.partner_name as commercial_partner_name,
    p.country_code, p.city, p.salesperson_id, u.user_name as salesperson_name, p.active,
    o.confirmed_orders,
    {{ local_date('o.first_order_at') }} as first_order_date,
    {{ local_date('o.last_order_at') }} as last_order_date,
    {{ as_of() }} as as_of
from orders as o
left join {{ ref('stg_partners') }} as p on p.partner_id = o.customer_id
left join {{ ref('stg_partners') }} as cp on cp.partner_id = p.commercial_partner_id
left join {{ ref('stg_users') }} as u on u.user_id = p.salesperson_id
