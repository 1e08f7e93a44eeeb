"""Domain semantics, table-driven: each operator against a small hand-made database."""

import pytest

from odoo_sim.db import Database
from odoo_sim.errors import OdooError
from odoo_sim.orm import Orm


@pytest.fixture(scope="module")
def orm():
    db = Database("t", 17, "2026-11-27", "admin", "admin", None)
    base = {"write_date": "2026-01-01 00:00:00"}
    for rid, name, parent in [(1, "All", None), (2, "Saleable", 1), (3, "Tools", 2), (4, "Safety", 2)]:
        db.insert("product.category", {"id": rid, "name": name, "parent_id": parent, **base})
    db.insert(
        "res.partner",
        {
            "id": 1,
            "name": "Acme Corp",
            "ref": "C1",
            "email": "a@x.example",
            "is_company": True,
            "active": True,
            "supplier_rank": 0,
            **base,
        },
    )
    db.insert(
        "res.partner",
        {
            "id": 2,
            "name": "Beta_Ltd",
            "ref": None,
            "email": None,
            "is_company": True,
            "active": True,
            "supplier_rank": 3,
            **base,
        },
    )
    db.insert(
        "res.partner",
        {
            "id": 3,
            "name": "carla",
            "ref": "C3",
            "email": "c@x.example",
            "is_company": False,
            "active": False,
            "supplier_rank": 1,
            "parent_id": 1,
            **base,
        },
    )
    db.insert(
        "res.partner",
        {
            "id": 4,
            "name": "Delta 100%",
            "ref": "C4",
            "email": "d@x.example",
            "is_company": True,
            "active": True,
            "supplier_rank": 0,
            **base,
        },
    )
    return Orm(db)


def ids(orm, model, domain, **ctx):
    return orm.rpc_search(model, domain, order="id", context={"active_test": False, **ctx})


CASES = [
    ([("name", "=", "Acme Corp")], [1]),
    ([("name", "!=", "Acme Corp")], [2, 3, 4]),
    ([("ref", "=", False)], [2]),
    ([("ref", "!=", False)], [1, 3, 4]),
    ([("ref", "!=", "C1")], [2, 3, 4]),  # negative operators include NULL
    ([("supplier_rank", ">", 1)], [2]),
    ([("supplier_rank", ">=", 1)], [2, 3]),
    ([("supplier_rank", "<", 1)], [1, 4]),
    ([("supplier_rank", "<=", 1)], [1, 3, 4]),
    ([("ref", "=?", False)], [1, 2, 3, 4]),
    ([("ref", "=?", "C3")], [3]),
    ([("id", "in", [1, 3, 99])], [1, 3]),
    ([("ref", "in", ["C1", False])], [1, 2]),
    ([("id", "not in", [1, 3])], [2, 4]),
    ([("ref", "not in", ["C1"])], [2, 3, 4]),
    ([("name", "like", "Corp")], [1]),
    ([("name", "like", "corp")], []),
    ([("name", "ilike", "CORP")], [1]),
    ([("name", "not like", "Corp")], [2, 3, 4]),
    ([("name", "not ilike", "a")], []),
    ([("name", "=like", "Beta_Ltd")], [2]),
    ([("name", "=like", "B%")], [2]),
    ([("name", "=ilike", "CARLA")], [3]),
    ([("name", "ilike", "100%")], [4]),
    ([("email", "ilike", "x.example")], [1, 3, 4]),
    ([("is_company", "=", False)], [3]),
    ([("is_company", "=", True)], [1, 2, 4]),
    ([("parent_id.name", "=", "Acme Corp")], [3]),
    ([("parent_id", "=", "Acme Corp")], [3]),
    ([("parent_id", "ilike", "acme")], [3]),
    ([("parent_id", "=", False)], [1, 2, 4]),
    (["|", ("id", "=", 1), ("id", "=", 2)], [1, 2]),
    (["&", ("is_company", "=", True), ("supplier_rank", ">", 0)], [2]),
    ([("is_company", "=", True), ("supplier_rank", ">", 0)], [2]),  # implicit AND
    (["!", ("id", "=", 1)], [2, 3, 4]),
    (["|", "!", ("id", "=", 1), ("name", "=", "Acme Corp")], [1, 2, 3, 4]),
    (["|", ("id", "=", 1), "&", ("is_company", "=", False), ("active", "=", False)], [1, 3]),
    ([("child_ids", "=", 3)], [1]),
    ([("child_ids", "=", False)], [2, 3, 4]),
    ([("id", "child_of", 1)], [1, 3]),
    ([("id", "parent_of", 3)], [1, 3]),
    ([(1, "=", 1)], [1, 2, 3, 4]),
]


@pytest.mark.parametrize("domain,expected", CASES, ids=[repr(c[0]) for c in CASES])
def test_operator(orm, domain, expected):
    assert ids(orm, "res.partner", domain) == expected


def test_child_of_and_parent_of_on_a_category_tree(orm):
    assert ids(orm, "product.category", [("id", "child_of", 2)]) == [2, 3, 4]
    assert ids(orm, "product.category", [("id", "parent_of", [3])]) == [1, 2, 3]
    assert ids(orm, "product.category", [("parent_id", "child_of", 1)]) == [2, 3, 4]


def test_archived_records_hidden_unless_active_test_is_false(orm):
    assert orm.rpc_search("res.partner", [], order="id", context={}) == [1, 2, 4]
    assert orm.rpc_search("res.partner", [("active", "=", False)], order="id", context={}) == [3]


def test_order_with_several_keys_and_nulls_last(orm):
    ctx = {"active_test": False}
    assert orm.rpc_search("res.partner", [], order="is_company desc, name asc", context=ctx) == [1, 2, 4, 3]
    assert orm.rpc_search("res.partner", [], order="ref asc, id desc", context=ctx) == [1, 3, 4, 2]
    assert orm.rpc_search("res.partner", [], order="ref desc", context=ctx) == [2, 4, 3, 1]
    assert orm.rpc_search("res.partner", [], offset=1, limit=2, order="id", context=ctx) == [2, 3]


@pytest.mark.parametrize(
    "domain,message",
    [
        ([("nope", "=", 1)], "Invalid field res.partner.nope in leaf ('nope', '=', 1)"),
        ([("name", "~~", "x")], "Invalid leaf ('name', '~~', 'x')"),
        ([("parent_id.nope", "=", 1)], "Invalid field res.partner.nope"),
        (["|", ("id", "=", 1)], "Invalid domain"),
        (["&"], "Invalid domain"),
        ([("name", "=")], "Invalid leaf"),
    ],
)
def test_bad_domains_raise_odoo_value_errors(orm, domain, message):
    with pytest.raises(OdooError) as err:
        ids(orm, "res.partner", domain)
    assert err.value.name == "builtins.ValueError"
    assert message in err.value.message
