"""One raw asset per Odoo model of `reporting_assets/odoo/tables.py`, group `odoo_raw`.

Thin wiring: the extraction is `odoo.sync.sync_table`; this module hands it the
resources, logs progress, and reports metadata and checks (`raw_metadata.py`).
All writers share the concurrency pool `warehouse` (DuckDB allows one writer).
"""

import dagster as dg

from reporting_assets.defs.keys import raw_key
from reporting_assets.defs.raw_metadata import check_specs, count_check, drift_check, materialize_result
from reporting_assets.odoo.client import UnknownModelError
from reporting_assets.odoo.columns import column_descriptions, resolve_columns
from reporting_assets.odoo.sync import SCHEMA, create_absent, reconcile, reconcile_reason, sync_table
from reporting_assets.odoo.tables import ODOO_TABLES, OPTIONAL_MODELS, OdooTable
from reporting_assets.resources import OdooResource, WarehouseResource
from reporting_assets.warehouse import POOL
from reporting_assets.webhooks import HINTS_KEY


class IngestConfig(dg.Config):
    full_refresh: bool = False  # ignore the stored cursor and re-read every record


def odoo_raw_asset(table: OdooTable) -> dg.AssetsDefinition:
    key = raw_key(table)

    @dg.asset(
        key=key,
        group_name="odoo_raw",
        pool=POOL,
        kinds={"odoo", "python"},
        check_specs=check_specs(key),
        deps=[HINTS_KEY],
        owners=["team:data-platform"],
        tags={"tier": "bronze", "source": "odoo"},
        description=f"Odoo `{table.model}` as extracted, incrementally by write_date, into "
        f"`{SCHEMA}.{table.table}` (deleted records kept with `_deleted_at`).",
        metadata={"odoo_model": table.model, "odoo_fields": table.fields},
    )
    def _raw(
        context: dg.AssetExecutionContext, config: IngestConfig, odoo: OdooResource, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        client = odoo.client()
        try:
            client.fields_get(table.model)
        except UnknownModelError as exc:
            if table.model not in OPTIONAL_MODELS:
                raise
            with warehouse.open() as wh:
                create_absent(wh, table)
                rows = wh.count(SCHEMA, table.table)
            context.log.warning(f"{table.model}: not extracted, {exc}; the table stays empty")
            return dg.MaterializeResult(
                metadata={"notice": f"not extracted: {exc}", "dagster/row_count": rows},
                check_results=[count_check(None, rows), drift_check(None, {})],
            )

        def progress(result) -> None:
            if result.pages % 10 == 1:
                context.log.info(f"{table.model}: page {result.pages}, {result.rows_read} rows so far")

        with warehouse.open() as wh:
            result = sync_table(
                client, wh, table, context.run.run_id, full_refresh=config.full_refresh, progress=progress
            )
            rows = wh.count(SCHEMA, table.table)
        for name in result.skipped_fields:  # expected on Odoo without an optional module: a notice, not a warning
            context.log.info(f"{table.model}: optional field {name!r} is not on this server; column left NULL")
        source_count = client.search_count(table.model, [])
        reason = reconcile_reason(result, source_count, rows)
        if reason:  # the copy may be off record by record: reconcile it by id before judging it
            with warehouse.open() as wh:
                reread = reconcile(client, wh, table, context.run.run_id)
                rows = wh.count(SCHEMA, table.table)
            source_count = client.search_count(table.model, [])
            context.log.warning(f"{table.model}: {reason}; {reread} records re-read by id")
        context.log.info(
            f"{table.model}: read {result.rows_read}, inserted {result.inserted}, updated "
            f"{result.updated}, deleted {result.deleted} in {result.seconds} s"
        )
        fields = client.fields_get(table.model)
        descriptions = column_descriptions(table.model, resolve_columns(table, fields), fields)
        return materialize_result(result, f"{SCHEMA}.{table.table}", warehouse.kind, rows, source_count, descriptions)

    return _raw


odoo_raw_assets = [odoo_raw_asset(table) for table in ODOO_TABLES]
