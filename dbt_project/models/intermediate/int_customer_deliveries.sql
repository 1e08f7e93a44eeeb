-- Done moves of sale lines to or from a customer location: + delivered, - returned, by local date.
select
    m.sale_line_id,
    {{ local_date('m.move_date') }} as delivered_date,
    case when dest.usage = 'customer' then m.quantity else -m.quantity end as signed_qty
from {{ ref('stg_stock_moves') }} as m
join {{ ref('stg_locations') }} as src on src.location_id = m.location_id
join {{ ref('stg_locations') }} as dest on dest.location_id = m.location_dest_id
where m.state = 'done' and m.sale_line_id is not null
  and (dest.usage = 'customer' or src.usage = 'customer')
  and not (dest.usage = 'customer' and src.usage = 'customer')
