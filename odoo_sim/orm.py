"""The model methods a client may call over RPC, with Odoo's arguments, values and errors."""

from __future__ import annotations

import inspect
import itertools

from . import accounting, groups
from .db import Database, missing, served
from .domain import compile_domain, text_test
from .errors import OdooError, value_error
from .schema import MODELS, is_column
from .webhooks import Webhook

# Methods that exist on one model only (the others exist on every model).
OWN_METHODS = {"action_post": "account.move"}


class Orm:
    """Odoo's public model API (`search_read`, `read_group`, `write`, ...) over a Database."""

    def __init__(self, db: Database, webhook: Webhook | None = None):
        self.db, self.webhook = db, webhook

    # --- dispatch -----------------------------------------------------------
    def call(self, model: str, method: str, args: list, kwargs: dict):
        if model not in self.db.fields:  # not served, or its module is not installed (--stock-odoo)
            raise OdooError("odoo.exceptions.UserError", f"Object {model} doesn't exist")
        if method.startswith("_"):
            raise OdooError(
                "odoo.exceptions.AccessError", f"Private methods (such as {method}) cannot be called remotely."
            )
        if model == "res.users" and method == "context_get":
            return {"lang": "en_US", "tz": "UTC", "uid": self.db.uid}
        if model == "ir.model.data" and method == "check_object_reference":
            return self.check_object_reference(*args)
        func = getattr(self, "rpc_" + method, None)
        if func is None or OWN_METHODS.get(method, model) != model:
            raise OdooError("builtins.AttributeError", f"The method '{method}' does not exist on the model '{model}'")
        kwargs = dict(kwargs or {})
        context = kwargs.pop("context", None) or {}
        accepted = inspect.signature(func).parameters
        unknown = [k for k in kwargs if k not in accepted]
        if unknown:
            raise OdooError(
                "builtins.TypeError", f"{model}.{method}() got an unexpected keyword argument '{unknown[0]}'"
            )
        return func(model, *args, context=context, **kwargs)

    def check_object_reference(self, module: str, xml_id: str, raise_on_access_error: bool = False):
        refs = {
            ("base", "main_company"): ["res.company", 1],
            ("base", "user_admin"): ["res.users", 2],
            ("base", "EUR"): ["res.currency", 2],
            ("base", "USD"): ["res.currency", 1],
        }
        if (module, xml_id) not in refs:
            raise value_error(f"External ID not found in the system: {module}.{xml_id}")
        return refs[(module, xml_id)]

    # --- reading ------------------------------------------------------------
    def search_records(self, model: str, domain, context: dict, offset=0, limit=None, order=None) -> list[dict]:
        db = self.db
        domain = list(domain or [])
        if MODELS[model].has_active and context.get("active_test", True) and not _mentions(domain, "active"):
            domain = [("active", "=", True)] + domain
        predicate = compile_domain(domain, model, db)
        matching = (r for r in db.records_after(model, _id_floor(domain)) if predicate(r))
        keys = _parse_order(order or MODELS[model].order, model, db)
        offset = offset or 0
        if keys in ([], [("id", False)]):  # records come in id order already: stop at the page's end
            return list(itertools.islice(matching, offset, offset + limit if limit else None))
        records = list(matching)
        for field, desc in reversed(keys):
            getter = _sort_getter(db, model, field)
            records.sort(key=lambda r: _null_last(getter(r)), reverse=desc)
        return records[offset : offset + limit] if limit else records[offset:]

    def rpc_search(self, model, domain=None, offset=0, limit=None, order=None, count=False, context=None):
        records = self.search_records(model, domain, context, offset, limit, order)
        return len(records) if count else [r["id"] for r in records]

    def rpc_search_count(self, model, domain=None, limit=None, context=None):
        return len(self.search_records(model, domain, context, 0, limit, order="id"))

    def rpc_search_read(
        self, model, domain=None, fields=None, offset=0, limit=None, order=None, context=None, load="_classic_read"
    ):
        fields = self._check_fields(model, fields)
        records = self.search_records(model, domain, context, offset, limit, order)
        return [self._render(model, r, fields, load) for r in records]

    def rpc_read(self, model, ids, fields=None, load="_classic_read", context=None):
        fields = self._check_fields(model, fields)
        ids = [ids] if isinstance(ids, int) else list(ids or [])
        out = []
        for rid in ids:
            rec = self.db.record(model, rid)
            if rec is None:
                raise missing(model, rid)
            out.append(self._render(model, rec, fields, load))
        return out

    def rpc_fields_get(self, model, allfields=None, attributes=None, context=None):
        meta = self.db.meta(model)
        names = [f for f in (allfields or meta) if f in meta]
        return {
            n: ({k: v for k, v in meta[n].items() if k in attributes} if attributes else dict(meta[n])) for n in names
        }

    def rpc_default_get(self, model, fields_list, context=None):
        """Defaults of new records; odoorpc asks for them whenever it builds an empty record
        (e.g. an unset many2one). Only `active` and the few of ModelSpec.defaults are known here."""
        spec = MODELS[model]
        defaults = {**spec.defaults, **({"active": True} if spec.has_active else {})}
        return {f: v for f, v in defaults.items() if f in fields_list}

    def rpc_name_get(self, model, ids, context=None):
        ids = [ids] if isinstance(ids, int) else ids
        return [[i, self.db.display_name(model, i)] for i in ids if self.db.record(model, i) is not None]

    def rpc_name_search(self, model, name="", args=None, operator="ilike", limit=100, context=None):
        """Records whose display name matches: close to Odoo's search on the model's rec names (a
        leaf on `display_name` would not do: Odoo 17 cannot search that field)."""
        names = ((r["id"], self.db.display_name(model, r["id"])) for r in self.search_records(model, args, context))
        test = text_test(operator, name) if name else (lambda _: True)
        return [[rid, text] for rid, text in names if test(text)][: limit or None]

    def rpc_read_group(
        self, model, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True, context=None
    ):
        records = self.search_records(model, domain, context)
        return groups.read_group(
            self.db,
            model,
            list(domain or []),
            records,
            fields,
            groupby,
            offset,
            limit,
            orderby,
            lazy,
            context.get("tz"),
        )

    # --- writing ------------------------------------------------------------
    def rpc_create(self, model, vals_list, context=None):
        single = isinstance(vals_list, dict)  # create(vals) answers an id, create([vals, ...]) a list
        vals_list = [vals_list] if single else vals_list
        if model == "res.partner":
            vals_list = [accounting.with_search_mode_rank(vals, context) for vals in vals_list]
        ids = [self.db.create(model, vals) for vals in vals_list]
        self._notify(model, ids)
        return ids[0] if single else ids

    def rpc_write(self, model, ids, vals, context=None):
        ids = [ids] if isinstance(ids, int) else list(ids)
        self.db.write(model, ids, vals)
        self._notify(model, ids)
        return True

    def rpc_unlink(self, model, ids, context=None):
        ids = [ids] if isinstance(ids, int) else list(ids)
        payloads = self.webhook.payloads(self.db, model, ids) if self.webhook else []
        self.db.unlink(model, ids)
        if self.webhook:  # the payloads were read before the records went, as `on_unlink` rules run
            self.webhook.send(payloads)
        return True

    # --- business methods ---------------------------------------------------
    def rpc_action_post(self, model, ids, context=None):
        """account.move's Post button. It raises the partners' ranks without writing them (no new
        `write_date`, no webhook: see accounting.py) and answers False, as Odoo's does."""
        ids = [ids] if isinstance(ids, int) else list(ids)
        accounting.post(self.db, ids)
        self._notify(model, ids)
        return False

    # --- helpers --------------------------------------------------------------
    def _notify(self, model: str, ids: list[int]) -> None:
        if self.webhook:
            self.webhook.send(self.webhook.payloads(self.db, model, ids))

    def _check_fields(self, model: str, fields) -> list[str]:
        meta = self.db.meta(model)
        if not fields:
            return [f for f in meta if f != "id"]
        for f in fields:
            if f not in meta:
                raise value_error(f"Invalid field '{f}' on model '{model}'")
        return [f for f in fields if f != "id"]

    def _render(self, model: str, rec: dict, fields: list[str], load) -> dict:
        """One record as Odoo serialises it: many2one [id, name] (bare id without `load`), False for empty."""
        db, meta = self.db, self.db.meta(model)
        out = {"id": rec["id"]}
        for f in fields:
            value = db.value(model, rec, f)
            ftype = meta[f]["type"]
            if ftype == "many2one":
                if not value:
                    value = False
                elif load == "_classic_read":
                    value = [value, db.display_name(meta[f]["relation"], value)]
            elif value is None:
                value = False
            else:
                value = served(value, ftype)
            out[f] = value
        return out


def _id_floor(domain: list) -> int | None:
    """The k of an `("id", ">", k)` (or `>=`) that every match must satisfy: a leaf of a domain
    made of leaves alone (implicitly ANDed). None when there is none."""
    if not all(isinstance(t, (list, tuple)) for t in domain):
        return None
    floors = [
        t[2] - (t[1] == ">=")
        for t in domain
        if len(t) == 3 and t[0] == "id" and t[1] in (">", ">=") and type(t[2]) is int
    ]
    return max(floors) if floors else None


def _mentions(domain: list, field: str) -> bool:
    return any(isinstance(t, (list, tuple)) and len(t) == 3 and t[0] == field for t in domain)


def _parse_order(order: str, model: str, db: Database) -> list[tuple[str, bool]]:
    """The (field, descending) keys of an `order`; a term on a field that is not a column is
    skipped, as Odoo 17 skips it (logging "cannot be sorted on field ... (not a column)")."""
    keys = []
    for part in order.split(","):
        words = part.split()
        if not words:
            continue
        field, direction = words[0], (words[1].lower() if len(words) > 1 else "asc")
        if field not in db.meta(model) or direction not in ("asc", "desc") or len(words) > 3:
            raise value_error(
                f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated '
                f"list of valid field names (optionally followed by asc/desc for the direction)"
            )
        if is_column(db.fields, model, field):
            keys.append((field, direction == "desc"))
    return keys


def _sort_getter(db: Database, model: str, field: str):
    meta = db.meta(model)[field]
    if meta["type"] == "many2one":  # Odoo orders by the comodel's order; its display name is close
        comodel = meta["relation"]
        return lambda r: db.display_name(comodel, v) if (v := db.value(model, r, field)) else None
    return lambda r: db.value(model, r, field)


def _null_last(value):
    """PostgreSQL puts NULLs last in ascending order (first in descending)."""
    if value is None:
        return (1, 0)
    return (0, value)
