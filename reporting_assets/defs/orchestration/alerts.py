"""Run failures, failed checks, stale data: turned into an `Alert` and sent through every configured
notifier.

DAGSTER_WEBSERVER_URL (default http://localhost:3000) is where the links point.
"""

import json
from dataclasses import asdict
from datetime import UTC, datetime

import dagster as dg
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from reporting_assets.alerts.notifiers import Alert, notifiers_for
from reporting_assets.defs.keys import RAW_KEYS
from reporting_assets.defs.kpis.assets import kpi_models
from reporting_assets.defs.orchestration.freshness import mart_policy, raw_policy
from reporting_assets.failures import user_message
from reporting_assets.settings import get_settings

MART_KEYS = [k for k in kpi_models.keys if k.path[0] == "marts"]
WEBSERVER_URL = get_settings().webserver_url


def run_failure_alert(run: dg.DagsterRun, message: str, failed_at: float) -> Alert:
    return Alert(
        subject=f"Run failed: {run.job_name}",
        what=f"job {run.job_name}, run {run.run_id}",
        why=message.strip() or "unknown",
        since=_iso(failed_at),
        link=f"{WEBSERVER_URL}/runs/{run.run_id}",
    )


def check_failure_alert(evaluation: dg.AssetCheckEvaluation, run_id: str, at: float) -> Alert:
    asset = evaluation.asset_key.to_user_string()
    details = ", ".join(f"{k}={v.value}" for k, v in evaluation.metadata.items()) or "see the check's metadata"
    return Alert(
        subject=f"Check failed: {asset} {evaluation.check_name}",
        what=f"asset {asset}, check {evaluation.check_name}",
        why=details,
        since=_iso(at),
        link=f"{WEBSERVER_URL}/runs/{run_id}",
    )


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def notify(alert: Alert, log) -> None:
    settings = get_settings()
    alert = Alert(**{k: settings.redact(v) for k, v in asdict(alert).items()})  # no secret in any alert
    log.warning(alert.text())
    for notifier in notifiers_for(settings):
        try:
            notifier.send(alert)
        except OSError as exc:  # a notifier down must not hide the alert: it is in the log above
            log.error(f"{type(notifier).__name__} could not send the alert: {exc}")


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    monitor_all_code_locations=True,
    description="Sends an alert (email, webhook) when any run fails.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext):
    steps = context.get_step_failure_events()
    if steps:
        why = "; ".join(dict.fromkeys(user_message(e.step_failure_data.error) for e in steps))
    else:
        why = context.failure_event.message or "the run failed before any step ran"
    notify(run_failure_alert(context.dagster_run, why, datetime.now(UTC).timestamp()), context.log)


@dg.sensor(
    name="alert_on_check_failure",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends an alert (email, webhook) for every asset check that fails with ERROR severity.",
)
def alert_on_check_failure(context: dg.SensorEvaluationContext):
    """Per check, the newest failed execution; alerted once (the cursor keeps each check's last id).
    The first look only records where things stand, so history is not replayed."""
    seen = json.loads(context.cursor) if context.cursor else None
    latest = {}
    for key in context.repository_def.asset_graph.asset_check_keys:
        failed = context.instance.event_log_storage.get_asset_check_execution_history(
            key, limit=1, status={AssetCheckExecutionRecordStatus.FAILED}
        )
        if not failed:
            continue
        record = failed[0]
        latest[key.to_user_string()] = record.id
        if seen is None or seen.get(key.to_user_string(), 0) >= record.id:
            continue
        evaluation = record.event.dagster_event.event_specific_data
        if evaluation.severity == dg.AssetCheckSeverity.ERROR:
            notify(check_failure_alert(evaluation, record.run_id, record.create_timestamp), context.log)
    context.update_cursor(json.dumps({**(seen or {}), **latest}))
    return dg.SkipReason("check failures looked at")


def stale_alert(key: dg.AssetKey, fail_window: str, since: float) -> Alert:
    asset = key.to_user_string()
    return Alert(
        subject=f"Stale data: {asset}",
        what=f"asset {asset}",
        why=f"not updated within its freshness window (fail after {fail_window})",
        since=_iso(since),
        link=f"{WEBSERVER_URL}/assets/{'/'.join(key.path)}",
    )


@dg.sensor(
    name="alert_on_stale_data",
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends an alert (email, webhook) when a raw table or a mart fails its freshness policy.",
)
def alert_on_stale_data(context: dg.SensorEvaluationContext):
    """Once per transition into FAIL, as the freshness daemon records them (cursor: the last one alerted)."""
    alerted = json.loads(context.cursor) if context.cursor else {}
    policies = {key: raw_policy() for key in RAW_KEYS} | {key: mart_policy() for key in MART_KEYS}
    for key, record in context.instance.get_freshness_state_records(list(policies)).items():
        stamp = record.updated_at.timestamp()
        if record.freshness_state != FreshnessState.FAIL or alerted.get(key.to_user_string(), 0) >= stamp:
            continue
        window = policies[key].fail_window.to_timedelta()
        notify(stale_alert(key, f"{window.total_seconds() / 3600:g} h", stamp), context.log)
        alerted[key.to_user_string()] = stamp
    context.update_cursor(json.dumps(alerted))
    return dg.SkipReason("freshness looked at")
