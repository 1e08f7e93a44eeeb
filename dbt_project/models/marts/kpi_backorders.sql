-- KPI 6: open outgoing backorders per warehouse as of today's snapshot.
with open_backorders as (
    select
        t.warehouse_id, p.company_id,
        count(distinct p.picking_id) as backorders,
        coalesce(sum(m.product_uom_qty), 0) as open_qty
    from {{ ref('stg_pickings') }} as p
    join {{ ref('stg_picking_types') }} as t on t.picking_type_id = p.picking_type_id
    left join {{ ref('stg_stock_moves') }} as m on m.picking_id = p.picking_id and m.state <> 'cancel'
    where t.picking_type_code = 'outgoing' and p.backorder_id is not null and p.state not in ('done', 'cancel')
    group by t.warehouse_id, p.company_id
)
select
    b.warehouse_id, w.warehouse_name, b.company_id, b.backorders, b.open_qty,
    {{ as_of() }} as as_of
from open_backorders as b
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = b.warehouse_id
