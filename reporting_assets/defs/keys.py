"""The names the definitions share: raw asset keys and the raw groups (the pool is the warehouse's).

One place, so that the assets, the sensors, the health asset and the CLI can
never disagree on which key a raw table has.
"""

import dagster as dg

from reporting_assets.carrier.sync import SCHEMA as CARRIER_SCHEMA
from reporting_assets.carrier.sync import TABLE as CARRIER_TABLE
from reporting_assets.odoo.sync import SCHEMA as ODOO_SCHEMA
from reporting_assets.odoo.tables import ODOO_TABLES, OdooTable

RAW_GROUPS = ("odoo_raw", "carrier_raw")
CARRIER_KEY = dg.AssetKey([CARRIER_SCHEMA, CARRIER_TABLE])


def raw_key(table: OdooTable) -> dg.AssetKey:
    """`raw_odoo/<table>`: the raw asset of an Odoo model, also the dbt source's key."""
    return dg.AssetKey([ODOO_SCHEMA, table.table])


RAW_KEYS = [raw_key(t) for t in ODOO_TABLES] + [CARRIER_KEY]
