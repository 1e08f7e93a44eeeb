-- KPI 7 picking by picking: pickings waiting or ready (confirmed, waiting, assigned) whose scheduled
-- date is before as_of, with their age in days, what they still have to move and, for deliveries,
-- the sale order and customer they serve (sale_stock).
with late as (
    select p.picking_id, p.picking_name, p.state, t.picking_type_code, t.warehouse_id, p.company_id, p.sale_id,
        {{ local_date('p.scheduled_date') }} as scheduled_date,
        {{ days_between(local_date('p.scheduled_date'), as_of()) }} as age_days
    from {{ ref('stg_pickings') }} as p
    join {{ ref('stg_picking_types') }} as t on t.picking_type_id = p.picking_type_id
    where p.state in ('confirmed', 'waiting', 'assigned') and {{ local_date('p.scheduled_date') }} < {{ as_of() }}
), moves as (
    select picking_id, count(*) as moves, sum(product_uom_qty) as open_qty
    from {{ ref('stg_stock_moves') }}
    where state not in ('done', 'cancel')
    group by picking_id
)
select
    l.picking_id, l.picking_name, l.state, l.picking_type_code, l.warehouse_id, w.warehouse_name, l.company_id,
    l.scheduled_date, cast(l.age_days as bigint) as age_days,
    case when l.age_days <= 7 then '1-7' when l.age_days <= 14 then '8-14' when l.age_days <= 30 then '15-30'
         else '31+' end as age_bucket,
    l.sale_id as order_id, o.order_name, o.customer_id, c.customer_name,
    cast(coalesce(m.moves, 0) as bigint) as open_moves, coalesce(m.open_qty, 0) as open_qty,
    {{ as_of() }} as as_of
from late as l
left join moves as m on m.picking_id = l.picking_id
left join {{ ref('stg_sale_orders') }} as o on o.order_id = l.sale_id
left join {{ ref('dim_partners') }} as c on c.customer_id = o.customer_id
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = l.warehouse_id
