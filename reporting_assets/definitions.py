"""The Dagster code location: one Definitions object assembled from `defs/`.

The foundation ships no assets yet; ingestion (raw Odoo and carrier assets),
the dbt KPI layer and operations are added layer by layer under `defs/`.
"""

import dagster as dg

defs = dg.Definitions()
