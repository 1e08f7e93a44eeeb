-- KPI 21: delivered shipments of done outgoing pickings, per ship date and carrier; on time when
-- delivered on or before ship date + the carrier's service-level days. Shipments still in transit
-- are not counted until the carrier reports a delivery. Without stock_delivery (no carrier on any
-- picking) or without a tracking source (no shipments), the mart is empty.
with shipped as (
    select
        p.carrier_id, p.company_id, {{ local_date('s.shipped_at') }} as ship_date,
        {{ days_between(local_date('s.shipped_at'), local_date('s.delivered_at')) }}
        - s.service_level_days as delay_days
    from {{ ref('stg_pickings') }} as p
    join {{ ref('stg_picking_types') }} as t on t.picking_type_id = p.picking_type_id
    join {{ ref('stg_shipments') }} as s on s.tracking_ref = p.carrier_tracking_ref
    where p.state = 'done' and t.picking_type_code = 'outgoing' and p.carrier_id is not null
      and s.delivered_at is not null
), daily as (
    select
        ship_date, carrier_id, company_id,
        count(*) as shipments,
        count(case when delay_days <= 0 then 1 end) as on_time_shipments,
        cast(avg(case when delay_days > 0 then delay_days end) as double precision) as avg_delay_days
    from shipped
    group by ship_date, carrier_id, company_id
)
select
    d.ship_date, d.carrier_id, c.carrier_name, d.company_id, d.shipments, d.on_time_shipments,
    {{ ratio('d.on_time_shipments', 'd.shipments') }} as on_time_rate,
    d.avg_delay_days,
    {{ as_of() }} as as_of
from daily as d
left join {{ ref('dim_carriers') }} as c on c.carrier_id = d.carrier_id
