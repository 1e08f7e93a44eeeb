"""`read_group`: Odoo's grouped aggregation, with its result shape.

Each group carries the groupby values (many2one as `[id, name]`, date groups
as labels such as "January 2024" plus `__range`), the count (`__count`, or
`<field>_count` when lazy), the aggregates, and `__domain`, the search domain
that selects the group's records. Only columns group and aggregate (see
`_check_column`): Odoo 17 leaves out a field named without a function that is
not one, and refuses it otherwise.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .db import served
from .domain import normalize
from .errors import value_error
from .schema import GROUP_OPERATORS, is_column

AGGREGATES = {"sum", "min", "max", "avg", "count", "count_distinct", "array_agg", "bool_and", "bool_or"}
GRANULARITIES = ("day", "week", "month", "quarter", "year")
NUMERIC = ("integer", "float", "monetary")
_SPEC = re.compile(r"^(?P<name>\w+)(?::(?P<func>\w+)(?:\((?P<field>\w+)\))?)?$")


def read_group(db, model, domain, records, fields, groupby, offset, limit, orderby, lazy, tz):
    meta = db.meta(model)
    groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
    specs = [_parse_groupby(g, db, model) for g in groupby]
    if lazy and specs:
        specs, rest = specs[:1], groupby[1:]
    else:
        rest = []
    aggregates = _parse_aggregates(fields, db, model, specs)
    zone = ZoneInfo(tz) if tz else None

    buckets: dict[tuple, list[dict]] = {}
    for rec in records:
        key = tuple(_group_key(db, model, rec, s, zone) for s in specs)
        buckets.setdefault(key, []).append(rec)

    result = []
    for key in sorted(buckets, key=lambda k: tuple(_sortable(db, s, v) for s, v in zip(specs, k, strict=True))):
        recs = buckets[key]
        group: dict = {}
        leaves = []
        for spec, value in zip(specs, key, strict=True):
            label, leaf, rng = _describe(db, spec, value, zone)
            group[spec["key"]] = label
            leaves.append(leaf)
            if rng:
                group.setdefault("__range", {})[spec["key"]] = rng
        count_key = f"{specs[0]['field']}_count" if lazy and specs else "__count"
        group[count_key] = len(recs)
        for alias, func, field in aggregates:
            group[alias] = served(_aggregate(func, [db.value(model, r, field) for r in recs]), meta[field]["type"])
        group["__domain"] = _and(domain, [x for leaf in leaves for x in leaf])
        if rest:
            group["__context"] = {"group_by": rest}
        result.append(group)
    if orderby:
        result = _order_groups(result, orderby)
    offset = offset or 0
    return result[offset : offset + limit] if limit else result[offset:]


def _check_column(db, model: str, name: str) -> None:
    """Odoo's error unless SQL can group on the field: a column, or a many2many through its table."""
    if not (is_column(db.fields, model, name) or db.meta(model)[name]["type"] == "many2many"):
        raise value_error(f"Cannot convert field {model}.{name} to SQL")


def _parse_groupby(spec: str, db, model: str) -> dict:
    meta = db.meta(model)
    name, _, granularity = spec.partition(":")
    if name not in meta:
        raise value_error(f"Invalid field {name!r} on model")
    _check_column(db, model, name)
    ftype = meta[name]["type"]
    if ftype in ("date", "datetime"):
        granularity = granularity or "month"
        if granularity not in GRANULARITIES:
            raise value_error(f"Invalid date/time grouping: {granularity!r}")
    elif granularity:
        raise value_error(f"Invalid groupby specification {spec!r}")
    return {
        "key": spec,
        "field": name,
        "type": ftype,
        "granularity": granularity,
        "relation": meta[name].get("relation"),
    }


def _parse_aggregates(fields, db, model: str, specs) -> list[tuple[str, str, str]]:
    meta = db.meta(model)
    grouped = {s["field"] for s in specs}
    out = []
    for spec in fields or []:
        m = _SPEC.match(spec.strip())
        if not m:
            raise value_error(f"Invalid field specification {spec!r}.")
        name, func, field = m["name"], m["func"], m["field"] or m["name"]
        if name == "__count":
            continue
        if field not in meta:
            raise value_error(f"Invalid field {field!r} on model")
        if func is None:  # the field's group_operator, if it is a column
            func = GROUP_OPERATORS.get((model, field), "sum" if meta[field]["type"] in NUMERIC else None)
            if func is None or field in grouped or field == "id" or not is_column(db.fields, model, field):
                continue
        _check_column(db, model, field)
        if func not in AGGREGATES:
            raise value_error(f"Invalid aggregation function {func!r}.")
        out.append((name, func, field))
    return out


def _aggregate(func: str, values: list):
    present = [v for v in values if v is not None and v is not False]
    if func == "sum":
        return sum(present) if present else 0
    if func == "avg":
        return sum(present) / len(present) if present else False
    if func == "min":
        return min(present) if present else False
    if func == "max":
        return max(present) if present else False
    if func == "count":
        return len(present)
    if func == "count_distinct":
        return len({tuple(v) if isinstance(v, list) else v for v in present})
    if func == "array_agg":
        return values
    if func == "bool_and":
        return all(values)
    return any(values)


def _group_key(db, model, rec, spec, zone):
    value = db.value(model, rec, spec["field"])
    if spec["type"] == "datetime" and value:
        moment = datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S")
        if zone:
            moment = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
        return _period_start(moment.date(), spec["granularity"])
    if spec["type"] == "date" and value:
        return _period_start(date.fromisoformat(value), spec["granularity"])
    if isinstance(value, list):
        return tuple(value)
    return value


def _period_start(d: date, granularity: str) -> date:
    if granularity == "week":
        return d - timedelta(days=d.weekday())
    if granularity == "month":
        return d.replace(day=1)
    if granularity == "quarter":
        return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    if granularity == "year":
        return d.replace(month=1, day=1)
    return d


def _period_end(d: date, granularity: str) -> date:
    if granularity == "day":
        return d + timedelta(days=1)
    if granularity == "week":
        return d + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    month = d.month - 1 + months
    return d.replace(year=d.year + month // 12, month=month % 12 + 1, day=1)


def _label(d: date, granularity: str) -> str:
    if granularity == "day":
        return d.strftime("%d %b %Y")
    if granularity == "week":
        year, week, _ = d.isocalendar()
        return f"W{week} {year}"
    if granularity == "month":
        return d.strftime("%B %Y")
    if granularity == "quarter":
        return f"Q{(d.month - 1) // 3 + 1} {d.year}"
    return str(d.year)


def _describe(db, spec, value, zone):
    """(label for the result, domain leaves selecting the group, __range or None)."""
    field = spec["field"]
    if spec["type"] in ("date", "datetime"):
        if value is None:
            return False, [(field, "=", False)], {"from": False, "to": False}
        end = _period_end(value, spec["granularity"])
        if spec["type"] == "date":
            start_s, end_s = value.isoformat(), end.isoformat()
        else:
            start_s, end_s = (_to_utc(x, zone) for x in (value, end))
        leaves = ["&", (field, ">=", start_s), (field, "<", end_s)]
        return _label(value, spec["granularity"]), leaves, {"from": start_s, "to": end_s}
    if spec["type"] == "many2one":
        if not value:
            return False, [(field, "=", False)], None
        return [value, db.display_name(spec["relation"], value)], [(field, "=", value)], None
    if value is None:
        return False, [(field, "=", False)], None
    return (list(value) if isinstance(value, tuple) else value), [(field, "=", value)], None


def _to_utc(d: date, zone) -> str:
    moment = datetime(d.year, d.month, d.day)
    if zone:
        moment = moment.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _sortable(db, spec, value):
    if value is None or value is False:
        return (1, "")
    if spec["type"] == "many2one":
        return (0, db.display_name(spec["relation"], value))
    return (0, value)


def _and(domain: list, leaves: list) -> list:
    """AND the search domain with the group's leaves, in normalised prefix form as Odoo returns it."""
    parts = [normalize([tuple(t) if isinstance(t, list) else t for t in p]) for p in (domain, leaves) if p]
    flat = ["&"] * (len(parts) - 1) + [x for p in parts for x in p]
    return [list(x) if isinstance(x, tuple) else x for x in flat]


def _order_groups(result: list[dict], orderby: str) -> list[dict]:
    for part in reversed([p.split() for p in orderby.split(",") if p.strip()]):
        key, desc = part[0], len(part) > 1 and part[1].lower() == "desc"
        result.sort(key=lambda g: _group_sort_value(g.get(key)), reverse=desc)
    return result


def _group_sort_value(value):
    if isinstance(value, list) and len(value) == 2:
        value = value[1]
    return (value is None or value is False, value if value not in (None, False) else "")
