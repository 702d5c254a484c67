"""The report as PDF: WeasyPrint prints the report's own HTML with the shipped fonts, and nothing else.

The output is reproducible: the PDF's dates come from the run (the HTML's `dcterms.created`), its file
identifier is a digest of the HTML, and WeasyPrint writes no clock time of its own, so the same run gives
the same bytes.
"""

from __future__ import annotations

import hashlib
import logging

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from scanner.render.environment import TEMPLATES
from scanner.render.fetcher import OfflineFetcher

log = logging.getLogger(__name__)

FONTS_CSS = TEMPLATES / "fonts.css"


def render_pdf(html: str) -> bytes:
    """Lay out `html` (from `render_html`) and write the PDF, fetching only from `report_templates/`."""
    fetcher = OfflineFetcher(TEMPLATES)
    base_url = TEMPLATES.as_uri() + "/"
    fonts = FontConfiguration()
    fonts_css = FONTS_CSS.read_text(encoding="utf-8")
    stylesheet = CSS(string=fonts_css, base_url=base_url, url_fetcher=fetcher, font_config=fonts)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=fonts,
    )
    log.debug("report PDF: %d pages", len(document.pages))
    identifier = hashlib.sha256((html + fonts_css).encode("utf-8")).hexdigest()[:32]
    pdf: bytes = document.write_pdf(pdf_identifier=identifier.encode("ascii"))
    return pdf
