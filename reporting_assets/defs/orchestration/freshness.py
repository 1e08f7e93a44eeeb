"""Freshness policies: how old a raw table or a mart may get before the UI (and the freshness
daemon) call it late. Windows in hours from the settings:

- raw tables: warn after REPORTING_RAW_FRESHNESS_WARN_HOURS (2), fail after
  REPORTING_RAW_FRESHNESS_FAIL_HOURS (6): the sensors should have loaded them long before;
- marts: warn after REPORTING_MART_FRESHNESS_WARN_HOURS (6), fail after
  REPORTING_MART_FRESHNESS_FAIL_HOURS (26): at worst, the daily full refresh renews them.
"""

import warnings
from datetime import timedelta

import dagster as dg

from reporting_assets.defs.keys import RAW_GROUPS
from reporting_assets.settings import get_settings


def raw_policy() -> dg.FreshnessPolicy:
    warn, fail = get_settings().raw_freshness_hours
    return dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=fail), warn_window=timedelta(hours=warn))


def mart_policy() -> dg.FreshnessPolicy:
    warn, fail = get_settings().mart_freshness_hours
    return dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=fail), warn_window=timedelta(hours=warn))


def with_freshness(defs: dg.Definitions) -> dg.Definitions:
    """The same definitions with the policies applied to the raw tables and the marts."""
    raw, marts = raw_policy(), mart_policy()
    with warnings.catch_warnings():  # a preview API, used knowingly: one place to apply a policy to a group
        warnings.simplefilter("ignore", dg.PreviewWarning)
        defs = defs.map_resolved_asset_specs(
            func=lambda spec: dg.apply_freshness_policy(spec, raw), selection=dg.AssetSelection.groups(*RAW_GROUPS)
        )
        return defs.map_resolved_asset_specs(
            func=lambda spec: dg.apply_freshness_policy(spec, marts), selection=dg.AssetSelection.groups("marts")
        )
