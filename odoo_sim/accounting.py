"""Posting invoices and bills as Odoo 17's account module does, and the partner ranks it raises.

`res.partner.customer_rank` and `supplier_rank` are not flags that say who is a customer or a
vendor: they count posted documents. `account.move._post` (account/models/account_move.py)
raises them, and nothing else in sale, purchase or stock does: confirming or receiving a purchase
order leaves `supplier_rank` alone, so a vendor whose bills are entered in another system keeps
`supplier_rank = 0` however much it delivers. `res.partner._increase_rank`
(account/models/partner.py) writes the new rank with a raw SQL `UPDATE`: the partner's
`write_date` does not move and no automation rule (webhook) fires. The only other way to a rank
is account's `res.partner.create`: a partner created where Odoo searches customers or vendors
(context `res_partner_search_mode`, as the partner field of a sale or purchase order and the
Customers and Vendors menus set it) starts at 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from .db import missing
from .errors import OdooError

SALE_TYPES = ("out_invoice", "out_refund")  # `is_sale_document()`: invoices and credit notes
PURCHASE_TYPES = ("in_invoice", "in_refund")  # `is_purchase_document()`: bills and refunds
RANK_OF_SEARCH_MODE = {"customer": "customer_rank", "supplier": "supplier_rank"}


def rank_increases(moves: Iterable[dict], commercial_of: Callable[[int], int]) -> Counter:
    """(partner id, rank field) -> what `_post` adds for these newly posted moves: one per sale
    document to `customer_rank`, one per purchase document to `supplier_rank`, of its partner and
    of that partner's commercial entity (once when they are the same). Journal entries raise the
    ranks of the partners of their receivable and payable lines; the demo has no accounts, so
    here they raise nothing."""
    counts: Counter = Counter()
    for move in moves:
        field = (
            "customer_rank"
            if move["move_type"] in SALE_TYPES
            else "supplier_rank"
            if move["move_type"] in PURCHASE_TYPES
            else None
        )
        if field and move.get("partner_id"):
            for partner in {move["partner_id"], commercial_of(move["partner_id"])}:
                counts[(partner, field)] += 1
    return counts


def with_search_mode_rank(vals: dict, context: dict) -> dict:
    """The values of a partner created with `res_partner_search_mode` in its context: rank 1."""
    field = RANK_OF_SEARCH_MODE.get(context.get("res_partner_search_mode"))
    return {field: 1, **vals} if field else vals


def post(db, ids: list[int]) -> None:
    """`account.move.action_post`: Odoo's checks and messages, the number from the journal's
    sequence, state `posted` (a write: the moves and their lines get a new `write_date`), then the
    ranks raised behind the ORM's back."""
    moves = []
    for rid in ids:
        move = db.record("account.move", rid)
        if move is None:
            raise missing("account.move", rid)
        moves.append(move)
    for move in moves:
        if not move.get("partner_id") and move["move_type"] in SALE_TYPES:
            raise _user_error("The field 'Customer' is required, please complete it to validate the Customer Invoice.")
        if not move.get("partner_id") and move["move_type"] in PURCHASE_TYPES:
            raise _user_error("The field 'Vendor' is required, please complete it to validate the Vendor Bill.")
        if move["move_type"].startswith("in_") and not move.get("invoice_date"):  # bills, refunds, receipts
            raise _user_error("The Bill/Refund date is required to validate this document.")
    for move in moves:
        if move.get("state") in ("posted", "cancel"):
            raise _user_error(f"The entry {move.get('name') or False} (id {move['id']}) must be in draft.")
        if not any(
            line.get("display_type") not in ("line_section", "line_note")
            for line in db.inverse("account.move.line", "move_id", move["id"])
        ):
            raise _user_error("You need to add a line before posting.")
    stamp = db.now()  # one transaction
    for move in moves:
        values = {"state": "posted"}
        if move["move_type"].startswith("out_") and not move.get("invoice_date"):
            values["invoice_date"] = db.today  # Odoo dates an undated customer invoice today
        if move.get("name") in (None, False, "/"):
            day = values.get("invoice_date") or db.value("account.move", move, "date")
            values["name"] = _next_number(db, move, day)
        db.write("account.move", [move["id"]], values, stamp)

    def commercial_of(partner_id: int) -> int:
        return db.value("res.partner", db.record("res.partner", partner_id), "commercial_partner_id") or partner_id

    for (partner, field), n in rank_increases(moves, commercial_of).items():
        db.sql_increment("res.partner", [partner], field, n)


def sequence_prefix(move_type: str, day: str) -> tuple[str, int]:
    """(prefix, digits) of a move's number in Odoo 17's default journals
    (`account.move._get_starting_sequence`): INV/2026/00001 in the sales journal (yearly),
    BILL/2026/11/0001 in the purchase journal and MISC/2026/11/0001 for entries (monthly), with
    an R before the code for credit notes and refunds."""
    sale = move_type in SALE_TYPES
    code = "INV" if sale else "BILL" if move_type in PURCHASE_TYPES else "MISC"
    refund = "R" if move_type in ("out_refund", "in_refund") else ""
    return f"{refund}{code}/{day[:4]}/" + ("" if sale else f"{day[5:7]}/"), 5 if sale else 4


def _next_number(db, move: dict, day: str) -> str:
    prefix, digits = sequence_prefix(move["move_type"], day)
    used = [
        int(tail)
        for m in db.tables["account.move"].values()
        if (name := m.get("name") or "").startswith(prefix) and (tail := name[len(prefix) :]).isdigit()
    ]
    return f"{prefix}{max(used, default=0) + 1:0{digits}d}"


def _user_error(message: str) -> OdooError:
    return OdooError("odoo.exceptions.UserError", message)
