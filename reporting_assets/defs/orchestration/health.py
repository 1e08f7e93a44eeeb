"""`pipeline_health`: one row per source table saying how fresh it is, plus the last run and
the failing checks, as a table in `marts` (for reports and BI) and as asset metadata (for the UI).

Freshness is judged here with the same windows as the freshness policies
(`freshness.py`): fresh, warn or fail by the minutes since the last successful
extraction, `never loaded` before the first one. Refreshed every 15 minutes.
"""

import time

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from reporting_assets.defs.keys import RAW_KEYS
from reporting_assets.defs.kpis.assets import kpi_models
from reporting_assets.defs.orchestration.freshness import raw_policy
from reporting_assets.defs.raw_metadata import COUNT_CHECK, DRIFT_CHECK
from reporting_assets.resources import WarehouseResource
from reporting_assets.warehouse import POOL

TYPES = {
    "source": "text",
    "minutes_since_extraction": "double",
    "freshness": "text",
    "last_run_status": "text",
    "failing_checks": "text",
    "checked_at": "timestamp",
}


def freshness_status(minutes: float | None, warn_minutes: float, fail_minutes: float) -> str:
    if minutes is None:
        return "never loaded"
    return "fail" if minutes > fail_minutes else "warn" if minutes > warn_minutes else "fresh"


# Every 15 minutes whatever the sources did: `on_cron` would also wait for every raw table to update.
EVERY_15_MINUTES = dg.AutomationCondition.cron_tick_passed("*/15 * * * *").since_last_handled()


@dg.asset(
    key=dg.AssetKey(["marts", "pipeline_health"]),
    group_name="monitoring",
    pool=POOL,
    deps=RAW_KEYS,
    automation_condition=EVERY_15_MINUTES,
    kinds={"python"},
    owners=["team:data-platform"],
    tags={"domain": "platform", "tier": "gold"},
    description="Per source table: minutes since the last successful extraction and its freshness "
    "(fresh / warn / fail / never loaded); the last run's status; the failing checks.",
)
def pipeline_health(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    instance, now = context.instance, time.time()
    policy = raw_policy()
    warn, fail = (
        policy.warn_window.to_timedelta().total_seconds() / 60,
        policy.fail_window.to_timedelta().total_seconds() / 60,
    )
    runs = instance.get_runs(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE]), limit=1
    )
    last_run = runs[0].status.value if runs else "none"
    failing = {}
    check_keys = [dg.AssetCheckKey(k, name) for k in RAW_KEYS for name in (COUNT_CHECK, DRIFT_CHECK)]
    for check_key in [*check_keys, *kpi_models.check_keys]:
        latest = instance.event_log_storage.get_asset_check_execution_history(check_key, limit=1)
        if latest and latest[0].status == AssetCheckExecutionRecordStatus.FAILED:
            failing.setdefault(check_key.asset_key, []).append(check_key.name)
    rows = []
    for key in RAW_KEYS:
        event = instance.get_latest_materialization_event(key)
        minutes = None if event is None else round((now - event.timestamp) / 60, 1)
        rows.append(
            {
                "source": key.to_user_string(),
                "minutes_since_extraction": minutes,
                "freshness": freshness_status(minutes, warn, fail),
                "last_run_status": last_run,
                "failing_checks": ", ".join(sorted(failing.get(key, []))) or None,
                "checked_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)),
            }
        )
    with warehouse.open() as wh:
        wh.replace("marts", "pipeline_health", {c: [r[c] for r in rows] for c in TYPES}, TYPES)
    stale = [r["source"] for r in rows if r["freshness"] != "fresh"]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(rows),
            "stale_or_never_loaded": ", ".join(stale) or "-",
            "failing_checks": ", ".join(f"{k.to_user_string()}: {', '.join(v)}" for k, v in failing.items()) or "-",
            "last_run_status": last_run,
            "health": dg.MetadataValue.md(
                "| source | minutes | freshness |\n|---|---|---|\n"
                + "\n".join(f"| {r['source']} | {r['minutes_since_extraction']} | {r['freshness']} |" for r in rows)
            ),
        }
    )
