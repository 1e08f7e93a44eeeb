-- KPI 19: margin rate of the 7 days up to as_of against the 28 days before them, per category.
{%- set last_7d = "order_date > " ~ dbt.dateadd('day', -7, as_of()) ~ " and order_date <= " ~ as_of() %}
{%- set prior_28d = "order_date > " ~ dbt.dateadd('day', -35, as_of())
    ~ " and order_date <= " ~ dbt.dateadd('day', -7, as_of()) %}
with windows as (
    select
        category_id, company_id,
        sum(case when {{ last_7d }} then net_amount end) as revenue_7,
        sum(case when {{ last_7d }} then cost_amount end) as cost_7,
        sum(case when {{ prior_28d }} then net_amount end) as revenue_28,
        sum(case when {{ prior_28d }} then cost_amount end) as cost_28
    from {{ ref('int_sale_lines') }}
    group by category_id, company_id
), rates as (
    select
        category_id, company_id, revenue_7, revenue_28,
        {{ ratio('revenue_7 - cost_7', 'revenue_7') }} as margin_rate_last_7d,
        {{ ratio('revenue_28 - cost_28', 'revenue_28') }} as margin_rate_prior_28d
    from windows
    where revenue_7 is not null or revenue_28 is not null   -- categories sold in either window
)
-- the drop is prior minus last: positive when the margin fell, null when a window has no sales
select
    r.category_id, cat.category_full_name as category_name, r.company_id,
    {{ round_amount('r.revenue_7', 'cur.decimal_places') }} as net_sales_last_7d,
    {{ round_amount('r.revenue_28', 'cur.decimal_places') }} as net_sales_prior_28d,
    r.margin_rate_last_7d, r.margin_rate_prior_28d,
    r.margin_rate_prior_28d - r.margin_rate_last_7d as margin_rate_drop,
    coalesce(r.margin_rate_prior_28d - r.margin_rate_last_7d >= {{ var('margin_erosion_drop') }}, false) as flagged,
    {{ as_of() }} as as_of
from rates as r
left join {{ ref('stg_product_categories') }} as cat on cat.category_id = r.category_id
left join {{ ref('int_companies') }} as cur on cur.company_id = r.company_id
