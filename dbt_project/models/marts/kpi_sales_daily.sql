-- KPIs 1, 2 and 18 per confirmation date, warehouse and category (company currency).
with daily as (
    select
        order_date, warehouse_id, category_id, company_id,
        count(distinct order_id) as orders,
        count(*) as order_lines,
        sum(net_amount) as net_sales,
        sum(net_amount) - sum(cost_amount) as margin
    from {{ ref('int_sale_lines') }}
    group by order_date, warehouse_id, category_id, company_id
)
-- the rate from the unrounded amounts; the amounts rounded to the company currency's precision
select
    d.order_date, d.warehouse_id, w.warehouse_name, d.category_id, cat.category_full_name as category_name,
    d.company_id, d.orders, d.order_lines,
    {{ round_amount('d.net_sales', 'cur.decimal_places') }} as net_sales,
    {{ round_amount('d.margin', 'cur.decimal_places') }} as margin,
    {{ ratio('d.margin', 'd.net_sales') }} as margin_rate,
    {{ as_of() }} as as_of
from daily as d
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = d.warehouse_id
left join {{ ref('stg_product_categories') }} as cat on cat.category_id = d.category_id
left join {{ ref('int_companies') }} as cur on cur.company_id = d.company_id
