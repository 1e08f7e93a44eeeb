"""The demo server's in-memory database: records, indexes, and value access.

Records are plain dicts holding stored values in a Python shape: a many2one
as an id or None, a many2many as a list of ids, dates and datetimes as Odoo's
strings, None for NULL. Keys starting with `_` are private to the generator
(e.g. an invoice's currency rate) and never served. Everything an RPC client
sees goes through `value()`, which also answers computed, related and
one2many fields, so derived figures always agree with the stored ones.
"""

from __future__ import annotations

import bisect
import threading
import zlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from .computed import COMPUTE, DISPLAY
from .errors import OdooError, value_error
from .schema import MODELS, field_meta

DT_FORMAT = "%Y-%m-%d %H:%M:%S"
STAMP_FORMAT = DT_FORMAT + ".%f"

# Odoo stamps `create_date` and `write_date` with PostgreSQL's transaction time, `now() AT TIME
# ZONE 'UTC'`: microseconds, one value for every record a transaction writes (a mass update, an
# import, a recompute). Its JSON-RPC answers them truncated to the second (`fields.Datetime.to_string`),
# and a domain compares the stored value with the string it is given. We store them the same way:
# strings of 26 characters ("2026-11-27 22:41:53.417032") that sort and compare as the timestamps do,
# served by `served()` without the fraction. So `("write_date", "=", w)` with a served `w` matches
# nothing and `(">", w)` matches the rest of that second, as on a real server.
STAMPS = ("create_date", "write_date")

# Odoo stores many computed and related fields (order amounts, a line's delivered
# quantity, a line's state); recomputing them writes the record and bumps its
# `write_date`. We compute them on read instead, so a change must bump the
# `write_date` of the records whose stored fields it would recompute, or an
# incremental extractor could not see it. Model -> many2one fields to follow
# (parents: amounts, quantities) ...
TOUCH_PARENTS = {
    "sale.order.line": ("order_id",),
    "purchase.order.line": ("order_id",),
    "account.move.line": ("move_id",),
    "stock.move": ("picking_id", "sale_line_id", "purchase_line_id"),
}
# ... and model -> (child model, its many2one back) (children: related fields such as state; a
# journal item's parent_state, date and move_name follow its entry).
TOUCH_CHILDREN = {
    "sale.order": ("sale.order.line", "order_id"),
    "purchase.order": ("purchase.order.line", "order_id"),
    "account.move": ("account.move.line", "move_id"),
}


class Database:
    def __init__(
        self, name: str, version: int, today: str, login: str, password: str, api_key: str, stock_odoo: bool = False
    ):
        self.name, self.version, self.today = name, version, today
        self.login, self.password, self.api_key = login, password, api_key
        self.uid = 2
        self.fields = field_meta(version, stock_odoo)
        self.tables: dict[str, dict[int, dict]] = {m: {} for m in self.fields}
        self._next_id: dict[str, int] = defaultdict(lambda: 1)
        self._index: dict[tuple[str, str], dict[int, dict[int, dict]]] = {}
        self._ids: dict[str, list[int]] = {}  # model -> its ids in order, built when first needed
        self._last_write = "1970-01-01 00:00:00.000000"
        self.lock = threading.RLock()  # one writer at a time, like a single Odoo worker

    # --- generic access -------------------------------------------------------
    def meta(self, model: str) -> dict[str, dict]:
        return self.fields[model]

    def record(self, model: str, rid) -> dict | None:
        return self.tables[model].get(rid)

    def records_after(self, model: str, after: int | None):
        """The records in id order, from the first id above `after`: PostgreSQL's walk of the
        primary key, so that a page of `id > k` costs what one page costs, not a scan of the table."""
        table = self.tables[model]
        if after is None:
            return iter(table.values())  # kept in id order: ids only grow
        ids = self._ids.get(model)
        if ids is None:
            ids = self._ids[model] = sorted(table)
        return (table[i] for i in ids[bisect.bisect_right(ids, after) :])

    def parent_field(self, model: str) -> str | None:
        return MODELS[model].parent

    def value(self, model: str, rec: dict, field: str):
        """The Python value of one field: stored, computed, related, one2many or inherited."""
        if field in rec:
            return rec[field]
        compute = COMPUTE.get((model, field))
        if compute is not None:
            return compute(self, rec)
        if field == "display_name":
            return self.display_name(model, rec["id"])
        spec = MODELS[model]
        if field in spec.one2many:
            comodel, inverse = spec.one2many[field]
            return [r["id"] for r in self.inverse(comodel, inverse, rec["id"])]
        meta = self.fields[model].get(field, {})
        related = meta.get("related")
        if related:
            return self._follow(model, rec, related.split("."))
        if spec.inherits:
            parent_model, link = spec.inherits
            parent = self.record(parent_model, rec.get(link))
            if parent is not None and field in self.fields[parent_model]:
                return self.value(parent_model, parent, field)
        return _empty(meta.get("type"))

    def _follow(self, model: str, rec: dict, path: list[str]):
        value = self.value(model, rec, path[0])
        if len(path) == 1:
            return value
        meta = self.fields[model].get(path[0]) or {}
        comodel = meta.get("relation")
        if isinstance(value, list):
            value = value[0] if value else None
        target = self.record(comodel, value) if comodel and value else None
        if target is None:
            return _empty((self.fields.get(comodel) or {}).get(path[-1], {}).get("type"))
        return self._follow(comodel, target, path[1:])

    def display_name(self, model: str, rid: int) -> str:
        rec = self.record(model, rid)
        if rec is None:
            return ""
        compute = DISPLAY.get(model)
        return compute(self, rec) if compute else (rec.get("name") or "")

    def inverse(self, model: str, field: str, target_id: int) -> list[dict]:
        """Records of `model` whose many2one `field` points at `target_id`, in id order."""
        index = self._index.get((model, field))
        if index is None:
            index = defaultdict(dict)
            for rec in self.tables[model].values():
                if rec.get(field):
                    index[rec[field]][rec["id"]] = rec
            self._index[(model, field)] = index
        bucket = index.get(target_id)
        return list(bucket.values()) if bucket else []

    # --- writes ---------------------------------------------------------------
    def now(self) -> str:
        """The stamp of one write (one transaction): the wall clock with microseconds, as Odoo's; but
        when the generated history reaches later than the wall clock (the as-of day runs to its
        evening), one second after the newest stored write_date, so that a write is always the
        newest change, as it is in a real Odoo."""
        now = datetime.now(UTC).strftime(STAMP_FORMAT)
        if now <= self._last_write:
            later = datetime.strptime(self._last_write, STAMP_FORMAT) + timedelta(seconds=1)
            now = later.strftime(STAMP_FORMAT)
        self._last_write = now
        return now

    def insert(self, model: str, values: dict) -> dict:
        """Store a record as the generator builds it (no validation, no timestamps added; the
        generator's second-resolution stamps get the fraction a transaction at that second has)."""
        rid = values.get("id") or self._next_id[model]
        self._next_id[model] = max(self._next_id[model], rid + 1)
        rec = {"id": rid, **values}
        self._ids.pop(model, None)
        for stamp in STAMPS:
            if rec.get(stamp):
                rec[stamp] = with_fraction(rec[stamp])
        self.tables[model][rid] = rec
        if rec.get("write_date") and rec["write_date"] > self._last_write:
            self._last_write = rec["write_date"]
        for (m, f), index in self._index.items():
            if m == model and rec.get(f):
                index[rec[f]][rid] = rec
        return rec

    def create(self, model: str, values: dict) -> int:
        self._check_writable(model, values)
        now = self.now()
        spec = MODELS[model]
        stored = {**spec.defaults, **{k: v for k, v in values.items() if spec.one2many.get(k) is None}}
        if spec.has_active:
            stored.setdefault("active", True)
        rec = self.insert(
            model, {**stored, "create_date": now, "write_date": now, "create_uid": self.uid, "write_uid": self.uid}
        )
        self._apply_one2many(model, rec["id"], values)
        self._touch_related(model, rec, now)
        return rec["id"]

    def write(self, model: str, ids: list[int], values: dict, stamp: str | None = None) -> None:
        """`stamp`: the stamp of the transaction this write belongs to (default: a new one)."""
        self._check_writable(model, values)
        now = stamp or self.now()
        for rid in ids:
            rec = self.tables[model].get(rid)
            if rec is None:
                raise missing(model, rid)
            for field, value in values.items():
                if MODELS[model].one2many.get(field) is not None:
                    continue
                index = self._index.get((model, field))
                if index is not None:
                    if rec.get(field):
                        index[rec[field]].pop(rid, None)
                    if value:
                        index[value][rid] = rec
                rec[field] = _m2m_commands(rec.get(field), value) if self._is_m2m(model, field) else value
            rec["write_date"], rec["write_uid"] = now, self.uid
            self._apply_one2many(model, rid, values)
            self._touch_related(model, rec, now)

    def sql_increment(self, model: str, ids, field: str, n: int) -> None:
        """`UPDATE <table> SET field = field + n WHERE id IN ids`, run as raw SQL the way Odoo raises
        partner ranks: it bypasses the ORM, so neither `write_date` nor an automation rule sees it."""
        for rid in ids:
            rec = self.tables[model][rid]
            rec[field] = (rec.get(field) or 0) + n

    def unlink(self, model: str, ids: list[int]) -> None:
        now = self.now()
        for rid in ids:
            rec = self.tables[model].pop(rid, None)
            if rec is None:
                raise missing(model, rid)
            self._ids.pop(model, None)
            self._touch_related(model, rec, now, children=False)
            for (m, f), index in self._index.items():
                if m == model and rec.get(f):
                    index[rec[f]].pop(rid, None)

    def _touch_related(self, model: str, rec: dict, now: str, children: bool = True) -> None:
        """Bump `write_date` where Odoo would recompute a stored field (see TOUCH_PARENTS)."""
        for field in TOUCH_PARENTS.get(model, ()):
            parent_model = self.fields[model][field]["relation"]
            parent = self.tables[parent_model].get(rec.get(field))
            if parent is not None and parent["write_date"] != now:
                parent["write_date"] = now
                self._touch_related(parent_model, parent, now, children=False)
        if children and model in TOUCH_CHILDREN:
            child_model, back = TOUCH_CHILDREN[model]
            for child in self.inverse(child_model, back, rec["id"]):
                child["write_date"] = now

    def _is_m2m(self, model: str, field: str) -> bool:
        return self.fields[model].get(field, {}).get("type") == "many2many"

    def _check_writable(self, model: str, values: dict) -> None:
        if not isinstance(values, dict):
            raise value_error(f"Invalid values for {model}: {values!r}")
        for field in values:
            if field not in self.fields[model] or field in ("id", "display_name"):
                raise value_error(f"Invalid field '{field}' on model '{model}'")

    def _apply_one2many(self, model: str, rid: int, values: dict) -> None:
        """Support the (0, 0, vals) create command on one2many fields, e.g. order lines."""
        for field, commands in values.items():
            spec = MODELS[model].one2many.get(field)
            if spec is None:
                continue
            comodel, inverse = spec
            for command in commands or []:
                if command[0] == 0:
                    self.create(comodel, {**command[2], inverse: rid})
                elif command[0] in (2, 3):
                    self.unlink(comodel, [command[1]])
                elif command[0] == 1:
                    self.write(comodel, [command[1]], command[2])


def with_fraction(stamp: str) -> str:
    """A generated second-resolution stamp with a fraction of a second: the same for every stamp of
    that second (one transaction), derived from it so that generation stays deterministic."""
    if len(stamp) != len("2026-11-27 22:41:53"):
        return stamp
    return f"{stamp}.{zlib.crc32(stamp.encode()) % 1_000_000:06d}"


def served(value, ftype: str | None):
    """A stored value as Odoo's RPC answers it: datetimes without their fraction of a second."""
    if ftype == "datetime" and isinstance(value, str):
        return value[:19]
    return value


def _m2m_commands(current: list | None, value) -> list[int]:
    """Apply Odoo's x2many commands ((6,0,ids), (4,id), (3,id), (5,)) or take a plain id list."""
    ids = list(current or [])
    if not value:
        return []
    if all(isinstance(v, int) for v in value):
        return list(value)
    for command in value:
        code = command[0]
        if code == 6:
            ids = list(command[2])
        elif code == 4 and command[1] not in ids:
            ids.append(command[1])
        elif code == 3 and command[1] in ids:
            ids.remove(command[1])
        elif code == 5:
            ids = []
    return ids


def _empty(ftype: str | None):
    if ftype in ("integer", "float", "monetary"):
        return 0.0 if ftype != "integer" else 0
    if ftype in ("one2many", "many2many"):
        return []
    if ftype == "boolean":
        return False
    return None


def missing(model: str, rid: int) -> OdooError:
    return OdooError(
        "odoo.exceptions.MissingError",
        f"Record does not exist or has been deleted.\n(Record: {model}({rid},), User: 2)",
    )
