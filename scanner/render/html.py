"""The report as one self-contained HTML file: the source the PDF is printed from, too.

The HTML carries its own stylesheet (screen and print), its charts and its one script inline, references
no file and no font, and opens offline. The script (`report_templates/matrix.js`, the matrix's search,
filters and sort) is a template asset inserted as it is, and its SHA-256 is pinned in the page's
Content-Security-Policy (`default-src 'none'`), so the browser runs it and nothing else; with scripts off
the page shows everything, without the tools. The shipped fonts are added only on the PDF side
(`pdf.FONTS_CSS`), because embedding them here would add over a megabyte to every report and a browser
falls back to the same DejaVu Sans, or Verdana, through the font stack.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup

from scanner.render.environment import TEMPLATES, environment
from scanner.render.records import Report

log = logging.getLogger(__name__)

TEMPLATE = "report.html.j2"
SCRIPT = "matrix.js"


@dataclass(frozen=True)
class InlineScript:
    """A script asset as the page embeds it, and the CSP source expression that allows exactly it."""

    source: Markup
    csp_source: Markup  # 'sha256-<base64>' of the source's UTF-8 bytes (quotes and base64 need no escaping)


@cache
def inline_script(name: str = SCRIPT) -> InlineScript:
    """The asset `name` from the templates folder; refused if it could end its <script> element early."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    if "</script" in text.lower() or "<!--" in text or not text.isascii():
        raise ValueError(f"{name}: an inline script must be ASCII and hold neither '</script' nor '<!--'")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return InlineScript(Markup(text), Markup(f"'sha256-{digest}'"))  # noqa: S704 - our own asset, checked above


def render_html(report: Report) -> str:
    html = environment().get_template(TEMPLATE).render(report=report, script=inline_script())
    log.debug("report HTML: %d characters", len(html))
    return html
