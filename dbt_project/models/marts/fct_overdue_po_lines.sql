-- KPI 16: confirmed PO lines planned before as_of and not fully received.
with overdue as (
    select
        purchase_line_id, order_id, order_name, supplier_id, product_id, warehouse_id, company_id,
        date_planned, planned_date,
        product_qty - qty_received as open_qty,
        (product_qty - qty_received) * unit_net_price as open_value,
        {{ days_between('planned_date', as_of()) }} as days_overdue
    from {{ ref('int_purchase_lines') }}
    where planned_date < {{ as_of() }} and qty_received < product_qty
)
select
    o.purchase_line_id, o.order_id, o.order_name, o.supplier_id, s.supplier_name,
    o.product_id, p.default_code, p.product_name, o.warehouse_id, w.warehouse_name, o.company_id,
    o.date_planned, o.planned_date, o.open_qty,
    {{ round_amount('o.open_value', 'cur.decimal_places') }} as open_value,
    o.days_overdue,
    {{ as_of() }} as as_of
from overdue as o
left join {{ ref('dim_suppliers') }} as s on s.supplier_id = o.supplier_id
left join {{ ref('dim_products') }} as p on p.product_id = o.product_id
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = o.warehouse_id
left join {{ ref('int_companies') }} as cur on cur.company_id = o.company_id
