-- Every overdue purchase line (KPI 16) with its supplier's scorecard (KPIs 14, 15) and the stock risk
-- of its product in its warehouse (rpt_stock_items): the inbound risk is an overdue line on a product
-- at risk of running short, ranked by the sales at stake (the product's open demand value).
with lines as (
    select
        o.purchase_line_id, o.order_id, o.order_name, o.supplier_id, o.supplier_name,
        o.product_id, o.default_code, o.product_name, o.warehouse_id, o.warehouse_name, o.company_id,
        o.planned_date, o.days_overdue, o.open_qty as po_open_qty, o.open_value as po_open_value,
        sp.on_time_rate as supplier_on_time_rate, sp.fill_rate as supplier_fill_rate,
        sp.overdue_lines as supplier_overdue_lines, sp.overdue_open_value as supplier_overdue_value,
        coalesce(i.on_hand_qty, 0) as on_hand_qty, coalesce(i.open_demand_qty, 0) as open_demand_qty,
        coalesce(i.open_demand_value, 0) as open_demand_value, coalesce(i.shortage_qty, 0) as shortage_qty,
        i.days_of_supply, i.risk_reason, coalesce(i.is_at_risk, false) as product_at_risk
    from {{ ref('fct_overdue_po_lines') }} as o
    left join {{ ref('kpi_supplier_performance') }} as sp on sp.supplier_id = o.supplier_id
    left join {{ ref('rpt_stock_items') }} as i
        on i.product_id = o.product_id and i.warehouse_id = o.warehouse_id and i.company_id = o.company_id
)
select
    *,
    case when product_at_risk
        then dense_rank() over (
            partition by company_id, product_at_risk
            order by open_demand_value desc, product_id asc, warehouse_id asc
        )
    end as risk_rank,
    {{ as_of() }} as as_of
from lines
