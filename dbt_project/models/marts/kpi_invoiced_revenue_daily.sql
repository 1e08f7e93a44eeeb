-- KPI 20: posted customer invoices minus posted refunds, untaxed, company currency.
with daily as (
    select
        invoice_date, customer_id, company_id,
        sum(amount_untaxed_signed) as invoiced_revenue,
        count(*) as documents
    from {{ ref('stg_invoices') }}
    where state = 'posted' and move_type in ('out_invoice', 'out_refund')
    group by invoice_date, customer_id, company_id
)
-- the invoiced partner may be an invoice address (a contact), not only an ordering customer:
-- its name comes from every partner, not from dim_partners
select
    d.invoice_date, d.customer_id, p.partner_name as customer_name, d.company_id,
    {{ round_amount('d.invoiced_revenue', 'cur.decimal_places') }} as invoiced_revenue,
    d.documents,
    {{ as_of() }} as as_of
from daily as d
left join {{ ref('stg_partners') }} as p on p.partner_id = d.customer_id
left join {{ ref('int_companies') }} as cur on cur.company_id = d.company_id
