"""Event capture: a sensor per source asks cheaply what changed and requests only those raw assets.

Odoo: one `read_group` per model gives its record count and newest `write_date`
(`OdooClient.fingerprint`); a model whose fingerprint moved since the sensor's
cursor gets its raw asset requested. The carrier API: one 1-row page of
shipments updated since the newest `updated_at` seen. The marts above follow by
declarative automation. The first evaluation (no cursor) requests every raw
asset, so a new deployment catches up. Odoo and the carrier API are asked every
REPORTING_SENSOR_INTERVAL seconds (default 60).

Webhook hints (`reporting_assets/webhooks.py`) cut the wait: the Odoo sensor
ticks at every pass of the daemon's sensor loop (every 5 s), reads the hints recorded since its last tick
(one query on the Dagster instance, no call to Odoo) and, when there are any,
polls Odoo at once and requests the hinted models as well as those whose
fingerprint moved (a hint may arrive before Odoo commits, so its fingerprint
may not have moved yet; the write_date sync reads whatever is committed).
"""

import json
import time

import dagster as dg

from reporting_assets.defs.keys import CARRIER_KEY, raw_key
from reporting_assets.odoo.client import UnknownModelError
from reporting_assets.odoo.tables import ODOO_TABLES
from reporting_assets.resources import CarrierApiResource, OdooResource
from reporting_assets.settings import get_settings
from reporting_assets.webhooks import HINTS_KEY

INTERVAL = get_settings().sensor_interval
# The daemon's sensor loop passes every 5 s and evaluates a sensor whose minimum interval has gone
# by; a minimum of 5 would often just miss it and wait for the next pass (10 s). 1: every pass.
EVERY_PASS = 1
NOT_CONFIGURED = "not configured"

hints_spec = dg.AssetSpec(
    HINTS_KEY,
    group_name="event_capture",
    kinds={"odoo"},
    description="Change hints from Odoo automation rules, recorded by `reporting webhooks` (one observation per "
    "model and batch). The odoo_changes sensor requests the hinted models' raw assets on its next tick.",
)


def changed(previous: dict, current: dict) -> list[str]:
    """The names whose fingerprint differs from the previous one (all of them on a first look)."""
    return [name for name, print_ in current.items() if previous.get(name) != print_]


def read_hints(instance: dg.DagsterInstance, after: int | None) -> tuple[set[str], int | None]:
    """The models hinted since storage id `after`, and the new position. With no position yet
    (a first look, which requests everything anyway) the position starts at the newest hint."""
    if after is None:
        newest = instance.fetch_observations(HINTS_KEY, limit=1).records
        return set(), newest[0].storage_id if newest else 0
    records = instance.fetch_observations(
        dg.AssetRecordsFilter(HINTS_KEY, after_storage_id=after), limit=1000, ascending=True
    ).records
    models = {r.asset_observation.metadata["model"].value for r in records}
    return models, records[-1].storage_id if records else after


@dg.sensor(
    name="odoo_changes",
    minimum_interval_seconds=EVERY_PASS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    target=dg.AssetSelection.groups("odoo_raw"),
    description="Requests the raw Odoo assets whose model changed (count or newest write_date), polling Odoo "
    "every REPORTING_SENSOR_INTERVAL seconds, or at once after a webhook hint.",
)
def odoo_changes(context: dg.SensorEvaluationContext, odoo: OdooResource):
    state = json.loads(context.cursor) if context.cursor else {}
    hinted, hints_after = read_hints(context.instance, state.get("hints_after"))
    now = time.time()
    if not hinted and now - state.get("polled_at", 0) < INTERVAL:
        return dg.SkipReason("no webhook hint; the next Odoo poll is not due yet")
    client = odoo.client()
    current = {}
    for table in ODOO_TABLES:
        try:
            current[table.model] = client.fingerprint(table.model)
        except UnknownModelError:
            continue  # an optional module that is not installed
    models = set(changed(state.get("fingerprints", {}), current)) | hinted
    context.update_cursor(json.dumps({"fingerprints": current, "polled_at": now, "hints_after": hints_after}))
    if not models:
        return dg.SkipReason("no Odoo model changed")
    keys = [raw_key(t) for t in ODOO_TABLES if t.model in models]
    return dg.RunRequest(
        asset_selection=keys,
        tags={
            "reporting/changed": ",".join(sorted(models))[:200],
            "reporting/trigger": "webhook" if hinted else "poll",
        },
    )


@dg.sensor(
    name="carrier_changes",
    minimum_interval_seconds=INTERVAL,
    default_status=dg.DefaultSensorStatus.RUNNING,
    target=dg.AssetSelection.assets(CARRIER_KEY),
    description="Requests the carrier shipments when the API has shipments updated since the last look.",
)
def carrier_changes(context: dg.SensorEvaluationContext, carrier_api: CarrierApiResource):
    if not carrier_api.configured:  # materialized once, empty, so that the marts above it can build
        if context.cursor == NOT_CONFIGURED:
            return dg.SkipReason("CARRIER_API_URL is not set: no carrier source")
        context.update_cursor(NOT_CONFIGURED)
        return dg.RunRequest(asset_selection=[CARRIER_KEY])
    since = None if context.cursor in ("", None, NOT_CONFIGURED) else context.cursor
    reply = carrier_api.client().shipments_page(since, 1, page_size=1)
    if since and not reply["shipments"]:
        return dg.SkipReason("no shipment updated")
    newest = _newest_updated_at(carrier_api, since, reply)
    context.update_cursor(newest or since or "")
    return dg.RunRequest(asset_selection=[CARRIER_KEY])


def _newest_updated_at(carrier_api: CarrierApiResource, since: str | None, first: dict) -> str | None:
    """The API sorts oldest first: the last page of size 1 holds the newest update."""
    total = first.get("total") or 0
    if total <= 1:
        return first["shipments"][-1]["updated_at"] if first["shipments"] else None
    return carrier_api.client().shipments_page(since, total, page_size=1)["shipments"][-1]["updated_at"]
