-- Suppliers: partners with at least one line (not a section or note) on a confirmed purchase order.
-- Not supplier_rank: real Odoo raises it only when a vendor bill is posted, so a vendor whose bills
-- are not yet posted (or a site without accounting) would have no supplier at all.
with lines as (
    select o.supplier_id, o.purchase_order_id, o.date_order
    from {{ ref('stg_purchase_order_lines') }} as l
    join {{ ref('stg_purchase_orders') }} as o on o.purchase_order_id = l.order_id
    where o.state in ('purchase', 'done') and l.display_type is null
), suppliers as (
    select supplier_id, count(distinct purchase_order_id) as confirmed_orders, count(*) as confirmed_lines,
        min(date_order) as first_order_at, max(date_order) as last_order_at
    from lines
    group by supplier_id
)
select
    s.supplier_id, p.partner_name as supplier_name, p.ref, p.is_company,
    p.commercial_partner_id, cp.partner_name as commercial_partner_name, p.country_code, p.city, p.active,
    s.confirmed_orders, s.confirmed_lines,
    {{ local_date('s.first_order_at') }} as first_order_date,
    {{ local_date('s.last_order_at') }} as last_order_date,
    {{ as_of() }} as as_of
from suppliers as s
left join {{ ref('stg_partners') }} as p on p.partner_id = s.supplier_id
left join {{ ref('stg_partners') }} as cp on cp.partner_id = p.commercial_partner_id
