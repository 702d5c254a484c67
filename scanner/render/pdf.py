"""The report as PDF: WeasyPrint prints the report's own HTML with the shipped fonts, and nothing else.

The output is reproducible. The PDF's dates come from the run (the HTML's `dcterms.created`), its file
identifier is a digest of the HTML, and the subset fonts' `head.modified` stamp, which fontTools takes from
the clock unless `SOURCE_DATE_EPOCH` says otherwise, is set to the run's start too.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from scanner.render.environment import TEMPLATES
from scanner.render.fetcher import OfflineFetcher
from scanner.render.filters import parse_time

log = logging.getLogger(__name__)

FONTS_CSS = TEMPLATES / "fonts.css"
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
# Properties the stylesheet sets for browsers only, which WeasyPrint does not know and would warn about on
# every render: a page printed from a browser keeps its status fills.
BROWSER_ONLY_PROPERTIES = ("print-color-adjust",)


class _BrowserOnlyCss(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Ignored") and any(p in message for p in BROWSER_ONLY_PROPERTIES))


@contextmanager
def _source_date(created: str) -> Iterator[None]:
    """Pin the reproducible-builds clock to the run's start (or the epoch) while fonts are subset."""
    moment = parse_time(created)
    previous = os.environ.get(SOURCE_DATE_EPOCH)
    os.environ[SOURCE_DATE_EPOCH] = str(int(moment.timestamp())) if moment else "0"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(SOURCE_DATE_EPOCH, None)
        else:
            os.environ[SOURCE_DATE_EPOCH] = previous


def render_pdf(html: str, *, created: str = "") -> bytes:
    """Lay out `html` (from `render_html`) and write the PDF, fetching only from `report_templates/`.

    `created` is the run's start as a W3C date-time, the only time that may reach the file.
    """
    fetcher = OfflineFetcher(TEMPLATES)
    base_url = TEMPLATES.as_uri() + "/"
    fonts = FontConfiguration()
    fonts_css = FONTS_CSS.read_text(encoding="utf-8")
    stylesheet = CSS(string=fonts_css, base_url=base_url, url_fetcher=fetcher, font_config=fonts)
    weasyprint_log = logging.getLogger("weasyprint")
    browser_only = _BrowserOnlyCss()
    weasyprint_log.addFilter(browser_only)
    try:
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=[stylesheet], font_config=fonts,
        )
    finally:
        weasyprint_log.removeFilter(browser_only)
    log.debug("report PDF: %d pages", len(document.pages))
    identifier = hashlib.sha256((html + fonts_css).encode("utf-8")).hexdigest()[:32]
    with _source_date(created):
        pdf: bytes = document.write_pdf(pdf_identifier=identifier.encode("ascii"))
    return pdf
