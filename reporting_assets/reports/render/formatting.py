"""How one value is shown, and the raw form every format keeps beside it.

The renderers never round the value they store: HTML carries it in `data-value` and XLSX writes it as
a typed cell, so a figure read back from any file is the mart's number, not its display text.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

MISSING = "–"


def is_missing(value) -> bool:
    """None, and NaN (how pandas hands over a NULL in a float column)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_date(value) -> date:
    """Dates arrive as `date`, `datetime` or ISO text, depending on the warehouse driver."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def format_value(value, fmt: str) -> str:
    """The display text for `value` in one of `content.FORMATS`."""
    if is_missing(value):
        return MISSING
    if fmt == "integer":
        return f"{value:,.0f}"
    if fmt == "number":
        return f"{value:.2f}"
    if fmt == "money":
        return f"{value:,.2f}"
    if fmt == "percent":
        return f"{value * 100:.1f} %"
    if fmt == "days":
        return f"{value:.1f} d"
    if fmt == "date":
        return as_date(value).isoformat()
    return str(value)


def format_difference(difference, fmt: str) -> str:
    """A signed change; a change between two fractions is in percentage points, not percent."""
    sign = "+" if difference > 0 else ""
    if fmt == "percent":
        return f"{sign}{difference * 100:.1f} pp"
    return sign + format_value(difference, fmt)


def raw_value(value, fmt: str) -> str | None:
    """The exact value as text: `repr` of a float parses back to the same float (`str` of an int or a
    Decimal is exact too); dates in ISO form. None for text, whose display text is the value."""
    if is_missing(value) or fmt == "text":
        return None
    if fmt == "date":
        return as_date(value).isoformat()
    return repr(value) if isinstance(value, float) else str(value)


def utc_timestamp(iso: str) -> datetime:
    """`generated_at` as a naive UTC datetime, second precision: what PDF and XLSX metadata hold."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)
