"""What every raw asset reports: materialization metadata and its two checks.

Shared by the Odoo and carrier raw assets so both say the same things the
same way; plain functions of a `SyncResult`.
"""

from __future__ import annotations

import json

import dagster as dg

from reporting_assets.raw.load import META_COLUMNS, SyncResult

COUNT_CHECK = "source_count_matches"
DRIFT_CHECK = "schema_unchanged"


def check_specs(key: dg.AssetKey, required_source: bool = True) -> list[dg.AssetCheckSpec]:
    """The checks of a raw table. Both mean "the copy is incomplete", so for a required source (Odoo)
    they block: the marts are not rebuilt from it. An optional source's (the carrier's) only report."""
    return [
        dg.AssetCheckSpec(
            COUNT_CHECK,
            blocking=required_source,
            asset=key,
            description=(
                "The source's record count (archived included) equals the warehouse's count of rows not marked "
                "deleted, after missing records were re-read by id. A difference left means rows were lost or "
                "duplicated (or the source changed during the run): what is downstream is not rebuilt."
            ),
        ),
        dg.AssetCheckSpec(
            DRIFT_CHECK,
            blocking=required_source,
            asset=key,
            description=(
                "The columns (and types) extracted equal those of the last accepted shape. A field that "
                "appeared, vanished or changed type in the source leaves the rows read before the change "
                "incomplete: what is downstream is not rebuilt until a full refresh of the table "
                "(`reporting ingest --full-refresh --models <model>`) re-reads every record in the new shape."
            ),
        ),
    ]


def materialize_result(
    result: SyncResult,
    qualified_table: str,
    warehouse_kind: str,
    warehouse_rows: int,
    source_count: int | None,
    descriptions: dict[str, str] | None = None,
) -> dg.MaterializeResult:
    descriptions = descriptions or {}
    metadata = {
        "dagster/table_name": qualified_table,
        "dagster/row_count": warehouse_rows,
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(name, sql_type, description=descriptions.get(name))
                for name, sql_type in (result.columns | dict(META_COLUMNS)).items()
            ]
        ),
        "warehouse": warehouse_kind,
        "rows_read": result.rows_read,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged_reread": result.unchanged,
        "deleted": result.deleted,
        "pages": result.pages,
        "seconds": dg.MetadataValue.float(result.seconds),
        "cursor_before": json.dumps(result.cursor_before),
        "cursor_after": json.dumps(result.cursor_after),
    }
    if result.skipped_fields:
        metadata["skipped_optional_fields"] = ", ".join(result.skipped_fields)
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            count_check(source_count, warehouse_rows),
            drift_check(result.previous_columns, result.columns, accepted=result.full_refresh),
        ],
    )


def count_check(source_count: int | None, warehouse_rows: int) -> dg.AssetCheckResult:
    if source_count is None:
        return dg.AssetCheckResult(
            check_name=COUNT_CHECK, passed=True, metadata={"note": "the source offers no count; not compared"}
        )
    return dg.AssetCheckResult(
        check_name=COUNT_CHECK,
        passed=source_count == warehouse_rows,
        metadata={
            "source_count": source_count,
            "warehouse_count": warehouse_rows,
            "difference": warehouse_rows - source_count,
        },
    )


def schema_drift(previous: dict[str, str] | None, current: dict[str, str]) -> dict[str, list[str]]:
    """Columns added, removed and retyped since the previous run (nothing on a first run)."""
    if previous is None:
        return {"added": [], "removed": [], "retyped": []}
    return {
        "added": sorted(set(current) - set(previous)),
        "removed": sorted(set(previous) - set(current)),
        "retyped": sorted(
            f"{c}: {previous[c]} -> {current[c]}" for c in set(current) & set(previous) if previous[c] != current[c]
        ),
    }


def drift_check(
    previous: dict[str, str] | None, current: dict[str, str], accepted: bool = False
) -> dg.AssetCheckResult:
    """Fails on a changed shape until a full refresh (`accepted`) has re-read the table in it."""
    drift = schema_drift(previous, current)
    metadata = {"first_run": previous is None, **{k: ", ".join(v) or "-" for k, v in drift.items()}}
    changed = any(drift.values())
    if changed:
        metadata["action"] = (
            "accepted: this full refresh re-read every record in the new shape"
            if accepted
            else "check the change in the source, then re-read the table in its new shape: "
            "reporting ingest --full-refresh --models <this table's model>"
        )
    return dg.AssetCheckResult(check_name=DRIFT_CHECK, passed=accepted or not changed, metadata=metadata)
