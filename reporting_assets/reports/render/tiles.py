"""A tile's comparisons: the difference to each reference figure, and whether it is good news.

Shared by HTML (arrows and colours) and XLSX (the figures), so both name the comparisons alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from reporting_assets.reports.content import TileValue
from reporting_assets.reports.render.formatting import is_missing

# TileValue attribute -> what the reader sees after "vs"
COMPARISONS = (
    ("previous", "previous period"),
    ("trailing_avg", "4-period average"),
    ("month_to_date", "month to date"),
    ("target", "target"),
)

COLOURS = {"better": "#1a7f37", "worse": "#cf222e", "same": "#57606a", "unknown": "#57606a"}


@dataclass(frozen=True)
class Comparison:
    name: str  # the TileValue attribute
    label: str
    reference: float
    difference: float | None  # value - reference; None when the tile has no value
    trend: str  # better | worse | same | unknown: the change judged by the tile's `better`

    @property
    def arrow(self) -> str:
        """Up or down is the direction of the change; its colour says whether that is good."""
        if self.difference is None:
            return ""
        return "=" if self.difference == 0 else ("▲" if self.difference > 0 else "▼")

    @property
    def colour(self) -> str:
        return COLOURS[self.trend]


def comparisons(tile: TileValue) -> list[Comparison]:
    """The comparisons the tile has, in the order `COMPARISONS` gives."""
    found = []
    for name, label in COMPARISONS:
        reference = getattr(tile, name)
        if is_missing(reference):
            continue
        difference = None if is_missing(tile.value) else tile.value - reference
        found.append(Comparison(name, label, reference, difference, _trend(difference, tile.better)))
    return found


def _trend(difference: float | None, better: str) -> str:
    if difference is None:
        return "unknown"
    if difference == 0:
        return "same"
    rising_is_better = better != "lower"
    return "better" if (difference > 0) == rising_is_better else "worse"
