"""Display names of many2one values, fetched once per record for a whole extraction.

Read with Odoo's default `load="_classic_read"`, every many2one of every row
comes back as `[id, display name]`, and Odoo computes that name per row and per
page anew: twelve many2ones on 5,000 stock moves are 60,000 names a page, most of
them the same few products, locations and partners again. Read with
`load=None`, a many2one is a bare id, about twice as fast on Odoo and on the
demo server alike; the names are then asked for here, one `search_read` of
`display_name` per related model and page for the ids not seen before in this
extraction. The `<field>_name` columns keep their meaning: the display name at
extraction.
"""

from __future__ import annotations

from reporting_assets.odoo.client import OdooClient

CHUNK = 5000  # ids per name request


class DisplayNames:
    """The names seen so far in one extraction, per related model. Shared by the threads of a pass:
    two threads may ask for the same id at once, which costs a request and changes nothing."""

    def __init__(self, fields_get: dict[str, dict], fields: list[str]):
        self.relations = {f: fields_get[f]["relation"] for f in fields if fields_get[f].get("type") == "many2one"}
        self.names: dict[str, dict[int, str | None]] = {model: {} for model in self.relations.values()}

    def attach(self, odoo: OdooClient, page: list[dict]) -> list[dict]:
        """Turn the bare ids of a page read with `load=None` into `[id, name]`, as Odoo's default
        read answers them (`False` stays `False`)."""
        for model, known in self.names.items():
            fields = [f for f, m in self.relations.items() if m == model]
            wanted = sorted({rec[f] for rec in page for f in fields if rec[f]} - known.keys())
            for start in range(0, len(wanted), CHUNK):
                known.update(odoo.display_names(model, wanted[start : start + CHUNK]))
        for field, model in self.relations.items():
            known = self.names[model]
            for rec in page:
                if rec[field]:
                    rec[field] = [rec[field], known.get(rec[field])]
        return page
