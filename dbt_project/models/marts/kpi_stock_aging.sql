-- KPI 10: on-hand quantity and value by age of the quant's in-date.
select
    product_id, warehouse_id, company_id,
    case when age_days <= 30 then '0-30' when age_days <= 60 then '31-60' when age_days <= 90 then '61-90'
         when age_days <= 180 then '91-180' else '181+' end as age_bucket,
    sum(quantity) as qty, sum(value) as value,
    {{ as_of() }} as as_of
from {{ ref('int_on_hand') }}
group by 1, 2, 3, 4
