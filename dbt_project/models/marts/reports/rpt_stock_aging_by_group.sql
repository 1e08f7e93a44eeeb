-- Stock aging (KPI 10) per warehouse and per product category: the value in each age bucket, side by
-- side, and the share aged 91 days or more.
with aging as (
    select a.warehouse_id, a.warehouse_name, p.category_id, p.category_name, a.company_id, a.age_bucket,
        -- exact decimal sums: the same figures to the last bit on DuckDB and PostgreSQL
        cast(a.qty as decimal(38, 6)) as qty, cast(a.value as decimal(38, 6)) as value
    from {{ ref('kpi_stock_aging') }} as a
    left join {{ ref('dim_products') }} as p on p.product_id = a.product_id
), grouped as (
    select 'warehouse' as group_by, warehouse_id as group_id, warehouse_name as group_name, company_id,
        age_bucket, qty, value
    from aging
    union all
    select 'category' as group_by, category_id as group_id, category_name as group_name, company_id,
        age_bucket, qty, value
    from aging
), buckets as (
    select group_by, group_id, group_name, company_id,
        sum(qty) as on_hand_qty, sum(value) as on_hand_value,
        sum(case when age_bucket = '0-30' then value else 0 end) as value_0_30,
        sum(case when age_bucket = '31-60' then value else 0 end) as value_31_60,
        sum(case when age_bucket = '61-90' then value else 0 end) as value_61_90,
        sum(case when age_bucket = '91-180' then value else 0 end) as value_91_180,
        sum(case when age_bucket = '181+' then value else 0 end) as value_181_plus,
        sum(case when age_bucket in ('91-180', '181+') then qty else 0 end) as aged_91_plus_qty
    from grouped
    group by group_by, group_id, group_name, company_id
)
-- sums of rounded amounts, rounded again only to drop the binary noise of the sum
select
    b.group_by, b.group_id, b.group_name, b.company_id, cast(b.on_hand_qty as double precision) as on_hand_qty,
    {{ round_amount('b.on_hand_value', 'cur.decimal_places') }} as on_hand_value,
    {{ round_amount('b.value_0_30', 'cur.decimal_places') }} as value_0_30,
    {{ round_amount('b.value_31_60', 'cur.decimal_places') }} as value_31_60,
    {{ round_amount('b.value_61_90', 'cur.decimal_places') }} as value_61_90,
    {{ round_amount('b.value_91_180', 'cur.decimal_places') }} as value_91_180,
    {{ round_amount('b.value_181_plus', 'cur.decimal_places') }} as value_181_plus,
    cast(b.aged_91_plus_qty as double precision) as aged_91_plus_qty,
    {{ round_amount('b.value_91_180 + b.value_181_plus', 'cur.decimal_places') }} as aged_91_plus_value,
    {{ ratio('b.value_91_180 + b.value_181_plus', 'b.on_hand_value') }} as aged_91_plus_rate,
    {{ as_of() }} as as_of
from buckets as b
left join {{ ref('int_companies') }} as cur on cur.company_id = b.company_id
