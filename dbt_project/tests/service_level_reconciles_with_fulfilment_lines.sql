{{ config(meta={
    'description': "kpi_service_level_daily adds up to its line-level detail: due lines, OTIF lines and late open lines summed over days and warehouses equal the counts over the due lines of fct_order_line_fulfilment, so a report drilling from a rate to the lines finds the same figure.",
    'dagster': {'ref': {'name': 'kpi_service_level_daily'}},
}) }}

with daily as (
    select coalesce(sum(due_lines), 0) as due_lines, coalesce(sum(otif_lines), 0) as otif_lines,
        coalesce(sum(late_open_lines), 0) as late_open_lines
    from {{ ref('kpi_service_level_daily') }}
), lines as (
    select count(*) as due_lines, coalesce(sum(case when is_otif then 1 else 0 end), 0) as otif_lines,
        coalesce(sum(case when days_late is not null then 1 else 0 end), 0) as late_open_lines
    from {{ ref('fct_order_line_fulfilment') }}
    where is_due
)
select daily.*, lines.due_lines as line_due_lines, lines.otif_lines as line_otif_lines,
    lines.late_open_lines as line_late_open_lines
from daily cross join lines
where daily.due_lines <> lines.due_lines or daily.otif_lines <> lines.otif_lines
   or daily.late_open_lines <> lines.late_open_lines
