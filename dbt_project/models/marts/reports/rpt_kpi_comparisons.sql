-- Every headline KPI of the reports with its comparisons, one row per KPI, grain and company: the
-- period ending at as_of (value), the one before (previous), the 4 before it (trailing_avg) and the
-- month to date, all from rpt_kpi_trend's summable parts: a ratio of sums for rates, the mean
-- period total for sums, the mean daily snapshot for levels. What a report's tiles show.
with trend as (
    select * from {{ ref('rpt_kpi_trend') }}
), current_and_before as (
    select
        kpi, grain, company_id, aggregation, unit,
        max(case when periods_ago = 0 then period_start end) as period_start,
        max(case when periods_ago = 0 then period_end end) as period_end,
        max(case when periods_ago = 0 then value end) as value,
        max(case when periods_ago = 1 then value end) as previous,
        sum(case when periods_ago between 1 and 4 then cast(numerator as decimal(38, 6)) end) as trailing_numerator,
        sum(case when periods_ago between 1 and 4 then cast(denominator as decimal(38, 6)) end) as trailing_denominator,
        -- the periods with a figure among the 4 (fewer only before the KPI's first data)
        count(case when periods_ago between 1 and 4 then numerator end) as trailing_periods
    from trend
    where grain <> 'month' or periods_ago <= 4
    group by kpi, grain, company_id, aggregation, unit
), month_to_date as (
    select kpi, company_id, numerator, denominator
    from trend
    where grain = 'month' and periods_ago = 0
), compared as (
    select
        c.kpi, c.grain, c.company_id, c.aggregation, c.unit, c.period_start, c.period_end,
        c.value, c.previous,
        case c.aggregation
            when 'sum' then cast(c.trailing_numerator as double precision) / nullif(c.trailing_periods, 0)
            else {{ ratio('c.trailing_numerator', 'c.trailing_denominator') }}
        end as raw_trailing_avg,
        case c.aggregation
            when 'sum' then cast(m.numerator as double precision)
            else {{ ratio('m.numerator', 'm.denominator') }}
        end as raw_month_to_date,
        cur.decimal_places
    from current_and_before as c
    left join month_to_date as m on m.kpi = c.kpi and m.company_id = c.company_id
    left join {{ ref('int_companies') }} as cur on cur.company_id = c.company_id
), rounded as (
    select
        kpi, grain, company_id, aggregation, unit, period_start, period_end, value, previous,
        case when unit = 'amount'
            then {{ round_amount('raw_trailing_avg', 'decimal_places') }}
            else raw_trailing_avg
        end as trailing_avg,
        case when unit = 'amount'
            then {{ round_amount('raw_month_to_date', 'decimal_places') }}
            else raw_month_to_date
        end as month_to_date,
        case when unit = 'amount'
            then {{ round_amount('value - previous', 'decimal_places') }}
            else value - previous
        end as change_vs_previous,
        case when unit = 'amount'
            then {{ round_amount('value - raw_trailing_avg', 'decimal_places') }}
            else value - raw_trailing_avg
        end as change_vs_trailing_avg,
        raw_trailing_avg
    from compared
)
-- differences in the KPI's unit (points of a fraction for rates); relative changes for the others
select
    kpi, grain, company_id, aggregation, unit, period_start, period_end,
    value, previous, trailing_avg, month_to_date, change_vs_previous, change_vs_trailing_avg,
    case when unit <> 'rate' and previous <> 0 then (value - previous) / abs(previous) end
        as relative_change_vs_previous,
    case when unit <> 'rate' and raw_trailing_avg <> 0 then (value - raw_trailing_avg) / abs(raw_trailing_avg) end
        as relative_change_vs_trailing_avg,
    {{ as_of() }} as as_of
from rounded
