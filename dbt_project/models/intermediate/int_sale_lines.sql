-- Lines of confirmed sale orders (sections and notes excluded) with what every sales KPI needs:
-- warehouse, customer, category, promised date, company-currency amounts, and whether the line is
-- a fulfilment line (not a delivery fee, not a service).
with lines as (
    select
        l.sale_line_id, l.order_id, o.order_name, o.customer_id, o.salesperson_id, o.warehouse_id, o.company_id,
        l.product_id, p.category_id, l.product_uom_qty as ordered_qty, l.price_unit, l.discount,
        l.price_subtotal, l.is_delivery, p.product_type, o.date_order,
        -- Odoo's currency_rate is company -> order currency; a missing or zero rate leaves amounts null
        case when o.currency_id = c.currency_id then 1.0 else nullif(o.currency_rate, 0) end as to_company_rate,
        -- Odoo's own expected date of a line: the commitment date, else order date + customer lead
        -- time (a float of days, added to the UTC timestamp), both as a local date in reporting_tz
        case when o.commitment_date is not null then {{ local_date('o.commitment_date') }}
             else {{ local_date(dbt.dateadd('second', 'round(coalesce(l.customer_lead, 0) * 86400)', 'o.date_order')) }}
        end as promised_date,
        l.purchase_price, p.standard_price
    from {{ ref('stg_sale_order_lines') }} as l
    join {{ ref('stg_sale_orders') }} as o on o.order_id = l.order_id
    left join {{ ref('stg_companies') }} as c on c.company_id = o.company_id
    left join {{ ref('int_products') }} as p on p.product_id = l.product_id
    where o.state in ('sale', 'done') and l.display_type is null
)
select
    *,
    {{ local_date('date_order') }} as order_date,
    price_subtotal / to_company_rate as net_amount,
    price_unit * (1 - discount / 100.0) / to_company_rate as unit_net_price,
    -- cost: sale_margin's purchase_price (order currency) where installed, else the product's cost
    ordered_qty * coalesce(purchase_price / to_company_rate, standard_price) as cost_amount,
    not is_delivery and coalesce(product_type, 'consu') <> 'service' as is_fulfilment
from lines
