-- Quants in internal locations (on-hand stock), with warehouse, cost and age.
select
    q.quant_id, q.product_id, l.warehouse_id, q.company_id, q.quantity,
    q.quantity * coalesce(p.standard_price, 0) as value,
    {{ days_between(local_date('q.in_date'), as_of()) }} as age_days
from {{ ref('stg_quants') }} as q
join {{ ref('stg_locations') }} as l on l.location_id = q.location_id
left join {{ ref('int_products') }} as p on p.product_id = q.product_id
where l.usage = 'internal'
