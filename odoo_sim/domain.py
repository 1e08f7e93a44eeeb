"""Odoo domains (prefix notation) compiled into Python predicates.

The semantics follow Odoo 17's `expression.py` as a reporting client sees
them: leaves are ANDed by default, `False` means NULL, the negative operators
(`!=`, `not in`, `not like`, `not ilike`) also match NULL, comparisons with
NULL are false, a dotted path through a many2one follows it, and a path or a
leaf on a one2many/many2many matches when any related record matches. A leaf
on a field Odoo cannot search (not stored, not related, no search method) is
dropped, as Odoo drops it: it matches every record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from .errors import value_error
from .schema import searchable

Predicate = Callable[[dict], bool]

OPERATORS = {
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=?",
    "in",
    "not in",
    "like",
    "not like",
    "ilike",
    "not ilike",
    "=like",
    "=ilike",
    "child_of",
    "parent_of",
    "any",
    "not any",
}
NEGATIVE = {"!=": "=", "not in": "in", "not like": "like", "not ilike": "ilike", "not any": "any"}
TRUE_LEAF, FALSE_LEAF = (1, "=", 1), (0, "=", 1)


class Resolver(Protocol):
    """What the domain evaluator needs from the database."""

    def meta(self, model: str) -> dict[str, dict]: ...
    def value(self, model: str, rec: dict, field: str): ...
    def record(self, model: str, rid: int) -> dict | None: ...
    def display_name(self, model: str, rid: int) -> str: ...
    def parent_field(self, model: str) -> str | None: ...


def leaf_repr(leaf) -> str:
    return repr(tuple(leaf))


def compile_domain(domain, model: str, db: Resolver) -> Predicate:
    if not isinstance(domain, list):
        raise value_error(f"Invalid domain: {domain!r}")
    stack: list[Predicate] = []
    for item in reversed(normalize(domain)):
        if item == "!":
            operand = _pop(stack, domain)
            stack.append(lambda r, p=operand: not p(r))
        elif item in ("&", "|"):
            a, b = _pop(stack, domain), _pop(stack, domain)
            stack.append((lambda r, a=a, b=b: a(r) and b(r)) if item == "&" else (lambda r, a=a, b=b: a(r) or b(r)))
        else:
            stack.append(_compile_leaf(item, model, db))
    if len(stack) != 1:
        raise value_error(f"Invalid domain: {domain!r}")
    return stack[0]


def _pop(stack: list, domain) -> Predicate:
    if not stack:
        raise value_error(f"Invalid domain: {domain!r}")
    return stack.pop()


def normalize(domain: list) -> list:
    """Make the implicit AND between consecutive terms explicit, as Odoo's normalize_domain does."""
    if not domain:
        return [TRUE_LEAF]
    result, expected = [], 1
    for token in domain:
        if expected == 0:
            result[0:0] = ["&"]
            expected = 1
        if isinstance(token, (list, tuple)):
            expected -= 1
            token = tuple(token)
        elif token in ("&", "|"):
            expected += 1
        elif token != "!":
            raise value_error(f"Invalid domain term {token!r}")
        result.append(token)
    return result


def _compile_leaf(leaf: tuple, model: str, db: Resolver) -> Predicate:
    if leaf == TRUE_LEAF:
        return lambda r: True
    if leaf == FALSE_LEAF:
        return lambda r: False
    if len(leaf) != 3 or not isinstance(leaf[0], str) or leaf[1] not in OPERATORS:
        raise value_error(f"Invalid leaf {leaf_repr(leaf)}")
    path, op, value = leaf
    parts = path.split(".")
    if _unsearchable(parts, model, db):
        # Odoo replaces the leaf by an empty domain (logging "Non-stored field ... cannot be
        # searched."), so it matches every record; through a path, every record the path leads
        # somewhere from (`id > 0` at its end).
        if len(parts) == 1:
            return lambda r: True
        return _compile_path(parts[:-1] + ["id"], ">", 0, model, db, leaf)
    if op in NEGATIVE:
        positive = _compile_path(parts, NEGATIVE[op], value, model, db, leaf)
        return lambda r: not positive(r)
    return _compile_path(parts, op, value, model, db, leaf)


def _unsearchable(parts: list[str], model: str, db: Resolver) -> bool:
    """Whether the path is valid and ends on a field Odoo cannot search (an invalid path is left to
    `_compile_path`, which reports it)."""
    for name in parts[:-1]:
        model = (db.meta(model).get(name) or {}).get("relation")
        if model is None:
            return False
    meta = db.meta(model).get(parts[-1])
    return meta is not None and not searchable(model, parts[-1], meta)


def _compile_path(parts: list[str], op: str, value, model: str, db: Resolver, leaf) -> Predicate:
    name = parts[0]
    meta = db.meta(model).get(name)
    if meta is None:
        raise value_error(f"Invalid field {model}.{name} in leaf {leaf_repr(leaf)}")
    ftype, comodel = meta["type"], meta.get("relation")
    if len(parts) > 1:
        if not comodel:
            raise value_error(f"Invalid field {model}.{parts[1]} in leaf {leaf_repr(leaf)}")
        inner = _compile_path(parts[1:], op, value, comodel, db, leaf)

        def follow(r, name=name, comodel=comodel, many=ftype != "many2one"):
            v = db.value(model, r, name)
            ids = (v or []) if many else ([v] if v else [])
            return any(inner(t) for t in (db.record(comodel, i) for i in ids) if t is not None)

        return follow
    test = _operator(op, value, ftype, comodel, db, leaf, model)
    if ftype in ("one2many", "many2many"):

        def x2many(r):
            ids = db.value(model, r, name)
            return any(test(i) for i in ids) if ids else test(None)

        return x2many
    return lambda r: test(db.value(model, r, name))


def _operator(op: str, value, ftype: str, comodel: str | None, db: Resolver, leaf, model: str) -> Callable:
    """A test on one stored value (an id for relational fields, None for NULL)."""
    if ftype == "datetime" and isinstance(value, str) and len(value) == 10:
        value = value + " 00:00:00"
    if op == "=?":
        return (lambda v: True) if value in (False, None) else _operator("=", value, ftype, comodel, db, leaf, model)
    if ftype == "datetime" and isinstance(value, str) and op in ("=", "<", "<=", ">", ">="):
        # Stamps are stored with microseconds (db.STAMPS): compare instants, as PostgreSQL does,
        # so "...:53" equals "...:53.000000" and is before "...:53.417032".
        test = _operator(op, _instant(value), "char", None, db, leaf, model)
        return lambda v: test(_instant(v) if isinstance(v, str) else v)
    if op in ("any",):
        if not comodel:
            raise value_error(f"Invalid leaf {leaf_repr(leaf)}")
        sub = compile_domain(value if isinstance(value, list) else [], comodel, db)
        return lambda v: v is not None and (t := db.record(comodel, v)) is not None and sub(t)
    if op in ("child_of", "parent_of"):
        return _hierarchy(op, value, comodel or model, db, leaf)
    if comodel and isinstance(value, str) and op in ("=", "like", "ilike", "=like", "=ilike"):
        by_name = _operator(op, value, "char", None, db, leaf, model)
        return lambda v: v is not None and by_name(db.display_name(comodel, v))
    if op == "=":
        if value is False or value is None:
            return lambda v: v is None or v is False or (ftype != "boolean" and v == "")
        if ftype == "boolean":
            return lambda v: bool(v) == bool(value)
        return lambda v: v == value
    if op == "in":
        values = value if isinstance(value, (list, tuple)) else [value]
        with_null = False in values or None in values
        allowed = {x for x in values if x is not False and x is not None}
        if ftype == "boolean":
            return lambda v: bool(v) in allowed or (with_null and not v)
        return lambda v: (v is None and with_null) or (v is not None and v in allowed)
    if op in ("<", "<=", ">", ">="):
        cmp = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}[
            op
        ]
        if value is False or value is None:
            return lambda v: False
        return lambda v: v is not None and v is not False and _comparable(v, value) and cmp(v, value)
    # like family: Odoo wraps like/ilike in %...%; =like/=ilike use the pattern as given.
    pattern = str(value) if op.startswith("=") else f"%{value}%"
    regex = re.compile(_like_to_regex(pattern), re.DOTALL | (re.IGNORECASE if "ilike" in op else 0))
    return lambda v: v is not None and v is not False and regex.fullmatch(str(v)) is not None


def text_test(op: str, value) -> Callable:
    """How a leaf `(<char field>, op, value)` tests one text."""
    if op in NEGATIVE:
        positive = _operator(NEGATIVE[op], value, "char", None, None, (op,), "")
        return lambda v: not positive(v)
    return _operator(op, value, "char", None, None, (op,), "")


def _instant(text: str) -> str:
    return text + ".000000" if len(text) == 19 else text


def _comparable(a, b) -> bool:
    number = (int, float)
    return (isinstance(a, number) and isinstance(b, number)) or type(a) is type(b)


def _like_to_regex(pattern: str) -> str:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return "".join(out)


def _hierarchy(op: str, value, model: str, db: Resolver, leaf) -> Callable:
    parent = db.parent_field(model)
    if parent is None:
        raise value_error(f"Invalid leaf {leaf_repr(leaf)}: {model} has no hierarchy")
    targets = set(value if isinstance(value, (list, tuple)) else [value])

    def ancestors(rid):
        seen = []
        while rid and rid not in seen:
            seen.append(rid)
            rec = db.record(model, rid)
            rid = db.value(model, rec, parent) if rec else None
        return seen

    if op == "child_of":
        return lambda v: v is not None and any(a in targets for a in ancestors(v))
    above = {a for t in targets for a in ancestors(t)}
    return lambda v: v is not None and v in above
