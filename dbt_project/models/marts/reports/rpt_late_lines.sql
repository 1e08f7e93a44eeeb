-- The late backlog line by line (KPI 5: fulfilment lines promised before as_of, not delivered in
-- full), with what customer service needs to act: the order's salesperson (the owner), the date the
-- rest is now expected (the earliest scheduled date of the line's open deliveries), the ageing
-- bucket, and whether the product is out of stock or waits for an overdue purchase line.
with open_deliveries as (
    select m.sale_line_id, min({{ local_date('m.move_date') }}) as expected_date
    from {{ ref('stg_stock_moves') }} as m
    join {{ ref('stg_locations') }} as dest on dest.location_id = m.location_dest_id
    where m.state not in ('done', 'cancel') and m.sale_line_id is not null and dest.usage = 'customer'
    group by m.sale_line_id
), waiting_on_purchase as (
    select distinct product_id, warehouse_id
    from {{ ref('fct_overdue_po_lines') }}
)
select
    f.sale_line_id, f.order_id, f.order_name, f.customer_id, f.customer_name,
    l.salesperson_id, u.user_name as salesperson_name,
    f.warehouse_id, f.warehouse_name, f.company_id, f.product_id, f.default_code, f.product_name,
    f.category_id, f.category_name, f.promised_date, d.expected_date, f.days_late,
    case when f.days_late <= 7 then '1-7' when f.days_late <= 14 then '8-14' when f.days_late <= 30 then '15-30'
         else '31+' end as age_bucket,
    f.ordered_qty, f.delivered_qty_to_date, f.open_qty, f.open_value,
    coalesce(s.on_hand_qty, 0) as on_hand_qty,
    coalesce(s.is_stockout, false) as is_stockout,
    w.product_id is not null as waits_on_overdue_po,
    -- the customer's whole late value, so that a report can list the lines of the customers it escalates
    cast(sum(cast(f.open_value as decimal(38, 6))) over (partition by f.customer_id, f.company_id) as double precision)
        as customer_late_value,
    {{ as_of() }} as as_of
from {{ ref('fct_order_line_fulfilment') }} as f
left join {{ ref('int_sale_lines') }} as l on l.sale_line_id = f.sale_line_id
left join {{ ref('stg_users') }} as u on u.user_id = l.salesperson_id
left join open_deliveries as d on d.sale_line_id = f.sale_line_id
left join {{ ref('kpi_inventory_position') }} as s
    on s.product_id = f.product_id and s.warehouse_id = f.warehouse_id and s.company_id = f.company_id
left join waiting_on_purchase as w on w.product_id = f.product_id and w.warehouse_id = f.warehouse_id
where f.days_late is not null
