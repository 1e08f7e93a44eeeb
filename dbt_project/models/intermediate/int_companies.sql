-- Each company with its currency: the currency every mart amount is in, and its precision.
select
    c.company_id, c.company_name, c.currency_id, cur.currency_name,
    coalesce(cur.decimal_places, 2) as decimal_places
from {{ ref('stg_companies') }} as c
left join {{ ref('stg_currencies') }} as cur on cur.currency_id = c.currency_id
