-- The reporting periods every comparison and trend of the report models is computed over: for each
-- grain, period 0 is the one ending at as_of, 1 the one before, and so on (30 periods; 13 months).
-- day: one day. week: the ISO week (Monday-Sunday) containing as_of, cut at as_of. completed_week:
-- the last ISO week that ended on or before as_of (on a Sunday the week of as_of, else the one
-- before: what a weekly report dated on a Monday covers). last_7_days: the 7 days ending at as_of,
-- then the 7 before them... month: the calendar month containing as_of, cut at as_of.
with offsets as (
    select cast(k as integer) as periods_ago
    from generate_series(0, 29) as t (k)
), anchors as (
    select
        {{ as_of() }} as as_of,
        cast(date_trunc('week', {{ as_of() }}) as date) as week_start,
        -- the Monday of the last week that is over by as_of: as_of + 1 is in the next week exactly on a Sunday
        cast(date_trunc('week', {{ as_of() }} + 1) as date) - 7 as completed_week_start,
        cast(date_trunc('month', {{ as_of() }}) as date) as month_start
), periods as (
    select 'day' as grain, o.periods_ago, a.as_of - o.periods_ago as period_start,
        a.as_of - o.periods_ago as period_end, a.as_of - o.periods_ago as natural_end
    from offsets as o cross join anchors as a
    union all
    select 'week' as grain, o.periods_ago, a.week_start - 7 * o.periods_ago as period_start,
        least(a.week_start - 7 * o.periods_ago + 6, a.as_of) as period_end,
        a.week_start - 7 * o.periods_ago + 6 as natural_end
    from offsets as o cross join anchors as a
    union all
    select 'completed_week' as grain, o.periods_ago, a.completed_week_start - 7 * o.periods_ago as period_start,
        a.completed_week_start - 7 * o.periods_ago + 6 as period_end,
        a.completed_week_start - 7 * o.periods_ago + 6 as natural_end
    from offsets as o cross join anchors as a
    union all
    select 'last_7_days' as grain, o.periods_ago, a.as_of - 7 * o.periods_ago - 6 as period_start,
        a.as_of - 7 * o.periods_ago as period_end, a.as_of - 7 * o.periods_ago as natural_end
    from offsets as o cross join anchors as a
    union all
    select 'month' as grain, o.periods_ago,
        cast({{ dbt.dateadd('month', '-o.periods_ago', 'a.month_start') }} as date) as period_start,
        least(
            cast({{ dbt.dateadd('month', '1 - o.periods_ago', 'a.month_start') }} as date) - 1, a.as_of
        ) as period_end,
        cast({{ dbt.dateadd('month', '1 - o.periods_ago', 'a.month_start') }} as date) - 1 as natural_end
    from offsets as o cross join anchors as a
    where o.periods_ago <= 12
)
select
    grain, cast(periods_ago as bigint) as periods_ago, period_start, period_end,
    cast(period_end - period_start + 1 as bigint) as period_days,
    period_end = natural_end as is_complete,
    {{ as_of() }} as as_of
from periods
