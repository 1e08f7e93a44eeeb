select id as product_tmpl_id, name as product_name, categ_id as category_id, type as product_type
from {{ source('raw_odoo', 'product_template') }}
where _deleted_at is null
