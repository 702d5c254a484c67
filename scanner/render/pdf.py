"""The report as PDF: WeasyPrint prints the report's own HTML with the shipped fonts, and nothing else.

A large organization's PDF is laid out in parts (the print edition cut every few hundred accounts), each on its
own and its layout dropped once its pages are written, so the memory a part takes does not grow with the
organization, and parts can be laid out in two processes at once. The parts are then joined into one file:
each page is stamped with its number of the whole ("page N of M", laid out by WeasyPrint in the report's own
page margins), and the outline and every internal link are made for the whole file, from the positions
WeasyPrint reports for each part.

The output is reproducible. The PDF's dates come from the run (the HTML's `dcterms.created`), its file
identifier is a digest of the HTML, and the subset fonts' `head.modified` stamp, which fontTools takes from
the clock unless `SOURCE_DATE_EPOCH` says otherwise, is set to the run's start too.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, Fit, NameObject
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


PX_TO_PT = 0.75  # WeasyPrint's positions are CSS pixels from the top left; PDF's points from the bottom left


class _BrowserOnlyCss(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Ignored") and any(p in message for p in BROWSER_ONLY_PROPERTIES))


class _LinksAcrossParts(logging.Filter):
    """A part's links to another part's anchors are made when the parts are joined, not missing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("No anchor #")


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


def _layout(html: str, extra_css: str = "", *, quiet: Sequence[logging.Filter] = ()) -> Any:
    """WeasyPrint's laid-out document of `html`, with the shipped fonts and `extra_css` after the page's own."""
    fetcher = OfflineFetcher(TEMPLATES)
    base_url = TEMPLATES.as_uri() + "/"
    fonts = FontConfiguration()
    stylesheets = [CSS(string=FONTS_CSS.read_text(encoding="utf-8"), base_url=base_url, url_fetcher=fetcher,
                       font_config=fonts)]
    if extra_css:
        stylesheets.append(CSS(string=extra_css, font_config=fonts))
    weasyprint_log = logging.getLogger("weasyprint")
    filters = [_BrowserOnlyCss(), *quiet]
    for log_filter in filters:
        weasyprint_log.addFilter(log_filter)
    try:
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(stylesheets=stylesheets,
                                                                                font_config=fonts)
    finally:
        for log_filter in filters:
            weasyprint_log.removeFilter(log_filter)


def _identifier(*texts: str) -> bytes:
    digest = hashlib.sha256(FONTS_CSS.read_bytes())
    for text in texts:
        digest.update(text.encode("utf-8"))
    return digest.hexdigest()[:32].encode("ascii")


def render_pdf(html: str, *, created: str = "") -> bytes:
    """Lay out `html` (from `render_html`) and write the PDF, fetching only from `report_templates/`.

    `created` is the run's start as a W3C date-time, the only time that may reach the file.
    """
    document = _layout(html)
    log.debug("report PDF: %d pages", len(document.pages))
    with _source_date(created):
        pdf: bytes = document.write_pdf(pdf_identifier=_identifier(html))
    return pdf


@dataclass
class LaidPart:
    """One part laid out and written on its own, with what joining needs: where its anchors, links and bookmarks
    are, on its own pages (numbered from 0 within the part)."""

    pdf: bytes = b""
    pages: int = 0
    anchors: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # name -> page, x, y (pt)
    links: list[tuple[int, str, tuple[float, float, float, float]]] = field(default_factory=list)
    bookmarks: list[tuple[int, str, int, float, float]] = field(default_factory=list)  # level, label, page, x, y


def lay_out_part(html: str, created: str, identifier: bytes) -> LaidPart:
    """Lay out one part (from `render_print_parts`) and write it; parts do not depend on one another, so they
    can be laid out in any order, in several processes at once."""
    document = _layout(html, quiet=[_LinksAcrossParts()])
    part = LaidPart(pages=len(document.pages))
    for number, page in enumerate(document.pages):
        height = page.height * PX_TO_PT
        for name, (x, y, *_) in page.anchors.items():
            part.anchors.setdefault(name, (number, x * PX_TO_PT, height - y * PX_TO_PT))
        for kind, target, (x1, y1, x2, y2), *_ in page.links:
            if kind == "internal":
                part.links.append((number, target, (x1 * PX_TO_PT, height - y2 * PX_TO_PT, x2 * PX_TO_PT,
                                                    height - y1 * PX_TO_PT)))
        for level, label, (x, y), *_ in page.bookmarks:
            part.bookmarks.append((level, label, number, x * PX_TO_PT, height - y * PX_TO_PT))
    with _source_date(created):
        part.pdf = document.write_pdf(pdf_identifier=identifier)
    return part


def join_parts(parts: Sequence[LaidPart], page_numbers: Callable[[int], str], *, created: str = "") -> bytes:
    """One PDF from the parts in order: each page gets "page N of M" from `page_numbers(M)` (an HTML document of
    M pages that prints only that), the outline is one tree, and every internal link goes where its anchor is,
    in whichever part."""
    writer = PdfWriter()
    first_pages: list[int] = []
    for part in parts:
        first_pages.append(len(writer.pages))
        reader = PdfReader(io.BytesIO(part.pdf))
        if not first_pages[-1] and reader.metadata is not None:
            writer.add_metadata(dict(reader.metadata))
        writer.append(reader, import_outline=False)
    total = len(writer.pages)
    numbers = _layout(page_numbers(total))
    with _source_date(created):
        stamps = PdfReader(io.BytesIO(numbers.write_pdf(pdf_identifier=_identifier(str(total)))))
    for written, stamp in zip(writer.pages, stamps.pages, strict=True):
        written.merge_page(stamp)
        written.compress_content_streams()  # merging leaves the page's drawing uncompressed
    for written in writer.pages:
        annotations = written.get("/Annots")  # each part's own links point into it by name: made again below
        if annotations is not None:
            kept = [a for a in annotations.get_object() if "/Dest" not in a.get_object()]
            written[NameObject("/Annots")] = ArrayObject(kept)
    anchors: dict[str, tuple[int, float, float]] = {}
    for part, first in zip(parts, first_pages, strict=True):
        for name, (page, x, y) in part.anchors.items():
            anchors.setdefault(name, (first + page, x, y))
    for part, first in zip(parts, first_pages, strict=True):
        for page, target, rect in part.links:
            if target in anchors:
                target_page, x, y = anchors[target]
                writer.add_annotation(first + page, Link(rect=rect, target_page_index=target_page, fit=Fit.xyz(x, y)))
    parents: list[tuple[int, Any]] = []
    for part, first in zip(parts, first_pages, strict=True):
        for level, label, page, x, y in part.bookmarks:
            while parents and parents[-1][0] >= level:
                parents.pop()
            item = writer.add_outline_item(title=label, page_number=first + page,
                                           parent=parents[-1][1] if parents else None, fit=Fit.xyz(x, y))
            parents.append((level, item))
    output = io.BytesIO()
    writer.write(output)
    log.debug("report PDF: %d pages in %d parts", total, len(parts))
    return output.getvalue()


def part_identifier(parts: Sequence[str]) -> bytes:
    return _identifier(*parts)


def render_pdf_parts(parts: Sequence[str], page_numbers: Callable[[int], str], *, created: str = "") -> bytes:
    """Lay out each HTML part in turn (only one part's layout is held at a time) and join them into one PDF
    whose pages are numbered through, with one outline and every internal link, across parts too."""
    if len(parts) == 1:
        return render_pdf(parts[0], created=created)
    identifier = part_identifier(parts)
    return join_parts([lay_out_part(html, created, identifier) for html in parts], page_numbers, created=created)
