-- The customer report's headline figures per customer, with their comparisons, long format like
-- rpt_kpi_comparisons: OTIF, unit fill rate and due lines (from rpt_customer_kpi_trend: ratios of
-- sums over the periods), and today's late lines and open backorders (snapshots without history:
-- value only, the same on every grain).
with trend as (
    select * from {{ ref('rpt_customer_kpi_trend') }}
), flows as (
    select
        kpi, grain, customer_id, company_id, aggregation, unit,
        max(case when periods_ago = 0 then period_start end) as period_start,
        max(case when periods_ago = 0 then period_end end) as period_end,
        max(case when periods_ago = 0 then value end) as value,
        max(case when periods_ago = 1 then value end) as previous,
        sum(case when periods_ago between 1 and 4 then cast(numerator as decimal(38, 6)) end) as trailing_numerator,
        sum(case when periods_ago between 1 and 4 then cast(denominator as decimal(38, 6)) end) as trailing_denominator
    from trend
    where periods_ago <= 4
    group by kpi, grain, customer_id, company_id, aggregation, unit
), month_to_date as (
    select kpi, customer_id, company_id, numerator, denominator
    from trend
    where grain = 'month' and periods_ago = 0
), late as (
    select customer_id, company_id, count(*) as late_open_lines, sum(open_value) as late_open_value
    from {{ ref('rpt_late_lines') }}
    group by customer_id, company_id
), backorders as (
    select customer_id, company_id, count(*) as backorders, sum(open_qty) as backorder_open_qty
    from {{ ref('rpt_open_backorders') }}
    where customer_id is not null
    group by customer_id, company_id
), customers as (
    -- the customers with something to report: a line due in the ISO week of as_of or in the last
    -- complete week (what a weekly report dated on a Monday covers), or a late open line
    select distinct customer_id, company_id
    from trend
    where kpi = 'due_lines' and grain in ('week', 'completed_week') and periods_ago = 0 and value > 0
    union
    select customer_id, company_id from late
), levels as (
    select c.customer_id, c.company_id, 'late_open_lines' as kpi, 'count' as unit,
        cast(coalesce(l.late_open_lines, 0) as double precision) as value
    from customers as c
    left join late as l on l.customer_id is not distinct from c.customer_id and l.company_id = c.company_id
    union all
    select c.customer_id, c.company_id, 'late_open_value' as kpi, 'amount' as unit,
        coalesce(l.late_open_value, 0) as value
    from customers as c
    left join late as l on l.customer_id is not distinct from c.customer_id and l.company_id = c.company_id
    union all
    select c.customer_id, c.company_id, 'backorders' as kpi, 'count' as unit,
        cast(coalesce(b.backorders, 0) as double precision) as value
    from customers as c
    left join backorders as b on b.customer_id is not distinct from c.customer_id and b.company_id = c.company_id
    union all
    select c.customer_id, c.company_id, 'backorder_open_qty' as kpi, 'quantity' as unit,
        coalesce(b.backorder_open_qty, 0) as value
    from customers as c
    left join backorders as b on b.customer_id is not distinct from c.customer_id and b.company_id = c.company_id
), compared as (
    select
        f.kpi, f.grain, f.customer_id, f.company_id, f.aggregation, f.unit, f.period_start, f.period_end,
        f.value, f.previous,
        case f.aggregation
            when 'sum' then cast(f.trailing_numerator as double precision) / 4
            else {{ ratio('f.trailing_numerator', 'f.trailing_denominator') }}
        end as trailing_avg,
        case f.aggregation
            when 'sum' then cast(m.numerator as double precision)
            else {{ ratio('m.numerator', 'm.denominator') }}
        end as month_to_date
    from flows as f
    join customers as cu on cu.customer_id = f.customer_id and cu.company_id = f.company_id
    left join month_to_date as m
        on m.kpi = f.kpi and m.customer_id is not distinct from f.customer_id and m.company_id = f.company_id
    union all
    select
        l.kpi, p.grain, l.customer_id, l.company_id, 'level' as aggregation, l.unit,
        {{ as_of() }} as period_start, {{ as_of() }} as period_end,
        {{ round_amount('l.value', 'cur.decimal_places') }} as value,
        null as previous, null as trailing_avg, null as month_to_date
    from levels as l
    cross join {{ ref('rpt_periods') }} as p
    left join {{ ref('int_companies') }} as cur on cur.company_id = l.company_id
    where p.periods_ago = 0
)
select
    c.kpi, c.grain, c.customer_id, pa.customer_name, c.company_id, c.aggregation, c.unit, c.period_start, c.period_end,
    c.value, c.previous, c.trailing_avg, c.month_to_date,
    c.value - c.previous as change_vs_previous,
    c.value - c.trailing_avg as change_vs_trailing_avg,
    {{ as_of() }} as as_of
from compared as c
left join {{ ref('dim_partners') }} as pa on pa.customer_id = c.customer_id
