"""report.xlsx and accepted risks: the status cell of an accepted FAIL still starts with FAIL, says why, is
coloured as a FAIL, and stays inert text."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from scanner import rundir
from scanner.audit.layout import EXCEPTIONS_TOML
from scanner.pipeline import build_outputs
from tests.output.runs import SCANNED, make_run

EXCEPTIONS = f"""\
[[exception]]
account_id = "{SCANNED}"
check_id = "console-users-mfa"
justification = "=HYPERLINK(\\"http://x\\") alice leaves on Friday"
owner = "+security@example.com"
expires = 2026-12-31

[[exception]]
account_id = "*"
check_id = "password-length"
justification = "Legacy application"
owner = "bob@example.com"
expires = 2026-01-31
"""


def test_an_accepted_fail_reads_fail_accepted_and_others_are_untouched(tmp_path: Path) -> None:
    folder = make_run(tmp_path)
    rundir.write_atomic(folder.path / EXCEPTIONS_TOML, EXCEPTIONS.encode("utf-8"))
    build_outputs(folder)
    sheet = load_workbook(folder.path / "report.xlsx")["Findings"]
    assert sheet["F1"].value == "status"
    statuses = {(sheet.cell(r, 1).value, sheet.cell(r, 4).value): sheet.cell(r, 6) for r in range(2, sheet.max_row + 1)}
    accepted = statuses[(SCANNED, "console-users-mfa")]
    assert accepted.value == ('FAIL (accepted until 2026-12-31 by +security@example.com: =HYPERLINK("http://x") '
                              "alice leaves on Friday)")
    assert accepted.data_type == "s"
    assert statuses[(SCANNED, "password-length")].value == "FAIL"  # its exception expired before the scan
    assert statuses[(SCANNED, "access-keys-rotated")].value == "FAIL"
    assert statuses[(SCANNED, "root-mfa")].value == "PASS"
    rules = {str(cf.sqref): [rule.formula[0] for rule in cf.rules] for cf in sheet.conditional_formatting}
    assert rules[f"F2:F{sheet.max_row}"][-1] == 'LEFT(F2,6)="FAIL ("'


def test_without_a_register_every_status_is_a_plain_status(tmp_path: Path) -> None:
    folder = make_run(tmp_path)
    build_outputs(folder)
    sheet = load_workbook(folder.path / "report.xlsx")["Findings"]
    assert {sheet.cell(r, 6).value for r in range(2, sheet.max_row + 1)} <= {"PASS", "FAIL", "ERROR",
                                                                              "NOT_APPLICABLE"}
