-- supplier_rank and customer_rank are left out on purpose: Odoo raises supplier_rank only when a
-- vendor bill is posted (and they are absent without the account module), so they cannot say who
-- is a supplier or a customer; dim_suppliers and dim_partners decide that from confirmed orders.
select
    id as partner_id, name as partner_name, ref, is_company, type as address_type, parent_id,
    commercial_partner_id, country_code, city, user_id as salesperson_id, active
from {{ source('raw_odoo', 'res_partner') }}
where _deleted_at is null
