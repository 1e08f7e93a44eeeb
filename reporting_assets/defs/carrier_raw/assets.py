"""The carrier tracking source: one raw asset, `raw_carrier.shipments`, group `carrier_raw`."""

import dagster as dg

from reporting_assets.carrier.sync import SCHEMA, TABLE, sync_shipments
from reporting_assets.defs.odoo_raw.assets import POOL, IngestConfig
from reporting_assets.defs.raw_metadata import check_specs, materialize_result
from reporting_assets.resources import CarrierApiResource, WarehouseResource

KEY = dg.AssetKey([SCHEMA, TABLE])


@dg.asset(key=KEY, group_name="carrier_raw", pool=POOL, kinds={"api", "python"}, check_specs=check_specs(KEY),
          description="Shipments of the carrier tracking API (one row per tracking reference), incrementally "
                      "by `updated_at`, into `raw_carrier.shipments`.")
def carrier_shipments(context: dg.AssetExecutionContext, config: IngestConfig, carrier_api: CarrierApiResource,
                      warehouse: WarehouseResource) -> dg.MaterializeResult:
    client = carrier_api.client()
    with warehouse.open() as wh:
        result = sync_shipments(client, wh, context.run.run_id, full_refresh=config.full_refresh)
        rows = wh.count(SCHEMA, TABLE)
    source_count = client.shipments_page(None, 1)["total"]
    context.log.info(f"shipments: read {result.rows_read}, inserted {result.inserted}, updated {result.updated}")
    return materialize_result(result, f"{SCHEMA}.{TABLE}", warehouse.kind, rows, source_count)
