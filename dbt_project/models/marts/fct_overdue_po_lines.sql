-- KPI 16: confirmed PO lines planned before as_of and not fully received.
select
    purchase_line_id, order_id, supplier_id, product_id, warehouse_id, company_id, date_planned,
    product_qty - qty_received as open_qty,
    (product_qty - qty_received) * price_unit * (1 - discount / 100.0) as open_value,
    {{ days_between('planned_date', as_of()) }} as days_overdue,
    {{ as_of() }} as as_of
from {{ ref('int_purchase_lines') }}
where planned_date < {{ as_of() }} and qty_received < product_qty
