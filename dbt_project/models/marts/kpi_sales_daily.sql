-- KPIs 1, 2 and 18 per confirmation date, warehouse and category (company currency).
select
    order_date, warehouse_id, category_id, company_id,
    count(distinct order_id) as orders,
    count(*) as order_lines,
    sum(net_amount) as net_sales,
    sum(net_amount) - sum(cost_amount) as margin,
    {{ ratio('sum(net_amount) - sum(cost_amount)', 'sum(net_amount)') }} as margin_pct,
    {{ as_of() }} as as_of
from {{ ref('int_sale_lines') }}
group by order_date, warehouse_id, category_id, company_id
