-- KPI 17: done pickings per done date, warehouse and type: pickings, their done moves, units.
with pickings as (
    select p.picking_id, {{ local_date('p.date_done') }} as done_date, t.warehouse_id, t.picking_type_code, p.company_id
    from {{ ref('stg_pickings') }} as p
    join {{ ref('stg_picking_types') }} as t on t.picking_type_id = p.picking_type_id
    where p.state = 'done'
), moves as (
    select picking_id, count(*) as moves, sum(quantity) as units
    from {{ ref('stg_stock_moves') }}
    where state = 'done' and picking_id is not null
    group by picking_id
), daily as (
    select
        p.done_date, p.warehouse_id, p.picking_type_code, p.company_id,
        count(*) as pickings, cast(coalesce(sum(m.moves), 0) as bigint) as moves, coalesce(sum(m.units), 0) as units
    from pickings as p
    left join moves as m on m.picking_id = p.picking_id
    group by p.done_date, p.warehouse_id, p.picking_type_code, p.company_id
)
select
    d.done_date, d.warehouse_id, w.warehouse_name, d.picking_type_code, d.company_id, d.pickings, d.moves, d.units,
    {{ as_of() }} as as_of
from daily as d
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = d.warehouse_id
