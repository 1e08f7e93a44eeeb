-- The headline KPIs of the reports, per company and reporting period (rpt_periods: the last 30 days,
-- ISO weeks, completed weeks and 7-day blocks, the last 13 months), in long format: the charts'
-- source and what rpt_kpi_comparisons compares. Each KPI is kept as its summable parts, per day:
-- ratio KPIs as numerator and denominator (a period's rate is the ratio of its sums, never an
-- average of daily rates); sum KPIs as the day's total; level KPIs (stock, backlog, overdue
-- purchases: snapshots, from rpt_daily_history) as the day's snapshot with a denominator of 1, so
-- that numerator / denominator is the period's mean level and value its last snapshot.
-- Each KPI: (name, aggregation, unit, the CTE below it is read from, numerator, denominator).
{%- set kpis = [
    ('otif_rate', 'ratio', 'rate', 'service', 'otif_lines', 'due_lines'),
    ('unit_fill_rate', 'ratio', 'rate', 'service', 'filled_qty', 'due_qty'),
    ('due_lines', 'sum', 'count', 'service', 'due_lines', 'null'),
    ('net_sales', 'sum', 'amount', 'sales', 'net_sales', 'null'),
    ('margin', 'sum', 'amount', 'sales', 'margin', 'null'),
    ('margin_rate', 'ratio', 'rate', 'sales', 'margin', 'net_sales'),
    ('orders', 'sum', 'count', 'orders', 'orders', 'null'),
    ('order_lines', 'sum', 'count', 'sales', 'order_lines', 'null'),
    ('invoiced_revenue', 'sum', 'amount', 'invoicing', 'invoiced_revenue', 'null'),
    ('shipped_pickings', 'sum', 'count', 'shipping', 'shipped_pickings', 'null'),
    ('shipped_late', 'sum', 'count', 'shipping', 'shipped_late', 'null'),
    ('shipped_late_rate', 'ratio', 'rate', 'shipping', 'shipped_late', 'shipped_pickings'),
    ('carrier_on_time_rate', 'ratio', 'rate', 'carriers', 'on_time_shipments', 'shipments'),
    ('pickings_done', 'sum', 'count', 'throughput', 'pickings', 'null'),
    ('units_moved', 'sum', 'quantity', 'throughput', 'units', 'null'),
    ('flagged_adjustments', 'sum', 'count', 'adjustments', 'flagged_adjustments', 'null'),
    ('flagged_adjustments_value', 'sum', 'amount', 'adjustments', 'flagged_value', 'null'),
    ('supplier_fill_rate', 'ratio', 'rate', 'supply', 'received_qty', 'ordered_qty'),
    ('on_hand_value', 'level', 'amount', 'history', 'on_hand_value', '1'),
    ('aged_91_plus_value', 'level', 'amount', 'history', 'aged_91_plus_value', '1'),
    ('stockout_products', 'level', 'count', 'history', 'stockout_products', '1'),
    ('shortage_products', 'level', 'count', 'history', 'shortage_products', '1'),
    ('late_open_lines', 'level', 'count', 'history', 'late_open_lines', '1'),
    ('late_open_value', 'level', 'amount', 'history', 'late_open_value', '1'),
    ('backorders', 'level', 'count', 'history', 'backorders', '1'),
    ('backorder_open_qty', 'level', 'quantity', 'history', 'backorder_open_qty', '1'),
    ('late_pickings', 'level', 'count', 'history', 'late_pickings', '1'),
    ('overdue_po_lines', 'level', 'count', 'history', 'overdue_po_lines', '1'),
    ('overdue_po_value', 'level', 'amount', 'history', 'overdue_po_value', '1'),
] %}
with catalog as (
    select c.kpi, c.aggregation, c.unit
    from (values
        {%- for kpi, aggregation, unit, source, numerator, denominator in kpis %}
        ('{{ kpi }}', '{{ aggregation }}', '{{ unit }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as c (kpi, aggregation, unit)
), service as (
    -- amounts and quantities are summed as exact decimals: a sum of doubles depends on the order it
    -- adds them in, and DuckDB and PostgreSQL must give the same figures to the last bit
    select promised_date as on_date, company_id,
        sum(otif_lines) as otif_lines, sum(due_lines) as due_lines,
        sum(cast(filled_qty as decimal(38, 6))) as filled_qty, sum(cast(due_qty as decimal(38, 6))) as due_qty
    from {{ ref('kpi_service_level_daily') }}
    group by promised_date, company_id
), sales as (
    -- kpi_sales_daily's amounts and lines summed; margin_rate is the ratio of the sums
    select order_date as on_date, company_id,
        sum(cast(net_sales as decimal(38, 6))) as net_sales, sum(cast(margin as decimal(38, 6))) as margin,
        sum(order_lines) as order_lines
    from {{ ref('kpi_sales_daily') }}
    where order_date <= {{ as_of() }}
    group by order_date, company_id
), orders as (
    -- an order spanning several categories counts once (kpi_sales_daily.orders counts it per
    -- category); an order has one date, so daily counts add up over a period
    select order_date as on_date, company_id, count(distinct order_id) as orders
    from {{ ref('int_sale_lines') }}
    where order_date <= {{ as_of() }}
    group by order_date, company_id
), shipping as (
    select ship_date as on_date, company_id,
        sum(shipped_pickings) as shipped_pickings, sum(shipped_late) as shipped_late
    from {{ ref('kpi_shipped_late_daily') }}
    group by ship_date, company_id
), carriers as (
    select ship_date as on_date, company_id, sum(shipments) as shipments, sum(on_time_shipments) as on_time_shipments
    from {{ ref('kpi_carrier_performance') }}
    group by ship_date, company_id
), throughput as (
    select done_date as on_date, company_id, sum(pickings) as pickings, sum(cast(units as decimal(38, 6))) as units
    from {{ ref('kpi_warehouse_throughput_daily') }}
    group by done_date, company_id
), adjustments as (
    -- the size of a discrepancy is its absolute value: a write-off and a find count alike
    select adjustment_date as on_date, company_id,
        count(case when flagged then 1 end) as flagged_adjustments,
        sum(case when flagged then cast(abs(value) as decimal(38, 6)) else 0 end) as flagged_value
    from {{ ref('fct_inventory_adjustments') }}
    group by adjustment_date, company_id
), invoicing as (
    select invoice_date as on_date, company_id, sum(cast(invoiced_revenue as decimal(38, 6))) as invoiced_revenue
    from {{ ref('kpi_invoiced_revenue_daily') }}
    group by invoice_date, company_id
), supply as (
    -- KPI 14 per planned date: the lines kpi_supplier_performance.fill_rate counts
    select planned_date as on_date, company_id,
        sum(cast(least(qty_received, product_qty) as decimal(38, 6))) as received_qty,
        sum(cast(product_qty as decimal(38, 6))) as ordered_qty
    from {{ ref('int_purchase_lines') }}
    where planned_date <= {{ as_of() }}
    group by planned_date, company_id
), history as (
    {%- set levels = [] %}
    {%- for kpi, aggregation, unit, source, numerator, denominator in kpis if aggregation == 'level' %}
    {%- do levels.append(kpi) %}
    {%- endfor %}
    select as_of as on_date, company_id,
        {%- for kpi in levels %}
        sum(cast({{ kpi }} as decimal(38, 6))) as {{ kpi }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('rpt_daily_history') }}
    where as_of <= {{ as_of() }}
    group by as_of, company_id
), parts as (
    -- one row per KPI, company and day: numerator, denominator (null for sums; 1 per snapshot for levels)
    {%- for kpi, aggregation, unit, source, numerator, denominator in kpis %}
    select '{{ kpi }}' as kpi, company_id, on_date, {{ numerator }} as numerator, {{ denominator }} as denominator
    from {{ source }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
), daily as (
    -- exact decimal sums, so that DuckDB and PostgreSQL give the same figures to the last bit
    -- (a sum of doubles depends on the order it adds them in)
    select kpi, company_id, on_date,
        cast(numerator as decimal(38, 6)) as numerator, cast(denominator as decimal(38, 6)) as denominator
    from parts
), by_period as (
    select d.kpi, d.company_id, p.grain, p.periods_ago,
        sum(d.numerator) as numerator, sum(d.denominator) as denominator
    from daily as d
    join {{ ref('rpt_periods') }} as p on d.on_date between p.period_start and p.period_end
    group by d.kpi, d.company_id, p.grain, p.periods_ago
), first_days as (
    -- the first day a KPI has data for: before it the figure is unknown, not zero
    select kpi, company_id, min(on_date) as first_day
    from daily
    group by kpi, company_id
), closing as (
    -- a level KPI's value for a period: its last snapshot in the period
    select kpi, company_id, grain, periods_ago, numerator as closing_level
    from (
        select d.kpi, d.company_id, p.grain, p.periods_ago, d.numerator,
            row_number() over (partition by d.kpi, d.company_id, p.grain, p.periods_ago order by d.on_date desc) as nth
        from daily as d
        join catalog as c on c.kpi = d.kpi
        join {{ ref('rpt_periods') }} as p on d.on_date between p.period_start and p.period_end
        where c.aggregation = 'level'
    ) as snapshots
    where nth = 1
), spine as (
    select c.kpi, c.aggregation, c.unit, co.company_id, co.decimal_places,
        p.grain, p.periods_ago, p.period_start, p.period_end, p.is_complete
    from catalog as c
    cross join {{ ref('int_companies') }} as co
    cross join {{ ref('rpt_periods') }} as p
), valued as (
    select
        s.*,
        -- a day without sales is a day of zero sales, from the first day with data on (before it, and
        -- for a rate without denominator or a level without snapshot, the figure stays null)
        case when s.aggregation <> 'sum' then b.numerator
             when s.period_end >= f.first_day then coalesce(b.numerator, 0) end as numerator,
        b.denominator,
        case s.aggregation
            when 'ratio' then {{ ratio('b.numerator', 'b.denominator') }}
            when 'sum' then case when s.period_end >= f.first_day then coalesce(b.numerator, 0) end
            else l.closing_level
        end as raw_value
    from spine as s
    left join first_days as f on f.kpi = s.kpi and f.company_id = s.company_id
    left join by_period as b
        on b.kpi = s.kpi and b.company_id = s.company_id and b.grain = s.grain and b.periods_ago = s.periods_ago
    left join closing as l
        on l.kpi = s.kpi and l.company_id = s.company_id and l.grain = s.grain and l.periods_ago = s.periods_ago
)
select
    kpi, grain, periods_ago, company_id, period_start, period_end, is_complete, aggregation, unit,
    cast(numerator as double precision) as numerator, cast(denominator as double precision) as denominator,
    case when unit = 'amount' then {{ round_amount('raw_value', 'decimal_places') }}
         else cast(raw_value as double precision) end as value,
    {{ as_of() }} as as_of
from valued
