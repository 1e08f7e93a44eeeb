-- Net sales, orders, lines and margin (KPIs 1, 2, 18) per warehouse, category and salesperson, for the
-- period ending at as_of, the one before, the 4 before it and the month to date (rpt_periods), and
-- how far the period is from its trailing average: the sales report's tables and the categories it
-- flags for selling less than usual. The lines and formulas of kpi_sales_daily (int_sale_lines).
with lines as (
    select order_date, order_id, company_id, warehouse_id, category_id, salesperson_id,
        -- exact decimal sums: the same figures to the last bit on DuckDB and PostgreSQL
        cast(net_amount as decimal(38, 6)) as net_amount, cast(cost_amount as decimal(38, 6)) as cost_amount
    from {{ ref('int_sale_lines') }}
    where order_date <= {{ as_of() }}
), grouped as (
    {%- set groups = [('warehouse', 'warehouse_id'), ('category', 'category_id'), ('salesperson', 'salesperson_id')] %}
    {%- for group_by, group_id in groups %}
    select '{{ group_by }}' as group_by, l.{{ group_id }} as group_id, l.order_date, l.order_id, l.company_id,
        l.net_amount, l.cost_amount
    from lines as l
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
), by_period as (
    select g.group_by, g.group_id, g.company_id, p.grain, p.periods_ago,
        sum(g.net_amount) as net_sales, sum(g.net_amount) - sum(g.cost_amount) as margin,
        count(distinct g.order_id) as orders, count(*) as order_lines
    from grouped as g
    join {{ ref('rpt_periods') }} as p on g.order_date between p.period_start and p.period_end
    where p.periods_ago <= 4
    group by g.group_by, g.group_id, g.company_id, p.grain, p.periods_ago
), compared as (
    select group_by, group_id, company_id, grain,
        coalesce(sum(case when periods_ago = 0 then net_sales end), 0) as net_sales,
        coalesce(sum(case when periods_ago = 0 then margin end), 0) as margin,
        coalesce(sum(case when periods_ago = 0 then orders end), 0) as orders,
        coalesce(sum(case when periods_ago = 0 then order_lines end), 0) as order_lines,
        coalesce(sum(case when periods_ago = 1 then net_sales end), 0) as previous_net_sales,
        -- a period without sales counts as 0 in the average
        cast(coalesce(sum(case when periods_ago between 1 and 4 then net_sales end), 0) as double precision) / 4
            as trailing_avg_net_sales,
        sum(case when periods_ago between 1 and 4 then margin end) as trailing_margin,
        sum(case when periods_ago between 1 and 4 then net_sales end) as trailing_net_sales
    from by_period
    group by group_by, group_id, company_id, grain
), month_to_date as (
    select group_by, group_id, company_id, net_sales, margin
    from by_period
    where grain = 'month' and periods_ago = 0
), names as (
    select 'warehouse' as group_by, warehouse_id as group_id, warehouse_name as group_name
    from {{ ref('dim_warehouses') }}
    union all
    select 'category' as group_by, category_id as group_id, category_full_name as group_name
    from {{ ref('stg_product_categories') }}
    union all
    select 'salesperson' as group_by, user_id as group_id, user_name as group_name
    from {{ ref('stg_users') }}
)
select
    c.grain, c.group_by, c.group_id, n.group_name, c.company_id, p.period_start, p.period_end,
    {{ round_amount('c.net_sales', 'cur.decimal_places') }} as net_sales,
    cast(c.orders as bigint) as orders,
    cast(c.order_lines as bigint) as order_lines,
    {{ round_amount('c.margin', 'cur.decimal_places') }} as margin,
    {{ ratio('c.margin', 'c.net_sales') }} as margin_rate,
    {{ round_amount('c.previous_net_sales', 'cur.decimal_places') }} as previous_net_sales,
    {{ round_amount('c.trailing_avg_net_sales', 'cur.decimal_places') }} as trailing_avg_net_sales,
    {{ ratio('c.trailing_margin', 'c.trailing_net_sales') }} as trailing_avg_margin_rate,
    case when c.trailing_avg_net_sales > 0
         then (c.net_sales - c.trailing_avg_net_sales) / c.trailing_avg_net_sales end as change_vs_trailing,
    case when c.trailing_avg_net_sales > 0
         then (c.trailing_avg_net_sales - c.net_sales) / c.trailing_avg_net_sales end as drop_vs_trailing,
    {{ round_amount('c.trailing_avg_net_sales - c.net_sales', 'cur.decimal_places') }} as shortfall_vs_trailing,
    {{ round_amount('coalesce(m.net_sales, 0)', 'cur.decimal_places') }} as month_to_date_net_sales,
    {{ round_amount('coalesce(m.margin, 0)', 'cur.decimal_places') }} as month_to_date_margin,
    {{ ratio('m.margin', 'm.net_sales') }} as month_to_date_margin_rate,
    {{ as_of() }} as as_of
from compared as c
join {{ ref('rpt_periods') }} as p on p.grain = c.grain and p.periods_ago = 0
left join month_to_date as m
    on m.group_by = c.group_by and m.group_id is not distinct from c.group_id and m.company_id = c.company_id
left join names as n on n.group_by = c.group_by and n.group_id = c.group_id
left join {{ ref('int_companies') }} as cur on cur.company_id = c.company_id
