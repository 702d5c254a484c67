"""Denied roles and an SCP: the accounts and boxes concerned say ERROR with AWS's code; no other result moves."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.faults.helpers import BOXES, WORKERS, accounts, box_statuses, findings, report_html
from tests.integration.helpers import MANAGEMENT, CliResult, read_json, run_cli, run_folder
from tests.integration.test_scan import EXPECTED, SKIPPED

DENIED = ("210000000004", "210000000010")  # the seeded denial, plus one added here
SCP = "210000000012"


_SCANNED: list[tuple[Path, CliResult]] = []


@pytest.fixture
def denied_scan(sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> tuple[Path, CliResult]:
    """One scan for every test of this module, run by whichever needs it first, under its own guards."""
    if not _SCANNED:
        organization.install(sim.faults)
        sim.faults.deny("AssumeRole", DENIED[0], via_scp=False)
        result = run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS)
        _SCANNED.append((run_folder(tmp_path), result))
    return _SCANNED[0]


def test_accounts_whose_role_is_denied_are_errors_and_every_other_account_is_assessed(
        denied_scan: tuple[Path, CliResult]) -> None:
    folder, result = denied_scan
    assert result.code == 2
    discovered, scanned = len(EXPECTED) + len(SKIPPED), len(EXPECTED) - len(DENIED)
    assert (f"{discovered} accounts: {scanned} assessed, {len(DENIED)} could not be assessed, "
            f"{len(SKIPPED)} skipped") in result.stdout
    rows = accounts(folder)
    for account_id in DENIED:
        assert rows[account_id]["scan_status"] == "error"
        assert rows[account_id]["error"].startswith("AccessDenied: User: arn:aws:iam::123456789012:user/")
        assert f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole" in rows[account_id]["error"]
        assert not (folder / "raw" / account_id / "meta.json").exists()  # the mark of a collected account
    for account_id in set(EXPECTED) - set(DENIED):
        assert rows[account_id]["scan_status"] == "scanned", account_id
    assert {a for a, r in rows.items() if r["scan_status"] == "skipped"} == set(SKIPPED)

    every = findings(folder)
    for account_id in DENIED:
        checks = [row for (a, _), row in every.items() if a == account_id]
        assert {row["check_id"] for row in checks} >= set(BOXES)
        for row in checks:  # the five boxes and any extended check
            assert row["status"] == "ERROR" and "AccessDenied" in row["detail"], row
    statuses = box_statuses(folder)
    assert {a: s for a, s in statuses.items() if a not in DENIED} == {
        a: s for a, s in EXPECTED.items() if a not in DENIED}
    assert read_json(folder / "run.json")["account_counts"] == {  # type: ignore[index]
        "discovered": discovered, "scanned": scanned, "error": len(DENIED), "skipped": len(SKIPPED)}


def test_report_html_names_the_accounts_that_could_not_be_assessed(denied_scan: tuple[Path, CliResult]) -> None:
    folder, _ = denied_scan
    page = html.unescape(report_html(folder))
    start = page.index("Could not be assessed")
    section = page[start:page.index("Skipped", start)]
    for account_id in DENIED:
        assert account_id in section
    assert section.count("AccessDenied") >= len(DENIED)
    others = set(EXPECTED) - set(DENIED) - {MANAGEMENT}  # the caller's ARN, in the messages, names it
    assert all(account_id not in section for account_id in others)


def test_an_scp_denying_the_password_policy_makes_only_that_box_error(
        denied_scan: tuple[Path, CliResult]) -> None:
    folder, _ = denied_scan
    assert box_statuses(folder)[SCP] == ("PASS", "PASS", "PASS", "PASS", "ERROR")
    detail = findings(folder)[(SCP, "password-policy")]["detail"]
    assert "AccessDenied" in detail and "explicit deny in a service control policy" in detail
    stored = read_json(folder / "raw" / SCP / "password_policy.json")
    assert stored["Error"]["Code"] == "AccessDenied"  # type: ignore[index]
    assert accounts(folder)[SCP]["scan_status"] == "scanned"
    # Whatever else judges the password policy can only say ERROR too, never PASS or FAIL.
    policy_checks = [row for (a, c), row in findings(folder).items() if a == SCP and c.startswith("password")]
    assert policy_checks and all(row["status"] == "ERROR" for row in policy_checks)
