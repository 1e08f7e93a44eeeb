"""The PDF: the HTML page printed by WeasyPrint, with a print stylesheet added on top.

The stylesheet lays the page out for A4: the title in the page header, "page N of M" in the footer,
tables breaking between rows instead of scrolling, and no data tables under the charts (the HTML
keeps them for mail clients that show no SVG).

Equal HTML gives equal bytes. WeasyPrint writes no file identifier unless asked, and takes the
creation and modification dates from the page's `dcterms.created` / `dcterms.modified` meta tags
(`render_html` sets them from `generated_at`). The one clock it reads is fontTools', which stamps
each embedded font subset with the current time (when the system lacks HarfBuzz-subset, WeasyPrint
subsets with fontTools) unless SOURCE_DATE_EPOCH is set, the reproducible-builds convention.
"""

from __future__ import annotations

import base64
import os
import re
import threading
from contextlib import contextmanager

from weasyprint import CSS, HTML

PRINT_CSS = """
@page {
    size: A4;
    margin: 22mm 16mm 20mm 16mm;
    @top-left { content: string(report-title); font: 9pt Arial, Helvetica, sans-serif; color: #57606a; }
    @bottom-right {
        content: "page " counter(page) " of " counter(pages);
        font: 9pt Arial, Helvetica, sans-serif; color: #57606a;
    }
}
body { background: #ffffff !important; font-size: 10pt !important; }
h1 { string-set: report-title content(); }
.report { max-width: none !important; padding: 0 !important; }
.scroll { overflow: visible !important; }
.chart-data { display: none; }
h2 { break-after: avoid; }
tr, [data-tile], [data-chart] { break-inside: avoid; }
thead { display: table-header-group; }
a { text-decoration: none; }
"""

# Any fixed value will do: the fonts' modification stamp is nothing a reader sees.
_FONT_EPOCH = "0"
_environ_lock = threading.Lock()


def render_pdf(html: str) -> bytes:
    document = HTML(string=_charts_as_images(html)).render(stylesheets=[CSS(string=PRINT_CSS)])
    with _fixed_font_timestamps():
        return document.write_pdf()


def _charts_as_images(html: str) -> str:
    """Inline SVG charts become SVG images for print: the same drawing, but WeasyPrint no longer reads
    the SVG's styles and ids as the page's own (hundreds of "unknown property" warnings, and "anchor
    defined twice" when two charts share matplotlib's element ids). The SVG is ours and escapes its
    text, so "<svg" and "</svg>" mark exactly the charts."""

    def image(match: re.Match) -> str:
        data = base64.b64encode(match.group(0).encode("utf-8")).decode("ascii")
        return f'<img alt="" style="max-width:100%" src="data:image/svg+xml;base64,{data}">'

    return re.sub(r"<svg\b.*?</svg>", image, html, flags=re.DOTALL)


@contextmanager
def _fixed_font_timestamps():
    """SOURCE_DATE_EPOCH set for the duration (kept if the environment already sets it). The lock
    keeps concurrent renders from removing it under each other; only the writing is serialised."""
    with _environ_lock:
        preset = "SOURCE_DATE_EPOCH" in os.environ
        os.environ.setdefault("SOURCE_DATE_EPOCH", _FONT_EPOCH)
        try:
            yield
        finally:
            if not preset:
                del os.environ["SOURCE_DATE_EPOCH"]
