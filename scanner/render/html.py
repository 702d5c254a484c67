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
import math
from dataclasses import dataclass, replace
from functools import cache

from markupsafe import Markup

from scanner.render.environment import TEMPLATES, environment
from scanner.render.records import PrintGroup, PrintPart, Report

log = logging.getLogger(__name__)

TEMPLATE = "report.html.j2"
SCRIPT = "matrix.js"
PAGE_NUMBERS = "page_numbers.html.j2"
# The most accounts of one part of a large organization's PDF: WeasyPrint holds a part's layout until it is
# written, about 0.45 MiB per account, and each part after the first starts on a page of its own. Parts are laid
# out PDF_PROCESSES at a time.
PART_ACCOUNTS = 500
PDF_PROCESSES = 2


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
    html = environment().get_template(TEMPLATE).render(report=report, script=inline_script(), print_edition=False,
                                                       part=None)
    log.debug("report HTML: %d characters", len(html))
    return html


def _cut(groups: tuple[PrintGroup, ...], size: int) -> list[tuple[PrintGroup, ...]]:
    """The groups in slices of `size` rows (the last may be shorter), in order; a group cut in two is
    `continued` in the second."""
    slices: list[tuple[PrintGroup, ...]] = []
    current: list[PrintGroup] = []
    room = size
    for group in groups:
        rows, continued = group.rows, False
        while rows:
            taken, rows = rows[:room], rows[room:]
            current.append(replace(group, rows=taken, continued=continued))
            continued = True
            room -= len(taken)
            if room == 0:
                slices.append(tuple(current))
                current, room = [], size
    if current or not slices:
        slices.append(tuple(current))
    return slices


def part_size(accounts: int, most: int = PART_ACCOUNTS, processes: int = PDF_PROCESSES) -> int:
    """Accounts per part: at most `most`, in a number of parts that keeps every process busy to the end."""
    parts = max(1, math.ceil(accounts / most))
    if parts > 1:
        parts = math.ceil(parts / processes) * processes
    return max(1, math.ceil(accounts / parts))


def render_print_parts(report: Report, *, part_accounts: int | None = None) -> list[str]:
    """The HTML the PDF is laid out from, in the parts it is laid out in: one, the page itself, for an
    organization without a print edition; otherwise the print edition cut into parts of `part_accounts`
    accounts (by default `part_size`), each starting on a page of its own."""
    if report.print_edition is None:
        return [render_html(report)]
    template = environment().get_template(TEMPLATE)
    size = part_accounts or part_size(report.print_edition.listed)
    slices = _cut(report.print_edition.groups, size)
    return [template.render(report=report, script=inline_script(), print_edition=True,
                            part=PrintPart(n == 0, n == len(slices) - 1, groups))
            for n, groups in enumerate(slices)]


def render_page_numbers(paper: str, pages: int) -> str:
    """A document of `pages` pages that prints only "page N of M", where the report prints it: stamped on the
    pages of a PDF joined from parts, which could not number themselves."""
    return environment().get_template(PAGE_NUMBERS).render(paper=paper, pages=pages)
