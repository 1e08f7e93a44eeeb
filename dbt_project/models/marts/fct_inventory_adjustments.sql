-- KPI 13: done inventory adjustments, signed (+ into an internal location, - out of one) and valued.
with adjustments as (
    select
        m.move_id, m.product_id, m.company_id, {{ local_date('m.move_date') }} as adjustment_date,
        case when dest.usage = 'internal' then dest.warehouse_id else src.warehouse_id end as warehouse_id,
        case when dest.usage = 'internal' then m.quantity else -m.quantity end as signed_qty,
        coalesce(p.standard_price, 0) as unit_cost
    from {{ ref('stg_stock_moves') }} as m
    join {{ ref('stg_locations') }} as src on src.location_id = m.location_id
    join {{ ref('stg_locations') }} as dest on dest.location_id = m.location_dest_id
    left join {{ ref('int_products') }} as p on p.product_id = m.product_id
    where m.state = 'done' and m.is_inventory
), valued as (
    select a.*, {{ round_amount('a.signed_qty * a.unit_cost', 'cur.decimal_places') }} as value
    from adjustments as a
    left join {{ ref('int_companies') }} as cur on cur.company_id = a.company_id
)
-- flagged on the value as shown (rounded), so that a reader sees why a row is flagged
select
    v.move_id, v.product_id, p.default_code, p.product_name, v.warehouse_id, w.warehouse_name, v.company_id,
    v.adjustment_date, v.signed_qty, v.value,
    abs(v.value) >= {{ var('discrepancy_threshold') }} as flagged,
    {{ as_of() }} as as_of
from valued as v
left join {{ ref('dim_products') }} as p on p.product_id = v.product_id
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = v.warehouse_id
