-- KPI 8: done outgoing pickings shipped after their deadline (or scheduled date), per ship date.
with shipped as (
    select t.warehouse_id, p.company_id, {{ local_date('p.date_done') }} as ship_date,
        {{ local_date('p.date_done') }} > {{ local_date('coalesce(p.date_deadline, p.scheduled_date)') }} as is_late
    from {{ ref('stg_pickings') }} as p
    join {{ ref('stg_picking_types') }} as t on t.picking_type_id = p.picking_type_id
    where p.state = 'done' and t.picking_type_code = 'outgoing'
), daily as (
    select
        ship_date, warehouse_id, company_id,
        count(*) as shipped_pickings,
        count(case when is_late then 1 end) as shipped_late
    from shipped
    group by ship_date, warehouse_id, company_id
)
select
    d.ship_date, d.warehouse_id, w.warehouse_name, d.company_id, d.shipped_pickings, d.shipped_late,
    {{ ratio('d.shipped_late', 'd.shipped_pickings') }} as shipped_late_rate,
    {{ as_of() }} as as_of
from daily as d
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = d.warehouse_id
