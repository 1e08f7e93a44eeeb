"""The carrier tracking API: a second system beside Odoo, as distributors have.

`GET /carrier-api/v1/shipments?updated_since=<ISO 8601>&page=<n>&page_size=<n>`
with `Authorization: Bearer <token>` returns one record per shipment tracking
reference, ordered by (`updated_at`, `tracking_ref`) so that paging is stable:

    {"shipments": [{"tracking_ref", "carrier_code", "shipped_at", "delivered_at",
                    "status", "service_level_days", "updated_at"}, ...],
     "page": 1, "page_size": 500, "total": 1234, "next_page": 2 | null}

Timestamps are ISO 8601 UTC with a `Z`; `delivered_at` is null until delivered.
"""

from __future__ import annotations

from datetime import UTC, datetime

MAX_PAGE_SIZE = 1000


class CarrierApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def list_shipments(shipments: list[dict], query: dict[str, str]) -> dict:
    since = query.get("updated_since")
    try:
        page = int(query.get("page", "1"))
        size = int(query.get("page_size", "500"))
    except ValueError:
        raise CarrierApiError(400, "page and page_size must be integers") from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise CarrierApiError(400, f"page must be >= 1 and page_size between 1 and {MAX_PAGE_SIZE}")
    if since is not None:
        since = _parse(since)
        if since is None:
            raise CarrierApiError(400, "updated_since must be an ISO 8601 timestamp such as 2024-05-01T00:00:00Z")
    selected = [s for s in shipments if since is None or s["updated_at"] > since]
    selected.sort(key=lambda s: (s["updated_at"], s["tracking_ref"]))
    start = (page - 1) * size
    chunk = selected[start : start + size]
    return {
        "shipments": chunk,
        "page": page,
        "page_size": size,
        "total": len(selected),
        "next_page": page + 1 if start + size < len(selected) else None,
    }


def _parse(ts: str) -> str | None:
    """An ISO 8601 timestamp as the API's own UTC form, or None when it is not one."""
    try:
        moment = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
