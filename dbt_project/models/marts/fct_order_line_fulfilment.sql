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
), measured as (
    select
        *,
        promised_date <= {{ as_of() }} as is_due,
        promised_date <= {{ as_of() }} and delivered_qty_by_promise >= ordered_qty as is_otif,
        greatest(ordered_qty - delivered_qty_to_date, 0) as open_qty,
        case when promised_date < {{ as_of() }} and delivered_qty_to_date < ordered_qty
             then {{ days_between('promised_date', as_of()) }} end as days_late
    from lines
)
-- names for the reader, amounts rounded to the company currency's precision
select
    l.sale_line_id, l.order_id, l.order_name, l.customer_id, c.customer_name, l.warehouse_id, w.warehouse_name,
    l.company_id, l.product_id, p.default_code, p.product_name, l.category_id, p.category_name,
    l.ordered_qty, l.promised_date, l.delivered_qty_by_promise, l.delivered_qty_to_date,
    l.is_due, l.is_otif, l.open_qty, l.days_late,
    {{ round_amount('l.open_qty * l.unit_net_price', 'cur.decimal_places') }} as open_value,
    {{ round_amount('l.net_amount', 'cur.decimal_places') }} as net_amount,
    {{ as_of() }} as as_of
from measured as l
left join {{ ref('dim_partners') }} as c on c.customer_id = l.customer_id
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = l.warehouse_id
left join {{ ref('dim_products') }} as p on p.product_id = l.product_id
left join {{ ref('int_companies') }} as cur on cur.company_id = l.company_id
