-- OTIF and unit fill rate (KPIs 3, 4) per warehouse for the period ending at as_of, the one before and
-- the 4 before it (rpt_periods), as ratios of the summed lines and units of kpi_service_level_daily,
-- with the warehouse's late backlog today (KPI 5).
with by_period as (
    select s.warehouse_id, s.company_id, p.grain, p.periods_ago,
        sum(s.due_lines) as due_lines, sum(s.otif_lines) as otif_lines,
        sum(cast(s.filled_qty as decimal(38, 6))) as filled_qty, sum(cast(s.due_qty as decimal(38, 6))) as due_qty
    from {{ ref('kpi_service_level_daily') }} as s
    join {{ ref('rpt_periods') }} as p on s.promised_date between p.period_start and p.period_end
    where p.periods_ago <= 4
    group by s.warehouse_id, s.company_id, p.grain, p.periods_ago
), keys as (
    -- every active warehouse on every grain, whether or not lines were due there
    select w.warehouse_id, w.company_id, p.grain
    from {{ ref('dim_warehouses') }} as w
    cross join {{ ref('rpt_periods') }} as p
    where w.active and p.periods_ago = 0
    union
    select warehouse_id, company_id, grain from by_period
), compared as (
    select k.warehouse_id, k.company_id, k.grain,
        sum(case when b.periods_ago = 0 then b.due_lines end) as due_lines,
        sum(case when b.periods_ago = 0 then b.otif_lines end) as otif_lines,
        sum(case when b.periods_ago = 0 then b.filled_qty end) as filled_qty,
        sum(case when b.periods_ago = 0 then b.due_qty end) as due_qty,
        sum(case when b.periods_ago = 1 then b.otif_lines end) as otif_lines_1,
        sum(case when b.periods_ago = 1 then b.due_lines end) as due_lines_1,
        sum(case when b.periods_ago = 1 then b.filled_qty end) as filled_qty_1,
        sum(case when b.periods_ago = 1 then b.due_qty end) as due_qty_1,
        sum(case when b.periods_ago between 1 and 4 then b.otif_lines end) as otif_lines_1_4,
        sum(case when b.periods_ago between 1 and 4 then b.due_lines end) as due_lines_1_4,
        sum(case when b.periods_ago between 1 and 4 then b.filled_qty end) as filled_qty_1_4,
        sum(case when b.periods_ago between 1 and 4 then b.due_qty end) as due_qty_1_4
    from keys as k
    left join by_period as b
        on b.warehouse_id is not distinct from k.warehouse_id and b.company_id = k.company_id and b.grain = k.grain
    group by k.warehouse_id, k.company_id, k.grain
), backlog as (
    select warehouse_id, company_id, count(*) as late_open_lines, sum(open_value) as late_open_value
    from {{ ref('fct_order_line_fulfilment') }}
    where days_late is not null
    group by warehouse_id, company_id
)
select
    c.grain, c.warehouse_id, w.warehouse_name, c.company_id, p.period_start, p.period_end,
    cast(coalesce(c.due_lines, 0) as bigint) as due_lines,
    cast(coalesce(c.otif_lines, 0) as bigint) as otif_lines,
    {{ ratio('c.otif_lines', 'c.due_lines') }} as otif_rate,
    {{ ratio('c.filled_qty', 'c.due_qty') }} as unit_fill_rate,
    cast(coalesce(c.filled_qty, 0) as double precision) as filled_qty,
    cast(coalesce(c.due_qty, 0) as double precision) as due_qty,
    {{ ratio('c.otif_lines_1', 'c.due_lines_1') }} as previous_otif_rate,
    {{ ratio('c.otif_lines_1_4', 'c.due_lines_1_4') }} as trailing_avg_otif_rate,
    {{ ratio('c.filled_qty_1', 'c.due_qty_1') }} as previous_unit_fill_rate,
    {{ ratio('c.filled_qty_1_4', 'c.due_qty_1_4') }} as trailing_avg_unit_fill_rate,
    cast(coalesce(b.late_open_lines, 0) as bigint) as late_open_lines,
    {{ round_amount('coalesce(b.late_open_value, 0)', 'cur.decimal_places') }} as late_open_value,
    {{ as_of() }} as as_of
from compared as c
join {{ ref('rpt_periods') }} as p on p.grain = c.grain and p.periods_ago = 0
left join backlog as b on b.warehouse_id is not distinct from c.warehouse_id and b.company_id = c.company_id
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = c.warehouse_id
left join {{ ref('int_companies') }} as cur on cur.company_id = c.company_id
