"""What every raw source shares, whatever it reads from: the load columns and a sync's result.

Each raw table (Odoo models in `raw_odoo`, the carrier API in `raw_carrier`)
carries the same three load columns, and each extraction reports the same
counts, so the raw assets describe every source the same way
(`defs/raw_metadata.py`). Free of Dagster and of any one source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reporting_assets.warehouse.base import MergeCounts, utc_now

# Load metadata, appended to every raw table.
META_COLUMNS = (("_extracted_at", "timestamp"), ("_sync_run_id", "text"), ("_deleted_at", "timestamp"))

META_DESCRIPTIONS = {
    "_extracted_at": "When this row was last written by the extraction (UTC).",
    "_sync_run_id": "The Dagster run that last wrote this row.",
    "_deleted_at": "When the extraction found the record gone from the source (UTC); NULL while it exists.",
}


def with_load_metadata(data: dict[str, list], rows: int, run_id: str) -> dict[str, list]:
    """Add the load metadata columns (META_COLUMNS) to a batch of `rows` rows."""
    data["_extracted_at"] = [utc_now()] * rows
    data["_sync_run_id"] = [run_id] * rows
    data["_deleted_at"] = [None] * rows
    return data


@dataclass
class SyncResult:
    """What one extraction of one table did: counts, cursors and columns, for metadata and checks."""

    table: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    pages: int = 0
    cursor_before: dict | None = None
    cursor_after: dict | None = None
    seconds: float = 0.0
    skipped_fields: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    previous_columns: dict[str, str] | None = None
    full_refresh: bool = False  # every record re-read: a changed shape of the source is accepted

    def add(self, counts: MergeCounts) -> None:
        """Count one merged page."""
        self.rows_read += counts.rows
        self.inserted += counts.inserted
        self.updated += counts.updated
        self.unchanged += counts.unchanged
        self.pages += 1
