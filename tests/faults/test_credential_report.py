"""A credential report that never completes, or arrives broken: a bounded wait, a per-account error, no crash."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scanner import checks
from scanner.simulation.rules import WRONG_HEADER, MalformedKind
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.faults.helpers import WORKERS, accounts, box_statuses, findings, write_config
from tests.integration.helpers import read_csv, read_json, run_cli, run_folder
from tests.integration.test_scan import EXPECTED

# Extended checks that read nothing but the credential report.
REPORT_ONLY_CHECKS = ("console-users-mfa", "single-active-key", "access-keys-rotated", "unused-credentials")
assert set(REPORT_ONLY_CHECKS) <= set(checks.ALL_CHECK_IDS)
STUCK = "210000000005"  # clean root, users, no password policy


def test_a_report_that_never_completes_is_an_error_after_the_deadline(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    sim.faults.report_in_progress(STUCK)
    started = time.monotonic()
    result = run_cli(sim, "scan", "--out", str(tmp_path / "runs"), *WORKERS, "--config", str(write_config(tmp_path)))
    elapsed = time.monotonic() - started

    assert result.code == 2, result.stderr
    assert elapsed < 30  # a 2 s deadline, not the production 120 s, and certainly no hang
    folder = run_folder(tmp_path / "runs")
    raw = folder / "raw" / STUCK
    assert read_json(raw / "credential_report.error.json") == {
        "Error": {"Code": "ReportNotReady", "Message": "credential report not ready after 2 s"}}
    assert not (raw / "credential_report.csv").exists()
    assert read_json(raw / "meta.json")["credential_report_generated_time"] is None  # type: ignore[index]
    assert sim.faults.counter.calls_for(STUCK, "GetCredentialReport") >= 5  # it did poll, 0.2 s apart

    # The root boxes fall back on the account summary, and say the report was unavailable.
    rows = findings(folder)
    assert "credential report could not be read (ReportNotReady: credential report not ready after 2 s)" \
        in rows[(STUCK, "root-access-keys")]["detail"]
    assert box_statuses(folder) == EXPECTED
    for check_id in REPORT_ONLY_CHECKS:
        assert rows[(STUCK, check_id)]["status"] == "ERROR", rows[(STUCK, check_id)]
        assert "ReportNotReady" in rows[(STUCK, check_id)]["detail"]
    assert STUCK not in {r["account_id"] for r in read_csv(folder / "users.csv")}
    assert accounts(folder)[STUCK]["scan_status"] == "scanned"


MALFORMED: dict[str, MalformedKind] = {
    "210000000005": "wrong_header", "210000000006": "truncated", "210000000007": "binary"}


def test_a_malformed_report_is_kept_as_received_and_marked_on_the_results_it_hides(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    for account_id, kind in MALFORMED.items():
        sim.faults.malformed_report(account_id, kind)
    result = run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS)

    assert result.code == 2 and "Traceback" not in result.stderr, result.stderr
    folder = run_folder(tmp_path)
    assert sim.faults.counter.faults()["malformed_report"] >= 3
    kept = {a: (folder / "raw" / a / "credential_report.csv").read_bytes() for a in MALFORMED}
    assert kept["210000000005"].startswith(WRONG_HEADER.encode() + b"\n")
    assert not kept["210000000006"].endswith(b"\n") and kept["210000000006"].startswith(b"user,arn,")
    assert kept["210000000007"].startswith(b"\xc3\x28\xff")

    rows = findings(folder)
    reasons = {"wrong_header": "header lacks", "truncated": "truncated report", "binary": "not UTF-8"}
    for account_id, kind in MALFORMED.items():
        assert accounts(folder)[account_id]["scan_status"] == "scanned"
        detail = rows[(account_id, "root-access-keys")]["detail"]
        assert "MalformedCredentialReport" in detail and reasons[kind] in detail, detail
        for check_id in REPORT_ONLY_CHECKS:
            assert rows[(account_id, check_id)]["status"] == "ERROR"
            assert "MalformedCredentialReport" in rows[(account_id, check_id)]["detail"]
    # The summary still decides the boxes it can; the other accounts are untouched.
    assert box_statuses(folder) == EXPECTED
    assert not set(MALFORMED) & {r["account_id"] for r in read_csv(folder / "users.csv")}

    # The evidence can be re-read offline without a crash, to the same results.
    before = (folder / "findings.csv").read_bytes()
    assert run_cli(None, "report", str(folder)).code == 2
    assert (folder / "findings.csv").read_bytes() == before


@pytest.mark.parametrize("kind", ["wrong_header", "truncated", "binary"])
def test_each_kind_of_broken_report_is_refused_by_the_parser(kind: MalformedKind) -> None:
    from scanner.normalize.credential_report import CredentialReportError, parse_credential_report
    from scanner.simulation.rules import malformed_report

    good = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
            "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
            "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
            "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
            "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
            "cert_2_active,cert_2_last_rotated\n"
            "alice,arn:aws:iam::210000000005:user/alice,2024-01-15T09:00:00+00:00,true,N/A,N/A,N/A,true,"
            "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n")
    parse_credential_report(good.encode())
    with pytest.raises(CredentialReportError):
        parse_credential_report(malformed_report(None, kind).corrupt(good.encode()))
