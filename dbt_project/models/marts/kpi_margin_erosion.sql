-- KPI 19: margin % of the 7 days up to as_of against the 28 days before them, per category.
with windows as (
    select
        category_id, company_id,
        sum(case when order_date > {{ dbt.dateadd('day', -7, as_of()) }} and order_date <= {{ as_of() }} then net_amount end) as revenue_7,
        sum(case when order_date > {{ dbt.dateadd('day', -7, as_of()) }} and order_date <= {{ as_of() }} then cost_amount end) as cost_7,
        sum(case when order_date > {{ dbt.dateadd('day', -35, as_of()) }} and order_date <= {{ dbt.dateadd('day', -7, as_of()) }} then net_amount end) as revenue_28,
        sum(case when order_date > {{ dbt.dateadd('day', -35, as_of()) }} and order_date <= {{ dbt.dateadd('day', -7, as_of()) }} then cost_amount end) as cost_28
    from {{ ref('int_sale_lines') }}
    group by category_id, company_id
), pct as (
    select
        category_id, company_id,
        100 * {{ ratio('revenue_7 - cost_7', 'revenue_7') }} as margin_pct_last_7d,
        100 * {{ ratio('revenue_28 - cost_28', 'revenue_28') }} as margin_pct_prior_28d
    from windows
    where revenue_7 is not null or revenue_28 is not null
)
select
    category_id, company_id, margin_pct_last_7d, margin_pct_prior_28d,
    margin_pct_prior_28d - margin_pct_last_7d as drop_pts,
    coalesce(margin_pct_prior_28d - margin_pct_last_7d >= {{ var('margin_erosion_pts') }}, false) as flagged,
    {{ as_of() }} as as_of
from pct
