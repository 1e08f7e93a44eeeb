"""The Dagster code location: one Definitions object assembled from `defs/`.

Also what the `reporting` CLI needs from it (the raw keys and groups,
the dbt asset), so that the CLI depends on this module only, not on `defs/`.
"""

import warnings

import dagster as dg

from reporting_assets.dbt import dbt_resource
from reporting_assets.defs.carrier_raw.assets import carrier_shipments
from reporting_assets.defs.keys import CARRIER_KEY, RAW_GROUPS, raw_key
from reporting_assets.defs.kpis.assets import kpi_models
from reporting_assets.defs.odoo_raw.assets import odoo_raw_assets
from reporting_assets.defs.odoo_raw.sensors import carrier_changes, hints_spec, odoo_changes
from reporting_assets.defs.orchestration.alerts import alert_on_check_failure, alert_on_run_failure, alert_on_stale_data
from reporting_assets.defs.orchestration.automation import automation
from reporting_assets.defs.orchestration.freshness import with_freshness
from reporting_assets.defs.orchestration.health import pipeline_health
from reporting_assets.defs.orchestration.schedules import daily_full_refresh, full_refresh_job
from reporting_assets.defs.reports.assets import CATALOG as REPORT_CATALOG
from reporting_assets.defs.reports.assets import report_assets
from reporting_assets.resources import resources_for
from reporting_assets.settings import get_settings

__all__ = ["CARRIER_KEY", "RAW_GROUPS", "REPORT_CATALOG", "REPORT_GROUP", "defs", "kpi_models", "raw_key"]
REPORT_GROUP = "reports"

with warnings.catch_warnings():  # code references are a beta API, used knowingly
    warnings.simplefilter("ignore", dg.BetaWarning)
    # Each Python asset links to its source file in the UI (dbt models link to theirs via the translator).
    python_assets = dg.with_source_code_references(
        [*odoo_raw_assets, carrier_shipments, pipeline_health, *report_assets]
    )

defs = with_freshness(
    dg.Definitions(
        assets=[*python_assets, kpi_models, hints_spec],
        jobs=[full_refresh_job],
        schedules=[daily_full_refresh],
        sensors=[
            odoo_changes,
            carrier_changes,
            automation,
            alert_on_run_failure,
            alert_on_check_failure,
            alert_on_stale_data,
        ],
        resources=resources_for(get_settings()) | {"dbt": dbt_resource()},
        # Every step writes the warehouse under the one-slot pool, so steps cannot run in parallel; in one
        # process a run imports the code location once instead of once per step (about 4 s each).
        executor=dg.in_process_executor,
    )
)
