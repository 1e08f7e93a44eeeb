-- Lines of confirmed purchase orders of non-service products, with supplier, warehouse and the
-- line's net unit price in company currency (Odoo's currency_rate is company -> order currency).
select
    l.purchase_line_id, l.order_id, o.purchase_order_name as order_name, o.supplier_id, t.warehouse_id,
    o.company_id, l.product_id, l.product_qty, l.product_uom_qty, l.qty_received, l.price_unit, l.discount,
    l.price_unit * (1 - l.discount / 100.0)
        / case when o.currency_id = c.currency_id then 1.0 else nullif(o.currency_rate, 0) end as unit_net_price,
    l.date_planned, {{ local_date('l.date_planned') }} as planned_date, o.date_order
from {{ ref('stg_purchase_order_lines') }} as l
join {{ ref('stg_purchase_orders') }} as o on o.purchase_order_id = l.order_id
left join {{ ref('stg_companies') }} as c on c.company_id = o.company_id
left join {{ ref('stg_picking_types') }} as t on t.picking_type_id = o.picking_type_id
left join {{ ref('int_products') }} as p on p.product_id = l.product_id
where o.state in ('purchase', 'done') and l.display_type is null and coalesce(p.product_type, 'consu') <> 'service'
