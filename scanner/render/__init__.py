"""The report: `report.html` and `report.pdf` in the run folder, from the run's frames and metadata.

Three stages, one module each: `structure` turns frames into plain records (with `extended`, `changes` and
`risks` for the extended checks, the changes since the previous run and the accepted risks), `html` renders
them with the templates in `report_templates/`, `pdf` prints that same HTML with WeasyPrint.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from typing import Any

from scanner.audit.accepted_risks import exceptions_view
from scanner.audit.changes import changes_view
from scanner.audit.checkpoint import run_identity
from scanner.audit.layout import FINDINGS_CSV
from scanner.audit.manifest import hash_file
from scanner.models import AccountResult, ScanStatus
from scanner.render.html import PDF_PROCESSES, render_html, render_page_numbers, render_print_parts
from scanner.render.records import Report
from scanner.render.sources import read_report_times
from scanner.render.structure import COMPACT_FROM, build_report
from scanner.rundir import RunFolder, write_atomic
from scanner.scoring import Frames

log = logging.getLogger(__name__)

REPORT_HTML = "report.html"
REPORT_PDF = "report.pdf"

__all__ = ["REPORT_HTML", "REPORT_PDF", "PendingReports", "prepare_report", "render_reports", "start_reports"]


def findings_digest(folder: RunFolder) -> str:
    """SHA-256 of findings.csv as the folder holds it ("" before it is written): printed on every PDF page, so a
    page can be matched with the findings it reports without the manifest."""
    path = folder.path / FINDINGS_CSV
    return hash_file(path)[1] if path.is_file() and not path.is_symlink() else ""


def prepare_report(folder: RunFolder, results: list[AccountResult], frames: Frames, *, paper: str = "A4",
                   compact_from: int = COMPACT_FROM) -> Report:
    """The report's records, from the frames and what the run folder holds: run.json, each account's
    meta.json, the baseline of the previous run (inputs/history.json) and the exceptions register in force
    (inputs/exceptions.toml). Nothing else is read, so the same folder always gives the same records.
    """
    assessed = [r.account.account_id for r in results if r.scan_status is ScanStatus.SCANNED]
    return build_report(folder.read_run_info(), results, frames, read_report_times(folder, assessed), paper=paper,
                        changes=changes_view(folder, frames.findings),
                        assessment=exceptions_view(folder, frames.findings), run_id=run_identity(folder)[0],
                        findings_sha256=findings_digest(folder), compact_from=compact_from)


# From this many accounts on, report.pdf is laid out in a process of its own while the caller writes its other
# outputs (the workbook above all), and WeasyPrint's memory is that process's, not the scan's. Below it, starting
# a process would cost more than the overlap saves.
PDF_PROCESS_FROM_ACCOUNTS = 100


class PendingReports:
    """report.html rendered, report.pdf being laid out (in other processes for a large run, its parts two at a
    time); `finish` writes both."""

    def __init__(self, folder: RunFolder, html: str, created: str, in_process: bool, pdf_parts: list[str],
                 paper: str) -> None:
        from scanner.render.pdf import lay_out_part, part_identifier, render_pdf, render_pdf_parts

        self._folder = folder
        self._html = html
        self._created = created
        self._page_numbers = partial(render_page_numbers, paper)
        self._started = time.perf_counter()
        self._pool: ProcessPoolExecutor | None = None
        self._parts: list[Future[Any]] = []
        self._inline: bytes | None = None
        if in_process:
            self._inline = render_pdf_parts(pdf_parts, self._page_numbers, created=created)
            return
        self._pool = ProcessPoolExecutor(max_workers=min(PDF_PROCESSES, len(pdf_parts)),
                                         mp_context=multiprocessing.get_context("spawn"))
        if len(pdf_parts) == 1:
            self._parts = [self._pool.submit(render_pdf, pdf_parts[0], created=created)]
        else:
            identifier = part_identifier(pdf_parts)
            self._parts = [self._pool.submit(lay_out_part, part, created, identifier) for part in pdf_parts]

    @property
    def in_own_process(self) -> bool:
        return self._pool is not None

    def finish(self) -> None:
        """Wait for the PDF, then write both files; a failure leaves neither a new HTML beside an old PDF nor the
        reverse."""
        from scanner.render.pdf import join_parts

        try:
            if self._inline is not None:
                pdf = self._inline
            elif len(self._parts) == 1:
                pdf = self._parts[0].result()
            else:
                pdf = join_parts([part.result() for part in self._parts], self._page_numbers, created=self._created)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
        write_atomic(self._folder.path / REPORT_HTML, self._html.encode("utf-8"))
        write_atomic(self._folder.path / REPORT_PDF, pdf)
        log.info("report written; PDF laid out in %.1f s (%s)", time.perf_counter() - self._started,
                 f"{len(self._parts)} part(s) in other processes" if self.in_own_process else "in this process")


def start_reports(
    folder: RunFolder, results: list[AccountResult], frames: Frames, *, paper: str = "A4",
    pdf_process_from: int = PDF_PROCESS_FROM_ACCOUNTS, compact_from: int = COMPACT_FROM,
    part_accounts: int | None = None,
) -> PendingReports:
    """Render report.html and start laying out report.pdf from the same HTML (a large organization's from its
    print edition); `finish()` writes them.

    `paper` is "A4" or "Letter"; anything else raises ValueError before a file is touched. The PDF is the same
    bytes wherever it is laid out. WeasyPrint is imported on first use, rather than with the package: it loads
    the native Pango libraries and takes most of a second, which commands that write no report should not pay.
    """
    report = prepare_report(folder, results, frames, paper=paper, compact_from=compact_from)
    html = render_html(report)
    pdf_parts = render_print_parts(report, part_accounts=part_accounts) if report.print_edition is not None else [html]
    return PendingReports(folder, html, report.document.created, in_process=len(results) < pdf_process_from,
                          pdf_parts=pdf_parts, paper=report.document.paper)


def render_reports(folder: RunFolder, results: list[AccountResult], frames: Frames, *, paper: str = "A4") -> None:
    """Write `report.html` and `report.pdf` atomically; the same run folder always gives the same bytes."""
    start_reports(folder, results, frames, paper=paper).finish()
