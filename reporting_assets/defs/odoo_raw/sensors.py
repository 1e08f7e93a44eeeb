"""Event capture: a sensor per source asks cheaply what changed and requests only those raw assets.

Odoo: one `read_group` per model gives its record count and newest `write_date`
(`OdooClient.fingerprint`); a model whose fingerprint moved since the sensor's
cursor gets its raw asset requested. The carrier API: one 1-row page of
shipments updated since the newest `updated_at` seen. The marts above follow by
declarative automation. The first evaluation (no cursor) requests every raw
asset, so a new deployment catches up. Interval: REPORTING_SENSOR_INTERVAL
seconds (default 60).
"""

import json
import os

import dagster as dg

from reporting_assets.carrier.sync import SCHEMA as CARRIER_SCHEMA, TABLE as CARRIER_TABLE
from reporting_assets.odoo.client import UnknownModelError
from reporting_assets.odoo.sync import SCHEMA
from reporting_assets.odoo.tables import ODOO_TABLES
from reporting_assets.resources import CarrierApiResource, OdooResource

INTERVAL = int(os.environ.get("REPORTING_SENSOR_INTERVAL") or 60)
CARRIER_KEY = dg.AssetKey([CARRIER_SCHEMA, CARRIER_TABLE])


def changed(previous: dict, current: dict) -> list[str]:
    """The names whose fingerprint differs from the previous one (all of them on a first look)."""
    return [name for name, print_ in current.items() if previous.get(name) != print_]


@dg.sensor(name="odoo_changes", minimum_interval_seconds=INTERVAL, default_status=dg.DefaultSensorStatus.RUNNING,
           target=dg.AssetSelection.groups("odoo_raw"),
           description="Requests the raw Odoo assets whose model changed (count or newest write_date).")
def odoo_changes(context: dg.SensorEvaluationContext, odoo: OdooResource):
    previous = json.loads(context.cursor) if context.cursor else {}
    client = odoo.client()
    current = {}
    for table in ODOO_TABLES:
        try:
            current[table.model] = client.fingerprint(table.model)
        except UnknownModelError:
            continue  # an optional module that is not installed
    models = changed(previous, current)
    context.update_cursor(json.dumps(current))
    if not models:
        return dg.SkipReason("no Odoo model changed")
    keys = [dg.AssetKey([SCHEMA, t.table]) for t in ODOO_TABLES if t.model in models]
    return dg.RunRequest(asset_selection=keys, tags={"reporting/changed": ",".join(sorted(models))[:200]})


@dg.sensor(name="carrier_changes", minimum_interval_seconds=INTERVAL, default_status=dg.DefaultSensorStatus.RUNNING,
           target=dg.AssetSelection.assets(CARRIER_KEY),
           description="Requests the carrier shipments when the API has shipments updated since the last look.")
def carrier_changes(context: dg.SensorEvaluationContext, carrier_api: CarrierApiResource):
    since = context.cursor or None
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
