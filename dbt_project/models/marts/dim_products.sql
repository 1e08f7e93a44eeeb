-- One row per product variant, archived ones included (old documents still name them).
select
    product_id, product_tmpl_id, default_code, product_name, category_id, category_name, product_type,
    standard_price, active,
    {{ as_of() }} as as_of
from {{ ref('int_products') }}
