"""`orgscan report RUN_DIR` renders a run with the run's own settings, and records whatever it is told instead.

A scan records its framework and paper (inputs/scan.json) and its thresholds (run.json). Re-rendering an
unchanged run must give the files, and the manifest, an auditor was given; `--framework`, `--paper` and
`--checks` are recorded in run.json, so that `verify` still finds every finding where its evidence puts it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import read_csv, read_json, run_cli, run_folder

DEFAULTS = Path(__file__).parents[2] / "config" / "checks.toml"
LENIENT = "password_reuse = 3\nkey_rotation_days = 400\n"


@pytest.fixture(autouse=True)
def _no_pdf() -> Iterator[None]:
    """These tests read the printed report: the PDF is rendered (overrides tests/output's fixture)."""
    yield


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _page_width(folder: Path) -> int:
    """report.pdf's page width in points (A4 595, Letter 612), as a PDF viewer reads it."""
    return round(float(PdfReader(folder / "report.pdf").pages[0].mediabox.width))


def _fails(folder: Path, check_id: str) -> int:
    return sum(r["status"] == "FAIL" for r in read_csv(folder / "findings.csv") if r["check_id"] == check_id)


@pytest.fixture
def scanned(sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> Path:
    """A run scanned with Security Hub's mapping, Letter paper and lenient thresholds."""
    organization.install(sim.faults)
    checks = tmp_path / "lenient.toml"
    checks.write_text(LENIENT)
    out = tmp_path / "runs"
    result = run_cli(sim, "scan", "--out", str(out), "--workers", "4", "--framework", "securityhub",
                     "--paper", "Letter", "--checks", str(checks))
    assert result.code == 2, result.stderr
    return run_folder(out)


def test_report_without_options_renders_the_run_with_its_own_settings_byte_for_byte(scanned: Path) -> None:
    before = _files(scanned)
    assert _page_width(scanned) == 612  # Letter

    result = run_cli(None, "report", str(scanned))

    assert result.code == 2, result.stderr
    assert _files(scanned) == before  # the reports and the manifest the auditor was given
    assert load_workbook(scanned / "report.xlsx")["Findings"]["E1"].value == "Security Hub"
    assert run_cli(None, "verify", str(scanned)).code == 0


def test_report_with_other_thresholds_records_them_so_the_run_still_verifies(scanned: Path) -> None:
    original = _files(scanned)
    lenient_fails = _fails(scanned, "password-reuse")

    result = run_cli(None, "report", str(scanned), "--checks", str(DEFAULTS))

    assert result.code == 2, result.stderr
    assert _fails(scanned, "password-reuse") > lenient_fails  # judged by CIS's 24 passwords now
    info = read_json(scanned / "run.json")
    assert isinstance(info, dict)
    assert info["check_thresholds"]["password_reuse"] == 24
    assert info["report_overrides"] == {"check_thresholds": info["check_thresholds"]}
    scan_settings = read_json(scanned / "inputs" / "scan.json")["settings"]  # type: ignore[index]
    assert scan_settings["thresholds"]["password_reuse"] == 3  # what the scan judged by is kept
    verified = run_cli(None, "verify", str(scanned))
    assert verified.code == 0, verified.stdout

    overridden = _files(scanned)
    assert run_cli(None, "report", str(scanned)).code == 2
    assert _files(scanned) == overridden  # the override is the run's setting now

    lenient = scanned.parent / "lenient-again.toml"
    lenient.write_text(LENIENT)
    assert run_cli(None, "report", str(scanned), "--checks", str(lenient)).code == 2
    assert _files(scanned) == original  # the scan's own thresholds again: no override left


def test_report_with_another_framework_and_paper_records_them(scanned: Path) -> None:
    result = run_cli(None, "report", str(scanned), "--framework", "cis-v3", "--paper", "A4")

    assert result.code == 2, result.stderr
    info = read_json(scanned / "run.json")
    assert isinstance(info, dict)
    assert info["report_overrides"] == {"framework": "cis-v3", "paper": "A4"}
    assert load_workbook(scanned / "report.xlsx")["Findings"]["E1"].value == "CIS v3.0"
    assert _page_width(scanned) == 595  # A4
    assert run_cli(None, "verify", str(scanned)).code == 0

    overridden = _files(scanned)
    assert run_cli(None, "report", str(scanned)).code == 2
    assert _files(scanned) == overridden


def test_a_scan_shows_cis_v7_unless_told_otherwise(sim: SimulatedAws, organization: SeededOrganization,
                                                     tmp_path: Path) -> None:
    organization.install(sim.faults)
    out = tmp_path / "runs"
    assert run_cli(sim, "scan", "--out", str(out), "--workers", "4").code == 2
    folder = run_folder(out)
    assert read_json(folder / "inputs" / "scan.json")["settings"]["framework"] == "cis-v7"  # type: ignore[index]
    findings = load_workbook(folder / "report.xlsx")["Findings"]
    assert findings["E1"].value == "CIS v7.0"
    shown = {(findings.cell(r, 1).value, findings.cell(r, 4).value): findings.cell(r, 5).value
             for r in range(2, findings.max_row + 1)}
    assert shown[("123456789012", "access-keys-rotated")] == "2.12"
    assert shown[("123456789012", "single-active-key")] == "not in CIS v7.0"


def test_a_run_that_records_no_framework_keeps_the_cis_v5_column_its_orgscan_showed(scanned: Path) -> None:
    scan_json = scanned / "inputs" / "scan.json"
    start = read_json(scan_json)
    assert isinstance(start, dict)
    del start["settings"]["framework"]  # as an orgscan from before --framework wrote it
    scan_json.write_text(json.dumps(start))

    assert run_cli(None, "report", str(scanned)).code == 2

    assert load_workbook(scanned / "report.xlsx")["Findings"]["E1"].value == "CIS v5.0"
    info = read_json(scanned / "run.json")
    assert isinstance(info, dict) and "report_overrides" not in info  # the run's own setting, as then
