"""Charts as SVG text, drawn by matplotlib without a display or a browser.

The SVG becomes part of the HTML, and so of the report's content hash: equal data must give equal
bytes. matplotlib otherwise writes the current date into the file and derives its element ids from
a random salt; both are fixed here (`_RC`, `savefig`). Figures are built with `Figure` directly,
not through pyplot: no global figure registry holds them (nothing to close, nothing leaks), and no
interactive backend is ever chosen; `savefig` draws with the SVG backend alone.
"""

from __future__ import annotations

import io

import matplotlib
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from reporting_assets.reports.content import SectionContent
from reporting_assets.reports.render.formatting import as_date, is_missing

# The SVG carries no date and no creator (matplotlib's version), and its ids come from a fixed salt.
# Text stays text (`fonttype: none`): smaller, searchable, and no font outlines that could vary by
# installed fonts. Names from Odoo may hold "$", which must not switch on matplotlib's math mode.
_RC = {
    "svg.hashsalt": "odoo-distribution-reporting",
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_SIZE = (8, 3.2)  # inches: wide and low, to sit in a 760 px column and on an A4 page


def render_chart_svg(section: SectionContent) -> str:
    """The `<svg>` element (no XML prolog, so it can sit inline in HTML) for a chart section."""
    chart = section.chart
    columns = {column.name: column for column in section.columns}
    x, y = columns[chart["x"]], columns[chart["y"]]
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=_SIZE, layout="constrained")
        axes = figure.add_subplot()
        series = _series(section.rows, x, y, chart.get("series"))
        if chart["mark"] == "bar":
            _bars(axes, series)
        else:
            _lines(axes, series, dated=x.format == "date")
        axes.set_xlabel(x.label)
        axes.set_ylabel(y.label)
        axes.grid(axis="y", color="#d0d7de", linewidth=0.6)
        if y.format == "percent":
            axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
        if len(series) > 1:
            axes.legend(frameon=False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _series(rows, x, y, series_column: str | None) -> dict[str, tuple[list, list]]:
    """Series name -> (xs, ys), in the order the rows give them; without a series column, a single
    series named after the y column."""
    series: dict[str, tuple[list, list]] = {}
    for row in rows:
        name = str(row[series_column]) if series_column else y.label
        xs, ys = series.setdefault(name, ([], []))
        xs.append(as_date(row[x.name]) if x.format == "date" else str(row[x.name]))
        ys.append(float("nan") if is_missing(row[y.name]) else float(row[y.name]))
    return series


def _lines(axes, series, dated: bool) -> None:
    for index, (name, (xs, ys)) in enumerate(series.items()):
        # The gid names the SVG group of each line, so a reader (or a test) can find its path.
        axes.plot(xs, ys, label=name, linewidth=1.6, marker="o", markersize=2.5, gid=f"series-{index}")
    if dated:
        locator = AutoDateLocator()
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _bars(axes, series) -> None:
    """Grouped bars: one slot per category (first-seen order), one bar per series inside it."""
    categories = list(dict.fromkeys(x for xs, _ in series.values() for x in xs))
    slot = {category: position for position, category in enumerate(categories)}
    width = 0.8 / len(series)
    for index, (name, (xs, ys)) in enumerate(series.items()):
        offset = (index - (len(series) - 1) / 2) * width
        bars = axes.bar([slot[x] + offset for x in xs], ys, width=width, label=name)
        for number, bar in enumerate(bars):
            bar.set_gid(f"series-{index}-bar-{number}")
    axes.set_xticks(range(len(categories)), categories)
