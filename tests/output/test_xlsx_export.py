"""report.xlsx read back with openpyxl: sheets, frozen header, filters, colours, inert cells, fixed bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from scanner.checks import CHECK_IDS, Framework
from scanner.derive import evaluate_folder
from scanner.output.xlsx_export import cell_value, workbook_bytes
from scanner.pipeline import build_outputs
from scanner.rundir import RunFolder
from tests.output.runs import DENIED, HOSTILE, NO_REPORT, make_run


@pytest.fixture
def run(tmp_path: Path) -> RunFolder:
    folder = make_run(tmp_path)
    build_outputs(folder)
    return folder


@pytest.fixture
def book(run: RunFolder) -> Workbook:
    return load_workbook(run.path / "report.xlsx")


def test_sheets_frozen_headers_and_filters(book: Workbook) -> None:
    assert book.sheetnames == ["Summary", "Matrix", "Findings", "Users", "Errors"]
    for name in ("Matrix", "Findings", "Users", "Errors"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}", name
        assert all(sheet.cell(1, c).font.b for c in range(1, sheet.max_column + 1)), name
        assert all(sheet.column_dimensions[sheet.cell(1, c).column_letter].width >= 8
                   for c in range(1, sheet.max_column + 1)), name


def test_matrix_is_accounts_by_five_boxes_with_colours(book: Workbook) -> None:
    matrix = book["Matrix"]
    header = [c.value for c in matrix[1]]
    assert header == ["account_id", "account_name", "ou_path", *CHECK_IDS, "passed", "applicable"]
    assert [matrix.cell(r, 1).value for r in range(2, matrix.max_row + 1)] == [
        "111111111111", DENIED, NO_REPORT]
    assert matrix["I2"].value == 5 and isinstance(matrix["I2"].value, int)
    ranges = {str(cf.sqref): [rule.formula[0] for rule in cf.rules] for cf in matrix.conditional_formatting}
    assert ranges == {"D2:H4": ['"PASS"', '"FAIL"', '"ERROR"', '"NOT_APPLICABLE"']}


def test_findings_show_the_chosen_framework(book: Workbook, run: RunFolder) -> None:
    findings = book["Findings"]
    assert [c.value for c in findings[1]] == ["account_id", "account_name", "ou_path", "check_id", "CIS v5.0",
                                              "status", "detail"]
    refs = {findings.cell(r, 4).value: findings.cell(r, 5).value for r in range(2, 16)}
    assert refs["access-keys-rotated"] == "1.13" and refs["individual-users"] == "\u2014"
    _, frames = evaluate_folder(run, framework=Framework.CIS_V3)
    v3 = load_workbook(io.BytesIO(workbook_bytes(run.read_run_info(), run.read_accounts(), frames)))
    assert v3["Findings"]["E1"].value == "CIS v3.0"
    assert {v3["Findings"].cell(r, 4).value: v3["Findings"].cell(r, 5).value for r in range(2, 16)}[
        "access-keys-rotated"] == "1.14"


def test_hostile_names_are_inert_in_every_sheet(book: Workbook, run: RunFolder) -> None:
    users = book["Users"]
    names = {users.cell(r, 3).value for r in range(2, users.max_row + 1)}
    assert "'" + HOSTILE in names and HOSTILE not in names
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (sheet.title, cell.value)
    with zipfile.ZipFile(run.path / "report.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert all(b"<f>" not in archive.read(n) and b"<f " not in archive.read(n) for n in sheets)


def test_errors_sheet_lists_unreachable_accounts_and_unreadable_sources(book: Workbook) -> None:
    errors = book["Errors"]
    listed = [(errors.cell(r, 1).value, errors.cell(r, 4).value) for r in range(2, errors.max_row + 1)]
    assert listed[0] == (DENIED, "(account not accessed)")
    assert sum(1 for a, _ in listed if a == DENIED) == 1
    assert {c for a, c in listed if a == NO_REPORT} == {"root-not-used-recently", "console-users-mfa",
                                                        "access-keys-rotated", "unused-credentials",
                                                        "single-active-key"}


def test_summary_states_run_framework_thresholds_and_counts(book: Workbook) -> None:
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["Organization"] == "Test org (o-test)"
    assert summary["Framework shown"] == "CIS v5.0"
    assert summary["Threshold key_rotation_days"] == 90
    assert (summary["Accounts discovered"], summary["Accounts not accessed"], summary["Accounts skipped"]) == (4, 1, 1)
    tally = next(r for r in book["Summary"].iter_rows(values_only=True) if r[0] == "access-keys-rotated")
    assert tally[2:] == ("1.13", 0, 1, 0, 2)  # PASS, FAIL, NOT_APPLICABLE, ERROR


def test_workbook_is_deterministic_and_stamped_with_the_scan_start(run: RunFolder) -> None:
    first = (run.path / "report.xlsx").read_bytes()
    build_outputs(run)
    assert (run.path / "report.xlsx").read_bytes() == first
    with zipfile.ZipFile(run.path / "report.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 6, 30, 11, 58, 6)}  # 2-second steps
    props = load_workbook(run.path / "report.xlsx").properties
    assert props.created == props.modified == datetime(2026, 6, 30, 11, 58, 7)
    assert props.creator == "orgscan"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("plain", "plain"), ("", None), (None, None), (3, 3), ("bell\x07", "bell\ufffd")],
)
def test_cell_values(value: object, expected: object) -> None:
    assert cell_value(value) == expected
