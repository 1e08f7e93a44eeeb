"""Declarative automation: the sensor that evaluates every asset's automation condition (the dbt
models' `eager()`, `pipeline_health`'s cron) and launches what they request.

Dagster creates a `default_automation_condition_sensor` when none is defined, but stopped until
someone switches it on in the UI; a deployment whose marts never follow their raw tables is not
one we want to ship, so this one runs from the start. It ticks at every pass of the daemon's loop
(every 5 s; a minimum interval of 5 would often wait for the next pass), so a change reaches the
marts soon after the raw table has loaded it.
"""

import dagster as dg

automation = dg.AutomationConditionSensorDefinition(
    "kpi_automation",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=1,
    description="Builds the dbt models (and pipeline_health) when their automation condition says so.",
)
