-- KPI 20: posted customer invoices minus posted refunds, untaxed, company currency.
select
    invoice_date, customer_id, company_id,
    sum(amount_untaxed_signed) as invoiced_revenue,
    count(*) as documents,
    {{ as_of() }} as as_of
from {{ ref('stg_invoices') }}
where state = 'posted' and move_type in ('out_invoice', 'out_refund')
group by invoice_date, customer_id, company_id
