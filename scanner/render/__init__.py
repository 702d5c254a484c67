"""The report: `report.html` and `report.pdf` in the run folder, from the run's frames and metadata.

Three stages, one module each: `structure` turns frames into plain records (with `extended`, `changes` and
`risks` for the extended checks, the changes since the previous run and the accepted risks), `html` renders
them with the templates in `report_templates/`, `pdf` prints that same HTML with WeasyPrint.
"""

from __future__ import annotations

import logging
import time

from scanner.audit.accepted_risks import exceptions_view
from scanner.audit.changes import changes_view
from scanner.audit.checkpoint import run_identity
from scanner.models import AccountResult, ScanStatus
from scanner.render.html import render_html
from scanner.render.records import Report
from scanner.render.sources import read_report_times
from scanner.render.structure import build_report
from scanner.rundir import RunFolder, write_atomic
from scanner.scoring import Frames

log = logging.getLogger(__name__)

REPORT_HTML = "report.html"
REPORT_PDF = "report.pdf"

__all__ = ["REPORT_HTML", "REPORT_PDF", "prepare_report", "render_reports"]


def prepare_report(folder: RunFolder, results: list[AccountResult], frames: Frames, *, paper: str = "A4") -> Report:
    """The report's records, from the frames and what the run folder holds: run.json, each account's
    meta.json, the baseline of the previous run (inputs/history.json) and the exceptions register in force
    (inputs/exceptions.toml). Nothing else is read, so the same folder always gives the same records.
    """
    assessed = [r.account.account_id for r in results if r.scan_status is ScanStatus.SCANNED]
    return build_report(folder.read_run_info(), results, frames, read_report_times(folder, assessed), paper=paper,
                        changes=changes_view(folder, frames.findings),
                        assessment=exceptions_view(folder, frames.findings), run_id=run_identity(folder)[0])


def render_reports(folder: RunFolder, results: list[AccountResult], frames: Frames, *, paper: str = "A4") -> None:
    """Write `report.html` and `report.pdf` atomically; the same run folder always gives the same bytes.

    `paper` is "A4" or "Letter"; anything else raises ValueError before a file is touched.

    WeasyPrint is imported here, on first use, rather than with the package: it loads the native Pango
    libraries and takes most of a second, which commands that write no report should not pay.
    """
    from scanner.render.pdf import render_pdf

    report = prepare_report(folder, results, frames, paper=paper)
    started = time.perf_counter()
    html = render_html(report)
    rendered = time.perf_counter()
    pdf = render_pdf(html, created=report.document.created)
    finished = time.perf_counter()
    # Both are rendered before either is written, so a failure cannot leave a new HTML beside an old PDF.
    write_atomic(folder.path / REPORT_HTML, html.encode("utf-8"))
    write_atomic(folder.path / REPORT_PDF, pdf)
    log.info("report written: HTML in %.1f s, PDF in %.1f s", rendered - started, finished - rendered)
