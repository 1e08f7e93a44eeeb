-- A variant with what it reads through _inherits from its template (name, category, type): taken
-- from the template table, because changing a template does not bump the variant's write_date.
select
    v.product_id, v.product_tmpl_id, v.default_code, t.product_name, t.category_id,
    c.category_full_name as category_name, t.product_type, v.standard_price, v.active
from {{ ref('stg_product_variants') }} as v
join {{ ref('stg_product_templates') }} as t on t.product_tmpl_id = v.product_tmpl_id
left join {{ ref('stg_product_categories') }} as c on c.category_id = t.category_id
