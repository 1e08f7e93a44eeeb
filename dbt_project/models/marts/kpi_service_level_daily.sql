-- KPIs 3 and 4 per promised date and warehouse, with the late open lines (KPI 5) promised that day.
with daily as (
    select
        promised_date, warehouse_id, company_id,
        count(*) as due_lines,
        count(case when is_otif then 1 end) as otif_lines,
        -- a net return (negative delivered quantity) counts as nothing delivered, never as minus
        sum(least(greatest(delivered_qty_by_promise, 0), ordered_qty)) as filled_qty,
        sum(ordered_qty) as due_qty,
        count(days_late) as late_open_lines
    from {{ ref('fct_order_line_fulfilment') }}
    where is_due
    group by promised_date, warehouse_id, company_id
)
select
    d.promised_date, d.warehouse_id, w.warehouse_name, d.company_id,
    d.due_lines, d.otif_lines,
    {{ ratio('d.otif_lines', 'd.due_lines') }} as otif_rate,
    {{ ratio('d.filled_qty', 'd.due_qty') }} as unit_fill_rate,
    d.filled_qty, d.due_qty, d.late_open_lines,
    {{ as_of() }} as as_of
from daily as d
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = d.warehouse_id
