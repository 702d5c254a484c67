"""The report as one self-contained HTML file: the source the PDF is printed from, too.

The HTML carries its own stylesheet (screen and print) and its charts inline, references no file and no
font, and needs no script: it opens offline. The shipped fonts are added only on the PDF side
(`pdf.FONTS_CSS`), because embedding them here would add over a megabyte to every report and a browser
falls back to the same DejaVu Sans, or Verdana, through the font stack.
"""

from __future__ import annotations

import logging

from scanner.render.environment import environment
from scanner.render.records import Report

log = logging.getLogger(__name__)

TEMPLATE = "report.html.j2"


def render_html(report: Report) -> str:
    html = environment().get_template(TEMPLATE).render(report=report)
    log.debug("report HTML: %d characters", len(html))
    return html
