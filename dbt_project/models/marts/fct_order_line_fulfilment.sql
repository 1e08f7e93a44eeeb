-- One row per fulfilment line (KPIs 3, 4, 5): promised date, what was delivered by then and to date.
with deliveries as (
    select
        l.sale_line_id,
        sum(case when d.delivered_date <= l.promised_date then d.signed_qty else 0 end) as delivered_qty_by_promise,
        sum(case when d.delivered_date <= {{ as_of() }} then d.signed_qty else 0 end) as delivered_qty_to_date
    from {{ ref('int_sale_lines') }} as l
    join {{ ref('int_customer_deliveries') }} as d on d.sale_line_id = l.sale_line_id
    group by l.sale_line_id
), lines as (
    select
        l.sale_line_id, l.order_id, l.order_name, l.customer_id, l.warehouse_id, l.company_id, l.product_id,
        l.category_id, l.ordered_qty, l.promised_date, l.unit_net_price, l.net_amount,
        coalesce(d.delivered_qty_by_promise, 0) as delivered_qty_by_promise,
        coalesce(d.delivered_qty_to_date, 0) as delivered_qty_to_date
    from {{ ref('int_sale_lines') }} as l
    left join deliveries as d on d.sale_line_id = l.sale_line_id
    where l.is_fulfilment
)
select
    sale_line_id, order_id, order_name, customer_id, warehouse_id, company_id, product_id, category_id,
    ordered_qty, promised_date, delivered_qty_by_promise, delivered_qty_to_date,
    promised_date <= {{ as_of() }} as is_due,
    promised_date <= {{ as_of() }} and delivered_qty_by_promise >= ordered_qty as is_otif,
    greatest(ordered_qty - delivered_qty_to_date, 0) as open_qty,
    case when promised_date < {{ as_of() }} and delivered_qty_to_date < ordered_qty
         then {{ days_between('promised_date', as_of()) }} end as days_late,
    greatest(ordered_qty - delivered_qty_to_date, 0) * unit_net_price as open_value,
    net_amount,
    {{ as_of() }} as as_of
from lines
