select id as category_id, name as category_name, complete_name as category_full_name, parent_id
from {{ source('raw_odoo', 'product_category') }}
where _deleted_at is null
