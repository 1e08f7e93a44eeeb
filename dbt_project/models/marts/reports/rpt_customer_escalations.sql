-- Customers by the value of their late backlog (rpt_late_lines), with its age, when the rest is
-- expected and their open backorders: who customer service calls first, and who owns the account.
with late as (
    select customer_id, company_id,
        count(*) as late_open_lines, count(distinct order_id) as late_orders,
        -- exact decimal sums: the same figures to the last bit on DuckDB and PostgreSQL
        sum(open_qty) as late_open_qty, sum(cast(open_value as decimal(38, 6))) as late_open_value,
        sum(case when days_late <= 7 then cast(open_value as decimal(38, 6)) else 0 end) as late_value_1_7d,
        sum(case when days_late > 7 and days_late <= 30 then cast(open_value as decimal(38, 6)) else 0 end)
            as late_value_8_30d,
        sum(case when days_late > 30 then cast(open_value as decimal(38, 6)) else 0 end) as late_value_31d_plus,
        max(days_late) as max_days_late,
        min(expected_date) as earliest_expected_date, max(expected_date) as latest_expected_date,
        count(case when expected_date is null then 1 end) as lines_without_delivery
    from {{ ref('rpt_late_lines') }}
    group by customer_id, company_id
), backorders as (
    select customer_id, company_id, count(*) as open_backorders, sum(open_qty) as backorder_open_qty
    from {{ ref('rpt_open_backorders') }}
    group by customer_id, company_id
)
select
    l.customer_id, c.customer_name, c.salesperson_id, c.salesperson_name, l.company_id,
    l.late_open_lines, l.late_orders, l.late_open_qty,
    {{ round_amount('l.late_open_value', 'cur.decimal_places') }} as late_open_value,
    {{ round_amount('l.late_value_1_7d', 'cur.decimal_places') }} as late_value_1_7d,
    {{ round_amount('l.late_value_8_30d', 'cur.decimal_places') }} as late_value_8_30d,
    {{ round_amount('l.late_value_31d_plus', 'cur.decimal_places') }} as late_value_31d_plus,
    l.max_days_late, l.earliest_expected_date, l.latest_expected_date, l.lines_without_delivery,
    cast(coalesce(b.open_backorders, 0) as bigint) as open_backorders,
    coalesce(b.backorder_open_qty, 0) as backorder_open_qty,
    {{ ratio('l.late_open_value', 'sum(l.late_open_value) over (partition by l.company_id)') }} as late_value_rate,
    rank() over (partition by l.company_id order by l.late_open_value desc) as late_value_rank,
    {{ as_of() }} as as_of
from late as l
left join backorders as b on b.customer_id is not distinct from l.customer_id and b.company_id = l.company_id
left join {{ ref('dim_partners') }} as c on c.customer_id = l.customer_id
left join {{ ref('int_companies') }} as cur on cur.company_id = l.company_id
