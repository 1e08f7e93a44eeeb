{{ config(meta={
    'description': "kpi_supplier_performance.on_time_rate is Odoo's on-time figure on the fraction scale: null exactly where odoo_on_time_percent is -1 (no data), else odoo_on_time_percent / 100. The two columns can never tell different stories.",
}) }}

select supplier_id, odoo_on_time_percent, on_time_rate
from {{ ref('kpi_supplier_performance') }}
where (odoo_on_time_percent = -1) <> (on_time_rate is null)
   or abs(100 * on_time_rate - odoo_on_time_percent) > 1e-9
