-- OTIF, unit fill rate and due lines (KPIs 3, 4) per customer, company and reporting period
-- (rpt_periods), long format like rpt_kpi_trend: the trend chart of the customer report and what
-- rpt_customer_kpi_comparisons compares. Rates keep their numerator and denominator.
{%- set kpis = [
    ('otif_rate', 'ratio', 'rate', 'otif_lines', 'due_lines'),
    ('unit_fill_rate', 'ratio', 'rate', 'filled_qty', 'due_qty'),
    ('due_lines', 'sum', 'count', 'due_lines', 'null'),
] %}
with service as (
    -- the due lines of kpi_service_level_daily, per customer (a net return counts as nothing delivered)
    select customer_id, company_id, promised_date as on_date,
        count(*) as due_lines, count(case when is_otif then 1 end) as otif_lines,
        sum(cast(least(greatest(delivered_qty_by_promise, 0), ordered_qty) as decimal(38, 6))) as filled_qty,
        sum(cast(ordered_qty as decimal(38, 6))) as due_qty
    from {{ ref('fct_order_line_fulfilment') }}
    where is_due
    group by customer_id, company_id, promised_date
), parts as (
    {%- for kpi, aggregation, unit, numerator, denominator in kpis %}
    select '{{ kpi }}' as kpi, customer_id, company_id, on_date,
        {{ numerator }} as numerator, {{ denominator }} as denominator
    from service
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
), by_period as (
    select d.kpi, d.customer_id, d.company_id, p.grain, p.periods_ago,
        sum(cast(d.numerator as decimal(38, 6))) as numerator,
        sum(cast(d.denominator as decimal(38, 6))) as denominator
    from parts as d
    join {{ ref('rpt_periods') }} as p on d.on_date between p.period_start and p.period_end
    group by d.kpi, d.customer_id, d.company_id, p.grain, p.periods_ago
), customers as (
    -- the customers with a line due in the window of the periods
    select distinct customer_id, company_id from by_period
), catalog as (
    select c.kpi, c.aggregation, c.unit
    from (values
        {%- for kpi, aggregation, unit, numerator, denominator in kpis %}
        ('{{ kpi }}', '{{ aggregation }}', '{{ unit }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as c (kpi, aggregation, unit)
), spine as (
    select c.kpi, c.aggregation, c.unit, cu.customer_id, cu.company_id,
        p.grain, p.periods_ago, p.period_start, p.period_end, p.is_complete
    from catalog as c
    cross join customers as cu
    cross join {{ ref('rpt_periods') }} as p
)
select
    s.kpi, s.grain, s.periods_ago, s.customer_id, pa.customer_name, s.company_id,
    s.period_start, s.period_end, s.is_complete, s.aggregation, s.unit,
    cast(case when s.aggregation = 'sum' then coalesce(b.numerator, 0) else b.numerator end as double precision)
        as numerator,
    cast(b.denominator as double precision) as denominator,
    case when s.aggregation = 'sum' then cast(coalesce(b.numerator, 0) as double precision)
         else {{ ratio('b.numerator', 'b.denominator') }} end as value,
    {{ as_of() }} as as_of
from spine as s
left join by_period as b
    on b.kpi = s.kpi and b.customer_id is not distinct from s.customer_id and b.company_id = s.company_id
    and b.grain = s.grain and b.periods_ago = s.periods_ago
left join {{ ref('dim_partners') }} as pa on pa.customer_id = s.customer_id
