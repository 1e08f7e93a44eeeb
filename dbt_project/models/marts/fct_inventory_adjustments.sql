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
)
select
    move_id, product_id, warehouse_id, company_id, adjustment_date, signed_qty,
    signed_qty * unit_cost as value,
    abs(signed_qty * unit_cost) >= {{ var('discrepancy_threshold') }} as flagged,
    {{ as_of() }} as as_of
from adjustments
