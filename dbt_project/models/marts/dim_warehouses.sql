-- One row per warehouse: the names behind every mart's warehouse_id.
select
    w.warehouse_id, w.warehouse_code, w.warehouse_name, w.company_id, c.company_name, w.active,
    {{ as_of() }} as as_of
from {{ ref('stg_warehouses') }} as w
left join {{ ref('int_companies') }} as c on c.company_id = w.company_id
