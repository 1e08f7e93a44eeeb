"""Freshness policies: how old a raw table or a mart may get before the UI (and the freshness
daemon) call it late. Windows in hours from the environment:

- raw tables: warn after REPORTING_RAW_FRESHNESS_WARN_HOURS (2), fail after
  REPORTING_RAW_FRESHNESS_FAIL_HOURS (6): the sensors should have loaded them long before;
- marts: warn after REPORTING_MART_FRESHNESS_WARN_HOURS (6), fail after
  REPORTING_MART_FRESHNESS_FAIL_HOURS (26): at worst, the daily full refresh renews them.
"""

import os
import warnings
from datetime import timedelta

import dagster as dg

RAW_GROUPS = ("odoo_raw", "carrier_raw")


def _hours(name: str, default: float) -> timedelta:
    raw = os.environ.get(name) or str(default)
    try:
        hours = float(raw)
    except ValueError:
        hours = -1
    if hours <= 0:
        raise ValueError(f"{name} must be a positive number of hours, got {raw!r}")
    return timedelta(hours=hours)


def raw_policy() -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(fail_window=_hours("REPORTING_RAW_FRESHNESS_FAIL_HOURS", 6),
                                          warn_window=_hours("REPORTING_RAW_FRESHNESS_WARN_HOURS", 2))


def mart_policy() -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(fail_window=_hours("REPORTING_MART_FRESHNESS_FAIL_HOURS", 26),
                                          warn_window=_hours("REPORTING_MART_FRESHNESS_WARN_HOURS", 6))


def with_freshness(defs: dg.Definitions) -> dg.Definitions:
    """The same definitions with the policies applied to the raw tables and the marts."""
    raw, marts = raw_policy(), mart_policy()
    with warnings.catch_warnings():  # a preview API, used knowingly: one place to apply a policy to a group
        warnings.simplefilter("ignore", dg.PreviewWarning)
        defs = defs.map_resolved_asset_specs(func=lambda spec: dg.apply_freshness_policy(spec, raw),
                                             selection=dg.AssetSelection.groups(*RAW_GROUPS))
        return defs.map_resolved_asset_specs(func=lambda spec: dg.apply_freshness_policy(spec, marts),
                                             selection=dg.AssetSelection.groups("marts"))
