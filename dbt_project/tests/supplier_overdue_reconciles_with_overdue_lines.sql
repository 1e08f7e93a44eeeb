{{ config(meta={
    'description': "Each supplier's overdue_lines and overdue_open_value in kpi_supplier_performance equal the count and the sum of open_value of its rows in fct_overdue_po_lines (to the cent), so the supplier scorecard and the chase list agree.",
    'dagster': {'ref': {'name': 'kpi_supplier_performance'}},
}) }}

with lines as (
    select supplier_id, count(*) as overdue_lines, sum(open_value) as overdue_open_value
    from {{ ref('fct_overdue_po_lines') }}
    group by supplier_id
)
select s.supplier_id, s.overdue_lines, s.overdue_open_value,
    l.overdue_lines as line_count, l.overdue_open_value as line_value
from {{ ref('kpi_supplier_performance') }} as s
full outer join lines as l on l.supplier_id = s.supplier_id
where s.supplier_id is null
   or s.overdue_lines <> coalesce(l.overdue_lines, 0)
   or abs(s.overdue_open_value - coalesce(l.overdue_open_value, 0)) >= 0.005
