-- KPIs 9, 11 and 12 per product and warehouse.
with on_hand as (
    select product_id, warehouse_id, company_id, sum(quantity) as on_hand_qty, sum(value) as on_hand_value
    from {{ ref('int_on_hand') }}
    group by 1, 2, 3
), moves as (
    select m.product_id, t.warehouse_id, m.company_id, m.state, m.product_uom_qty, m.quantity,
        {{ local_date('m.move_date') }} as move_date, t.picking_type_code, dest.usage as dest_usage
    from {{ ref('stg_stock_moves') }} as m
    join {{ ref('stg_picking_types') }} as t on t.picking_type_id = m.picking_type_id
    join {{ ref('stg_locations') }} as dest on dest.location_id = m.location_dest_id
), demand as (
    select product_id, warehouse_id, company_id,
        sum(case when picking_type_code = 'outgoing' and state not in ('done', 'cancel')
                 then product_uom_qty - quantity else 0 end) as open_demand_qty,
        sum(case when state = 'done' and dest_usage = 'customer' and move_date <= {{ as_of() }}
                  and move_date > {{ dbt.dateadd('day', -30, as_of()) }} then quantity else 0 end) as delivered_30d
    from moves
    group by 1, 2, 3
), keys as (
    select product_id, warehouse_id, company_id from on_hand
    union
    select product_id, warehouse_id, company_id from demand
), position as (
    select
        k.product_id, k.warehouse_id, k.company_id,
        coalesce(o.on_hand_qty, 0) as on_hand_qty, coalesce(o.on_hand_value, 0) as on_hand_value,
        coalesce(d.open_demand_qty, 0) as open_demand_qty, coalesce(d.delivered_30d, 0) as delivered_30d
    from keys as k
    left join on_hand as o
        on o.product_id = k.product_id and o.warehouse_id = k.warehouse_id and o.company_id = k.company_id
    left join demand as d
        on d.product_id = k.product_id and d.warehouse_id = k.warehouse_id and d.company_id = k.company_id
)
select
    s.product_id, p.default_code, p.product_name, s.warehouse_id, w.warehouse_name, s.company_id,
    s.on_hand_qty,
    {{ round_amount('s.on_hand_value', 'cur.decimal_places') }} as on_hand_value,
    s.open_demand_qty,
    greatest(s.open_demand_qty - s.on_hand_qty, 0) as shortage_qty,
    s.on_hand_qty <= 0 and s.open_demand_qty > 0 as is_stockout,
    s.delivered_30d as delivered_qty_30d,
    -- null, not infinite, when nothing was delivered in the 30 days
    case when s.delivered_30d > 0 then s.on_hand_qty / (s.delivered_30d / 30.0) end as days_of_supply,
    {{ as_of() }} as as_of
from position as s
left join {{ ref('dim_products') }} as p on p.product_id = s.product_id
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = s.warehouse_id
left join {{ ref('int_companies') }} as cur on cur.company_id = s.company_id
