-- KPI 7: pickings waiting or ready whose scheduled date is before as_of, per warehouse and type.
with late as (
    select
        t.warehouse_id, t.picking_type_code, p.company_id,
        count(*) as late_pickings,
        cast(avg({{ days_between(local_date('p.scheduled_date'), as_of()) }}) as double precision) as avg_age_days,
        max({{ days_between(local_date('p.scheduled_date'), as_of()) }}) as max_age_days
    from {{ ref('stg_pickings') }} as p
    join {{ ref('stg_picking_types') }} as t on t.picking_type_id = p.picking_type_id
    where p.state in ('confirmed', 'waiting', 'assigned') and {{ local_date('p.scheduled_date') }} < {{ as_of() }}
    group by t.warehouse_id, t.picking_type_code, p.company_id
)
select
    l.warehouse_id, w.warehouse_name, l.picking_type_code, l.company_id, l.late_pickings, l.avg_age_days,
    l.max_age_days,
    {{ as_of() }} as as_of
from late as l
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = l.warehouse_id
