-- KPI 10: on-hand quantity and value by age of the quant's in-date.
with aged as (
    select
        product_id, warehouse_id, company_id,
        case when age_days <= 30 then '0-30' when age_days <= 60 then '31-60' when age_days <= 90 then '61-90'
             when age_days <= 180 then '91-180' else '181+' end as age_bucket,
        sum(quantity) as qty, sum(value) as value
    from {{ ref('int_on_hand') }}
    group by 1, 2, 3, 4
)
select
    a.product_id, p.default_code, p.product_name, a.warehouse_id, w.warehouse_name, a.company_id, a.age_bucket,
    a.qty,
    {{ round_amount('a.value', 'cur.decimal_places') }} as value,
    {{ as_of() }} as as_of
from aged as a
left join {{ ref('dim_products') }} as p on p.product_id = a.product_id
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = a.warehouse_id
left join {{ ref('int_companies') }} as cur on cur.company_id = a.company_id
