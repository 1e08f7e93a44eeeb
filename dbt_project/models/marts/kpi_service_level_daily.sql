-- KPIs 3 and 4 per promised date and warehouse, with the late open lines (KPI 5) promised that day.
select
    promised_date, warehouse_id, company_id,
    count(*) as due_lines,
    sum(case when is_otif then 1 else 0 end) as otif_lines,
    {{ ratio('sum(case when is_otif then 1 else 0 end)', 'count(*)') }} as otif_rate,
    {{ ratio('sum(least(greatest(delivered_qty_by_promise, 0), ordered_qty))', 'sum(ordered_qty)') }} as unit_fill_rate,
    sum(least(greatest(delivered_qty_by_promise, 0), ordered_qty)) as filled_qty,
    sum(ordered_qty) as due_qty,
    sum(case when days_late is not null then 1 else 0 end) as late_open_lines,
    {{ as_of() }} as as_of
from {{ ref('fct_order_line_fulfilment') }}
where is_due
group by promised_date, warehouse_id, company_id
