"""The run folder's derived files from hand-written evidence: order, contracts, neutralized cells, bytes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from scanner.checks import ALL_CHECK_IDS, CHECK_IDS, EXTENDED_IDS
from scanner.checks.extended_catalog import ACCOUNT_EXTENDED_IDS
from scanner.cli import main
from scanner.pipeline import build_outputs
from scanner.rundir import RunFolder
from tests.output.runs import DENIED, HOSTILE, NO_REPORT, SCANNED, SKIPPED, make_run

DERIVED = ("accounts.csv", "findings.csv", "scorecard.csv", "users.csv", "user_findings.csv", "report.xlsx")


@pytest.fixture
def run(tmp_path: Path) -> RunFolder:
    folder = make_run(tmp_path)
    build_outputs(folder)
    return folder


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def test_findings_hold_the_boxes_then_the_extended_checks_per_account(run: RunFolder) -> None:
    found = rows(run.path / "findings.csv")
    by_account: dict[str, list[dict[str, str]]] = {}
    for row in found:
        by_account.setdefault(row["account_id"], []).append(row)
    assert list(by_account) == [SCANNED, DENIED, NO_REPORT]  # skipped: no rows
    for account_rows in by_account.values():
        # every check but the organization's, which belongs on the management account (this run names none)
        assert [r["check_id"] for r in account_rows] == [*CHECK_IDS, *ACCOUNT_EXTENDED_IDS]
    assert {r["status"] for r in by_account[DENIED]} == {"ERROR"}
    assert all("AccessDenied" in r["detail"] for r in by_account[DENIED])
    slow = {r["check_id"]: r for r in by_account[NO_REPORT]}
    assert slow["access-keys-rotated"]["status"] == "ERROR"
    assert "credential report not ready after 120 s" in slow["access-keys-rotated"]["detail"]
    assert slow["password-length"]["status"] == "FAIL"  # NoSuchEntity: no policy
    assert SKIPPED not in {r["account_id"] for r in found}


def test_scorecard_keeps_exactly_the_five_box_contract(run: RunFolder) -> None:
    data = (run.path / "scorecard.csv").read_bytes()
    header = data.split(b"\r\n", 1)[0].decode().split(",")
    contract = ["account_id", "account_name", "ou_path", *CHECK_IDS, "passed", "applicable"]
    assert header[:len(contract)] == contract
    assert not set(header) & set(EXTENDED_IDS)  # the extended checks never become scorecard columns
    card = {r["account_id"]: r for r in rows(run.path / "scorecard.csv")}
    assert (card[SCANNED]["passed"], card[SCANNED]["applicable"]) == ("5", "5")  # extended FAILs not counted
    assert (card[NO_REPORT]["passed"], card[NO_REPORT]["applicable"]) == ("4", "5")


def test_user_findings_are_sorted_and_neutralized(run: RunFolder) -> None:
    data = (run.path / "user_findings.csv").read_bytes()
    assert data.startswith(b"account_id,account_name,user,check_id,status,evidence\r\n")
    found = rows(run.path / "user_findings.csv")
    order = {c: n for n, c in enumerate(ALL_CHECK_IDS)}
    keys = [(r["account_id"], order[r["check_id"]], r["user"]) for r in found]
    assert keys == sorted(keys)
    hostile = [r for r in found if "HYPERLINK" in r["user"]]
    assert {r["user"] for r in hostile} == {"'" + HOSTILE}
    assert {r["account_name"] for r in found if r["account_id"] == SCANNED} == {"'=cmd|' /C calc'!A0"}
    stale = next(r for r in hostile if r["check_id"] == "access-keys-rotated")
    assert (stale["status"], stale["evidence"]) == ("FAIL", "key 1 rotated 2026-03-31, 91 days before the report")
    assert "alice" in {r["user"] for r in found if r["check_id"] == "console-users-mfa" and r["status"] == "FAIL"}
    assert NO_REPORT in {r["account_id"] for r in found}  # authorization details still judged


def test_exit_code_counts_the_boxes_only(run: RunFolder) -> None:
    outcome = build_outputs(run)
    assert outcome.errors == 1 + 5  # the denied account and its five boxes; extended ERRORs do not add
    assert outcome.exit_code == 2


def test_report_gives_the_same_bytes_twice(run: RunFolder) -> None:
    first = {name: (run.path / name).read_bytes() for name in DERIVED}
    for name in DERIVED:
        (run.path / name).unlink()
    build_outputs(run)
    assert {name: (run.path / name).read_bytes() for name in DERIVED} == first


def test_report_command_chooses_framework_and_thresholds(run: RunFolder, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    lenient = tmp_path / "checks.toml"
    lenient.write_text("password_min_length = 13\n")
    assert main(["report", str(run.path), "--framework", "securityhub", "--checks", str(lenient)]) == 2
    statuses = {(r["account_id"], r["check_id"]): r["status"] for r in rows(run.path / "findings.csv")}
    assert statuses[(SCANNED, "password-length")] == "PASS"
    sheet = load_workbook(run.path / "report.xlsx")["Findings"]
    assert sheet["E1"].value == "Security Hub"
    assert main(["report", str(run.path)]) == 2  # the thresholds it was last told are the run's now
    statuses = {(r["account_id"], r["check_id"]): r["status"] for r in rows(run.path / "findings.csv")}
    assert statuses[(SCANNED, "password-length")] == "PASS"
    defaults = Path(__file__).parents[2] / "config" / "checks.toml"
    assert main(["report", str(run.path), "--framework", "cis-v5", "--checks", str(defaults)]) == 2
    statuses = {(r["account_id"], r["check_id"]): r["status"] for r in rows(run.path / "findings.csv")}
    assert statuses[(SCANNED, "password-length")] == "FAIL"
    assert "report_overrides" not in json.loads((run.path / "run.json").read_text())  # the run's own again
    capsys.readouterr()


def test_report_judges_by_the_thresholds_the_run_recorded(run: RunFolder,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    info = json.loads((run.path / "run.json").read_text())
    info["check_thresholds"] = {"password_min_length": 12, "key_rotation_days": 120}
    (run.path / "run.json").write_text(json.dumps(info))
    assert main(["report", str(run.path)]) == 2
    statuses = {(r["account_id"], r["check_id"]): r["status"] for r in rows(run.path / "findings.csv")}
    assert statuses[(SCANNED, "password-length")] == statuses[(SCANNED, "access-keys-rotated")] == "PASS"
    info["check_thresholds"] = {"password_min_length": "twelve"}
    (run.path / "run.json").write_text(json.dumps(info))
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(run.path)])
    assert exit_info.value.code == 1
    assert "check_thresholds: 'password_min_length' must be a whole number" in capsys.readouterr().err
