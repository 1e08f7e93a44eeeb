-- KPIs 14, 15 and 16 per supplier (dim_suppliers: partners with confirmed purchase lines).
with fill as (
    select supplier_id,
        sum(least(qty_received, product_qty)) as fill_received_qty,
        sum(product_qty) as fill_ordered_qty
    from {{ ref('int_purchase_lines') }}
    where planned_date <= {{ as_of() }}
    group by supplier_id
), on_time_lines as (
    -- Exactly purchase_stock's res.partner._compute_on_time_rate: lines ordered in the last 365 days
    -- with something received; on time = done moves dated (UTC) no later than the planned date (UTC).
    select l.supplier_id, l.purchase_line_id, l.product_uom_qty,
        sum(case when cast(m.move_date as date) <= cast(l.date_planned as date) then m.quantity else 0 end)
            as on_time_qty
    from {{ ref('int_purchase_lines') }} as l
    left join {{ ref('stg_stock_moves') }} as m on m.purchase_line_id = l.purchase_line_id and m.state = 'done'
    where l.date_order > {{ dbt.dateadd('day', -365, as_of()) }} and l.qty_received <> 0
    group by l.supplier_id, l.purchase_line_id, l.product_uom_qty
), on_time as (
    select supplier_id, sum(on_time_qty) as on_time_qty, sum(product_uom_qty) as on_time_ordered_qty
    from on_time_lines
    group by supplier_id
), overdue as (
    select supplier_id, count(*) as overdue_lines, sum(open_value) as overdue_open_value
    from {{ ref('fct_overdue_po_lines') }}
    group by supplier_id
)
select
    s.supplier_id, s.supplier_name,
    {{ ratio('f.fill_received_qty', 'f.fill_ordered_qty') }} as fill_rate,
    f.fill_received_qty, f.fill_ordered_qty,
    -- Odoo's figure on Odoo's scale (0-100, -1 without data), and the same as a fraction (null without data)
    coalesce(100 * {{ ratio('o.on_time_qty', 'o.on_time_ordered_qty') }}, -1) as odoo_on_time_percent,
    {{ ratio('o.on_time_qty', 'o.on_time_ordered_qty') }} as on_time_rate,
    o.on_time_qty, o.on_time_ordered_qty,
    coalesce(d.overdue_lines, 0) as overdue_lines,
    -- a sum of rounded line values: rounded again only to drop the binary noise of the sum
    {{ round_amount('coalesce(d.overdue_open_value, 0)',
                    '(select max(decimal_places) from ' ~ ref('int_companies') ~ ')') }} as overdue_open_value,
    {{ as_of() }} as as_of
from {{ ref('dim_suppliers') }} as s
left join fill as f on f.supplier_id = s.supplier_id
left join on_time as o on o.supplier_id = s.supplier_id
left join overdue as d on d.supplier_id = s.supplier_id
