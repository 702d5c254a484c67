"""Every `build_outputs` (a scan's, or `orgscan report`'s) writes the report next to the CSVs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scanner.models import Account, AccountResult, ScanStatus
from scanner.pipeline import build_outputs
from scanner.render import REPORT_HTML, REPORT_PDF
from scanner.rundir import RunFolder
from tests.render.conftest import RUN_INFO


def test_build_outputs_writes_report_html_and_pdf(tmp_path: Path) -> None:
    folder = RunFolder.create(tmp_path, datetime(2026, 1, 15, 9, 30, tzinfo=UTC))
    folder.write_accounts([
        AccountResult(Account("777777777777", "Legacy", "l@example.com", "ACTIVE", "Root"), ScanStatus.ERROR,
                      "AccessDenied: not authorized"),
        AccountResult(Account("888888888888", "Closed", "c@example.com", "SUSPENDED", "Root"), ScanStatus.SKIPPED),
    ])
    folder.write_run_info(RUN_INFO)
    build_outputs(folder)
    html = (folder.path / REPORT_HTML).read_text(encoding="utf-8")
    assert "777777777777" in html and "AccessDenied" in html
    pdf = (folder.path / REPORT_PDF).read_bytes()
    assert pdf.startswith(b"%PDF-")
    first = pdf
    build_outputs(RunFolder.open(folder.path))
    assert (folder.path / REPORT_PDF).read_bytes() == first
    assert not list(folder.path.glob(".*.tmp"))
