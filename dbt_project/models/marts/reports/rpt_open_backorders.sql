-- KPI 6 picking by picking: open outgoing backorders (backorder_id set, not done or cancelled), with
-- the customer and salesperson of their sale order, how long past their scheduled date they are,
-- and what they still have to ship (units and value at the sale lines' net prices).
with backorders as (
    select p.picking_id, p.picking_name, p.state, p.sale_id, t.warehouse_id, p.company_id,
        {{ local_date('p.scheduled_date') }} as scheduled_date
    from {{ ref('stg_pickings') }} as p
    join {{ ref('stg_picking_types') }} as t on t.picking_type_id = p.picking_type_id
    where t.picking_type_code = 'outgoing' and p.backorder_id is not null and p.state not in ('done', 'cancel')
), moves as (
    select m.picking_id, count(*) as moves, sum(m.product_uom_qty) as open_qty,
        sum(m.product_uom_qty * l.unit_net_price) as open_value
    from {{ ref('stg_stock_moves') }} as m
    left join {{ ref('int_sale_lines') }} as l on l.sale_line_id = m.sale_line_id
    where m.state <> 'cancel'
    group by m.picking_id
), aged as (
    select b.*,
        case when b.scheduled_date < {{ as_of() }} then {{ days_between('b.scheduled_date', as_of()) }} end as days_late
    from backorders as b
)
select
    a.picking_id, a.picking_name, a.state, a.sale_id as order_id, o.order_name, o.customer_id, c.customer_name,
    o.salesperson_id, u.user_name as salesperson_name, a.warehouse_id, w.warehouse_name, a.company_id,
    a.scheduled_date, cast(a.days_late as bigint) as days_late,
    case when a.days_late is null then 'not due' when a.days_late <= 7 then '1-7' when a.days_late <= 14 then '8-14'
         when a.days_late <= 30 then '15-30' else '31+' end as age_bucket,
    cast(coalesce(m.moves, 0) as bigint) as moves,
    coalesce(m.open_qty, 0) as open_qty,
    {{ round_amount('m.open_value', 'cur.decimal_places') }} as open_value,
    {{ as_of() }} as as_of
from aged as a
left join moves as m on m.picking_id = a.picking_id
left join {{ ref('stg_sale_orders') }} as o on o.order_id = a.sale_id
left join {{ ref('dim_partners') }} as c on c.customer_id = o.customer_id
left join {{ ref('stg_users') }} as u on u.user_id = o.salesperson_id
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = a.warehouse_id
left join {{ ref('int_companies') }} as cur on cur.company_id = a.company_id
