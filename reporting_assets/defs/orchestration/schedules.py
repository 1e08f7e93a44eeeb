"""The daily full refresh: every raw table re-read from scratch (cursors ignored, deletions
reconciled), then every model rebuilt. Between two, the sensors keep things fresh incrementally.

REPORTING_FULL_REFRESH_CRON (default "0 2 * * *") and REPORTING_TIMEZONE (default UTC).
"""

import dagster as dg

from reporting_assets.defs.carrier_raw.assets import carrier_shipments
from reporting_assets.defs.odoo_raw.assets import odoo_raw_assets
from reporting_assets.settings import get_settings

full_refresh_job = dg.define_asset_job(
    name="full_refresh",
    # The reports are partitioned by date: automation renders them once their marts are rebuilt.
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("reports"),
    description="Re-read every raw table from scratch, then rebuild every model.",
    config={
        "ops": {a.node_def.name: {"config": {"full_refresh": True}} for a in [*odoo_raw_assets, carrier_shipments]}
    },
)

daily_full_refresh = dg.ScheduleDefinition(
    name="daily_full_refresh",
    job=full_refresh_job,
    cron_schedule=get_settings().full_refresh_cron,
    execution_timezone=get_settings().timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
