"""The carrier tracking source: one raw asset, `raw_carrier.shipments`, group `carrier_raw`.

The source is optional, as every source beside Odoo is: a site without a
carrier tracking API (CARRIER_API_URL unset) still gets the table, empty, so
the carrier marts build empty instead of failing; and when the API is
configured but fails, the asset keeps the rows it had, reports the failure
as a failed (warn) check and alerts, and does not stop the Odoo KPIs.
"""

import dagster as dg

from reporting_assets.carrier.client import CarrierError
from reporting_assets.carrier.sync import DESCRIPTIONS, SCHEMA, TABLE, TYPES, sync_shipments
from reporting_assets.defs.keys import CARRIER_KEY as KEY
from reporting_assets.defs.odoo_raw.assets import IngestConfig
from reporting_assets.defs.raw_metadata import check_specs, count_check, drift_check, materialize_result
from reporting_assets.resources import CarrierApiResource, WarehouseResource
from reporting_assets.warehouse import POOL

AVAILABLE_CHECK = "source_available"
NOT_CONFIGURED = "not extracted: CARRIER_API_URL is not set (this site has no carrier tracking API)"


@dg.asset(
    key=KEY,
    group_name="carrier_raw",
    pool=POOL,
    kinds={"api", "python"},
    check_specs=[
        *check_specs(KEY, required_source=False),
        dg.AssetCheckSpec(
            AVAILABLE_CHECK,
            asset=KEY,
            description=(
                "The carrier API answered (or is not configured). When it fails, the shipments extracted "
                "before are kept and the Odoo KPIs go on; only the carrier figures are stale."
            ),
        ),
    ],
    owners=["team:data-platform"],
    tags={"domain": "delivery", "tier": "bronze", "source": "carrier_api"},
    description="Shipments of the carrier tracking API (one row per tracking reference), incrementally "
    "by `updated_at`, into `raw_carrier.shipments`. Optional: empty when CARRIER_API_URL "
    "is not set.",
)
def carrier_shipments(
    context: dg.AssetExecutionContext,
    config: IngestConfig,
    carrier_api: CarrierApiResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    if not carrier_api.configured:
        return _without_source(context, warehouse, NOT_CONFIGURED, passed=True)
    client = carrier_api.client()
    try:
        with warehouse.open() as wh:
            result = sync_shipments(client, wh, context.run.run_id, full_refresh=config.full_refresh)
            rows = wh.count(SCHEMA, TABLE)
        source_count = client.shipments_page(None, 1)["total"]
    except CarrierError as exc:
        return _without_source(
            context, warehouse, f"not extracted: {exc}; the shipments extracted before are kept", passed=False
        )
    context.log.info(f"shipments: read {result.rows_read}, inserted {result.inserted}, updated {result.updated}")
    materialized = materialize_result(result, f"{SCHEMA}.{TABLE}", warehouse.kind, rows, source_count, DESCRIPTIONS)
    return dg.MaterializeResult(
        metadata=materialized.metadata,
        check_results=[*materialized.check_results, dg.AssetCheckResult(check_name=AVAILABLE_CHECK, passed=True)],
    )


def _without_source(context, warehouse: WarehouseResource, notice: str, passed: bool) -> dg.MaterializeResult:
    """The table as it stands (created empty when new), the reason, and whether that is expected."""
    with warehouse.open() as wh:
        wh.ensure_table(SCHEMA, TABLE, TYPES, key="tracking_ref")
        rows = wh.count(SCHEMA, TABLE)
    (context.log.info if passed else context.log.warning)(f"shipments: {notice}")
    return dg.MaterializeResult(
        metadata={"notice": notice, "dagster/row_count": rows, "dagster/table_name": f"{SCHEMA}.{TABLE}"},
        check_results=[
            count_check(None, rows),
            drift_check(None, {}),
            dg.AssetCheckResult(
                check_name=AVAILABLE_CHECK,
                passed=passed,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"notice": notice},
            ),
        ],
    )
