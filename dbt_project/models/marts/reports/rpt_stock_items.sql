-- Stock position, age, demand and inbound supply per product and warehouse (kpi_inventory_position
-- and the marts around it), with the risk of running short: a stockout, a shortage (open demand
-- above the stock) or fewer days of supply than var('inbound_risk_days_of_supply', 14).
{%- set low_days = var('inbound_risk_days_of_supply', 14) %}
with aged as (
    select product_id, warehouse_id, company_id,
        sum(case when age_bucket in ('91-180', '181+') then qty else 0 end) as aged_91_plus_qty,
        sum(case when age_bucket in ('91-180', '181+') then value else 0 end) as aged_91_plus_value,
        max(
            case age_bucket
                when '0-30' then 1 when '31-60' then 2 when '61-90' then 3 when '91-180' then 4 else 5
            end
        ) as oldest_bucket
    from {{ ref('kpi_stock_aging') }}
    where qty > 0
    group by product_id, warehouse_id, company_id
), demand as (
    select product_id, warehouse_id, company_id,
        count(*) as open_sale_lines, sum(open_value) as open_demand_value,
        count(days_late) as late_open_lines,
        sum(case when days_late is not null then open_value else 0 end) as late_open_value
    from {{ ref('fct_order_line_fulfilment') }}
    where open_qty > 0
    group by product_id, warehouse_id, company_id
), inbound as (
    select product_id, warehouse_id, company_id,
        sum(product_qty - qty_received) as incoming_qty, min(planned_date) as next_receipt_date
    from {{ ref('int_purchase_lines') }}
    where qty_received < product_qty
    group by product_id, warehouse_id, company_id
), overdue as (
    select product_id, warehouse_id, company_id,
        count(*) as overdue_po_lines, sum(open_qty) as overdue_po_qty, sum(open_value) as overdue_po_value
    from {{ ref('fct_overdue_po_lines') }}
    group by product_id, warehouse_id, company_id
), items as (
    select
        s.product_id, s.default_code, s.product_name, p.category_id, p.category_name,
        s.warehouse_id, s.warehouse_name, s.company_id,
        s.on_hand_qty, s.on_hand_value,
        coalesce(a.aged_91_plus_qty, 0) as aged_91_plus_qty, coalesce(a.aged_91_plus_value, 0) as aged_91_plus_value,
        case a.oldest_bucket when 1 then '0-30' when 2 then '31-60' when 3 then '61-90' when 4 then '91-180'
             when 5 then '181+' end as oldest_age_bucket,
        s.open_demand_qty, cast(coalesce(d.open_sale_lines, 0) as bigint) as open_sale_lines,
        coalesce(d.open_demand_value, 0) as open_demand_value,
        cast(coalesce(d.late_open_lines, 0) as bigint) as late_open_lines,
        coalesce(d.late_open_value, 0) as late_open_value,
        s.shortage_qty, s.is_stockout, s.shortage_qty > 0 as in_shortage, s.delivered_qty_30d, s.days_of_supply,
        coalesce(i.incoming_qty, 0) as incoming_qty, i.next_receipt_date,
        cast(coalesce(o.overdue_po_lines, 0) as bigint) as overdue_po_lines,
        coalesce(o.overdue_po_qty, 0) as overdue_po_qty, coalesce(o.overdue_po_value, 0) as overdue_po_value,
        case when s.is_stockout then 'stockout'
             when s.shortage_qty > 0 then 'shortage'
             when s.days_of_supply < {{ low_days }} then 'low_days_of_supply'
        end as risk_reason,
        cur.decimal_places
    from {{ ref('kpi_inventory_position') }} as s
    left join {{ ref('dim_products') }} as p on p.product_id = s.product_id
    left join aged as a
        on a.product_id = s.product_id and a.warehouse_id = s.warehouse_id and a.company_id = s.company_id
    left join demand as d
        on d.product_id = s.product_id and d.warehouse_id = s.warehouse_id and d.company_id = s.company_id
    left join inbound as i
        on i.product_id = s.product_id and i.warehouse_id = s.warehouse_id and i.company_id = s.company_id
    left join overdue as o
        on o.product_id = s.product_id and o.warehouse_id = s.warehouse_id and o.company_id = s.company_id
    left join {{ ref('int_companies') }} as cur on cur.company_id = s.company_id
)
-- sums of rounded amounts, rounded again only to drop the binary noise of the sum
select
    product_id, default_code, product_name, category_id, category_name, warehouse_id, warehouse_name, company_id,
    on_hand_qty, on_hand_value, aged_91_plus_qty,
    {{ round_amount('aged_91_plus_value', 'decimal_places') }} as aged_91_plus_value,
    oldest_age_bucket, open_demand_qty, open_sale_lines,
    {{ round_amount('open_demand_value', 'decimal_places') }} as open_demand_value,
    late_open_lines,
    {{ round_amount('late_open_value', 'decimal_places') }} as late_open_value,
    shortage_qty, is_stockout, in_shortage, delivered_qty_30d, days_of_supply, incoming_qty, next_receipt_date,
    overdue_po_lines, overdue_po_qty,
    {{ round_amount('overdue_po_value', 'decimal_places') }} as overdue_po_value,
    risk_reason, risk_reason is not null as is_at_risk,
    {{ as_of() }} as as_of
from items
