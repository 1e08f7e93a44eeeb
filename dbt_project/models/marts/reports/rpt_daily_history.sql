-- One snapshot per day and warehouse of the figures Odoo keeps no history of (stock on hand and its
-- age, shortages, the late backlog, backorders, late pickings, overdue purchase lines), so that their
-- trends and comparisons have data from the day the platform is installed. Incremental: each build
-- replaces the rows of its as_of and keeps the other days (delete+insert on as_of, on DuckDB and
-- PostgreSQL). A build for a date older than the newest snapshot adds nothing: today's stock is not
-- what it was then, so a backfill would falsify the history. `dbt build --full-refresh` keeps it too.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='as_of',
    full_refresh=false,
    on_schema_change='append_new_columns'
) }}
with stock as (
    select warehouse_id, company_id,
        sum(on_hand_qty) as on_hand_qty, sum(on_hand_value) as on_hand_value,
        count(case when is_stockout then 1 end) as stockout_products,
        count(case when shortage_qty > 0 then 1 end) as shortage_products
    from {{ ref('kpi_inventory_position') }}
    group by warehouse_id, company_id
), aged as (
    select warehouse_id, company_id,
        sum(case when age_bucket in ('91-180', '181+') then value else 0 end) as aged_91_plus_value
    from {{ ref('kpi_stock_aging') }}
    group by warehouse_id, company_id
), backlog as (
    select warehouse_id, company_id,
        count(*) as late_open_lines, sum(open_qty) as late_open_qty, sum(open_value) as late_open_value
    from {{ ref('fct_order_line_fulfilment') }}
    where days_late is not null
    group by warehouse_id, company_id
), backorders as (
    select warehouse_id, company_id, sum(backorders) as backorders, sum(open_qty) as backorder_open_qty
    from {{ ref('kpi_backorders') }}
    group by warehouse_id, company_id
), late_pickings as (
    select warehouse_id, company_id, sum(late_pickings) as late_pickings
    from {{ ref('kpi_late_pickings') }}
    group by warehouse_id, company_id
), overdue as (
    select warehouse_id, company_id,
        count(*) as overdue_po_lines, sum(open_qty) as overdue_po_qty, sum(open_value) as overdue_po_value
    from {{ ref('fct_overdue_po_lines') }}
    group by warehouse_id, company_id
), keys as (
    select warehouse_id, company_id from stock
    union
    select warehouse_id, company_id from aged
    union
    select warehouse_id, company_id from backlog
    union
    select warehouse_id, company_id from backorders
    union
    select warehouse_id, company_id from late_pickings
    union
    select warehouse_id, company_id from overdue
)
-- sums of rounded amounts, rounded again only to drop the binary noise of the sum
select
    k.warehouse_id, w.warehouse_name, k.company_id,
    coalesce(s.on_hand_qty, 0) as on_hand_qty,
    {{ round_amount('coalesce(s.on_hand_value, 0)', 'cur.decimal_places') }} as on_hand_value,
    {{ round_amount('coalesce(a.aged_91_plus_value, 0)', 'cur.decimal_places') }} as aged_91_plus_value,
    cast(coalesce(s.stockout_products, 0) as bigint) as stockout_products,
    cast(coalesce(s.shortage_products, 0) as bigint) as shortage_products,
    cast(coalesce(b.late_open_lines, 0) as bigint) as late_open_lines,
    coalesce(b.late_open_qty, 0) as late_open_qty,
    {{ round_amount('coalesce(b.late_open_value, 0)', 'cur.decimal_places') }} as late_open_value,
    cast(coalesce(bo.backorders, 0) as bigint) as backorders,
    coalesce(bo.backorder_open_qty, 0) as backorder_open_qty,
    cast(coalesce(lp.late_pickings, 0) as bigint) as late_pickings,
    cast(coalesce(o.overdue_po_lines, 0) as bigint) as overdue_po_lines,
    coalesce(o.overdue_po_qty, 0) as overdue_po_qty,
    {{ round_amount('coalesce(o.overdue_po_value, 0)', 'cur.decimal_places') }} as overdue_po_value,
    {{ as_of() }} as as_of
from keys as k
left join stock as s on s.warehouse_id is not distinct from k.warehouse_id and s.company_id = k.company_id
left join aged as a on a.warehouse_id is not distinct from k.warehouse_id and a.company_id = k.company_id
left join backlog as b on b.warehouse_id is not distinct from k.warehouse_id and b.company_id = k.company_id
left join backorders as bo on bo.warehouse_id is not distinct from k.warehouse_id and bo.company_id = k.company_id
left join late_pickings as lp
    on lp.warehouse_id is not distinct from k.warehouse_id and lp.company_id = k.company_id
left join overdue as o on o.warehouse_id is not distinct from k.warehouse_id and o.company_id = k.company_id
left join {{ ref('dim_warehouses') }} as w on w.warehouse_id = k.warehouse_id
left join {{ ref('int_companies') }} as cur on cur.company_id = k.company_id
{% if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as h
        where h.as_of > {{ as_of() }}
    )
{% endif %}
