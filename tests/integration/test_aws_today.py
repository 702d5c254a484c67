"""The simulated organization answers as AWS does today (Account.State only, SAML and OIDC providers, centralized
root access), and the older shapes of the same answers stay test cases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.organizations.models import organizations_backends
from openpyxl import load_workbook

from scanner.simulation.answers import AnswerShape, OrganizationFeatures, set_organization_features
from scanner.simulation.catalog import IDENTITY_CENTER_PROVIDER, MANAGEMENT_ACCOUNT_ID, UNKNOWN_STATE
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import read_csv, read_json, run_cli, run_folder

SKIPPED_STATES = {"210000000011": "SUSPENDED", "210000000014": "PENDING_CLOSURE", "210000000015": "CLOSED",
                  "210000000016": "PENDING_ACTIVATION"}


@pytest.fixture
def shaped(sim: SimulatedAws) -> Iterator[SimulatedAws]:
    """The simulated AWS; whatever shape a test sets is put back to today's afterwards."""
    yield sim
    sim.answers.shape = AnswerShape.TODAY


def _scan(sim: SimulatedAws, out: Path, *args: str) -> tuple[int, Path, str]:
    result = run_cli(sim, "scan", "--out", str(out), *args)
    return result.code, run_folder(out), result.stderr


def _findings(folder: Path) -> dict[tuple[str, str], tuple[str, str]]:
    return {(r["account_id"], r["check_id"]): (r["status"], r["detail"]) for r in read_csv(folder / "findings.csv")}


def test_organizations_answers_carry_state_alone_as_today(shaped: SimulatedAws,
                                                           organization: SeededOrganization) -> None:
    client = shaped.client("organizations")
    listed = client.list_accounts()["Accounts"]
    assert listed and all("State" in a and "Status" not in a for a in listed)
    described = client.describe_account(AccountId="210000000015")["Account"]
    assert described["State"] == "CLOSED" and "Status" not in described
    shaped.answers.shape = AnswerShape.LEGACY
    described = client.describe_account(AccountId="210000000015")["Account"]
    assert described["Status"] == "SUSPENDED" and "State" not in described  # before CLOSED existed


def test_every_shape_of_the_answer_gives_identical_findings(
        shaped: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(shaped.faults)
    findings = {}
    states = {}
    for shape in (AnswerShape.TODAY, AnswerShape.LEGACY, AnswerShape.TRANSITION):
        shaped.answers.shape = shape
        code, folder, _ = _scan(shaped, tmp_path / shape.value)
        assert code == 2  # the denied account
        findings[shape] = (folder / "findings.csv").read_bytes()
        states[shape] = {r["account_id"]: (r["status"], r["scan_status"]) for r in read_csv(folder / "accounts.csv")}
    assert findings[AnswerShape.LEGACY] == findings[AnswerShape.TODAY]
    assert findings[AnswerShape.TRANSITION] == findings[AnswerShape.TODAY]
    today = states[AnswerShape.TODAY]
    assert {i: today[i] for i in SKIPPED_STATES} == {i: (s, "skipped") for i, s in SKIPPED_STATES.items()}
    assert states[AnswerShape.LEGACY]["210000000015"] == ("SUSPENDED", "skipped")
    assert today["210000000017"] == (UNKNOWN_STATE, "scanned")


def test_an_unknown_state_is_attempted_logged_and_shown(
        shaped: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(shaped.faults)
    out = tmp_path / "runs"
    _, folder, _ = _scan(shaped, out)
    record = next(r for r in read_json(folder / "raw" / "accounts.json") if r["account_id"] == "210000000017")
    assert (record["status"], record["scan_status"]) == (UNKNOWN_STATE, "scanned")
    log = (out / "orgscan.log").read_text()
    assert f"account 210000000017: state '{UNKNOWN_STATE}' is not one orgscan knows; attempting it" in log
    html = (folder / "report.html").read_text()
    assert UNKNOWN_STATE in html


def test_an_account_without_any_state_is_attempted_never_skipped(
        shaped: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(shaped.faults)
    shaped.answers.shape = AnswerShape.ABSENT
    out = tmp_path / "runs"
    _, folder, _ = _scan(shaped, out, "--accounts", "210000000002,210000000011")
    rows = {r["account_id"]: (r["status"], r["scan_status"]) for r in read_csv(folder / "accounts.csv")}
    assert rows == {"210000000002": ("", "scanned"), "210000000011": ("", "scanned")}
    assert "account 210000000011: Organizations gave no state" in (out / "orgscan.log").read_text()


def test_the_account_the_scan_runs_from_is_always_scanned(
        shaped: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(shaped.faults)
    orgs = organizations_backends[MANAGEMENT_ACCOUNT_ID]["aws"]
    management = next(a for a in orgs.accounts if a.id == MANAGEMENT_ACCOUNT_ID)
    management.status = management.state = "PENDING_CLOSURE"
    code, folder, _ = _scan(shaped, tmp_path / "runs", "--accounts", MANAGEMENT_ACCOUNT_ID)
    rows = read_csv(folder / "accounts.csv")
    assert [(r["status"], r["scan_status"]) for r in rows] == [("PENDING_CLOSURE", "scanned")]
    assert code == 0


def test_a_scan_that_assessed_no_account_exits_2_and_says_so(
        shaped: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(shaped.faults)
    code, folder, stderr = _scan(shaped, tmp_path / "runs", "--accounts", "210000000011,210000000015")
    assert code == 2
    assert stderr.count("\n") == 1 and "no account was assessed (2 skipped, 0 could not be assessed)" in stderr
    assert [r["scan_status"] for r in read_csv(folder / "accounts.csv")] == ["skipped", "skipped"]
    denied = run_cli(shaped, "scan", "--out", str(tmp_path / "denied"), "--accounts", "210000000010")
    assert denied.code == 2 and "no account was assessed (0 skipped, 1 could not be assessed)" in denied.stderr


def test_individual_users_tells_people_from_workloads(
        shaped: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(shaped.faults)
    _, folder, _ = _scan(shaped, tmp_path / "runs")
    box = {a: f for (a, c), f in _findings(folder).items() if c == "individual-users"}
    status, detail = box["210000000018"]
    assert status == "FAIL" and "2 OIDC providers" in detail and "workloads" in detail
    assert box["210000000019"] == ("PASS", f"People sign in through federation: IAM Identity Center "
                                           f"({IDENTITY_CENTER_PROVIDER}).")
    assert box["210000000001"] == ("PASS", "People sign in through federation: SAML provider CorpIdP.")
    providers = read_json(folder / "raw" / "210000000019" / "saml_providers.json")["SAMLProviderList"]
    assert [p["Arn"].rpartition("/")[2] for p in providers] == [IDENTITY_CENTER_PROVIDER]


def test_root_mfa_removed_after_the_report_fails_on_the_live_summary(
        shaped: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(shaped.faults)
    _, folder, _ = _scan(shaped, tmp_path / "runs")
    report = (folder / "raw" / "210000000020" / "credential_report.csv").read_text()
    root = next(line for line in report.splitlines() if line.startswith("<root_account>"))
    assert root.split(",")[7] == "true"  # the report still shows MFA
    status, detail = _findings(folder)[("210000000020", "root-mfa")]
    assert status == "FAIL" and "MFA was removed since the report was generated?" in detail


def test_centralized_root_access_is_read_once_and_reported(
        shaped: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(shaped.faults)
    result = run_cli(shaped, "scan", "--out", str(tmp_path / "on"))
    folder = run_folder(tmp_path / "on")
    assert shaped.faults.counter.calls_for(MANAGEMENT_ACCOUNT_ID, "ListOrganizationsFeatures") == 1
    features = read_json(folder / "raw" / "organization_features.json")
    assert features["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    info = read_json(folder / "run.json")["organization_features"]
    assert info == {"collected": True, "RootCredentialsManagement": True, "RootSessions": True}
    assert "centralized root access: root credentials management on, root sessions on" in result.stdout
    status, detail = _findings(folder)[("210000000009", "root-mfa")]
    assert status == "NOT_APPLICABLE" and "cannot be recovered without the management account" in detail
    assert "root credentials management on" in (folder / "report.html").read_text()
    summary = {row[0]: row[1] for row in load_workbook(folder / "report.xlsx")["Summary"].iter_rows(values_only=True)}
    assert summary["Centralized root access"] == "root credentials management on, root sessions on"

    set_organization_features(MANAGEMENT_ACCOUNT_ID, OrganizationFeatures(enabled=()))
    _, folder, _ = _scan(shaped, tmp_path / "off")
    _, detail = _findings(folder)[("210000000009", "root-mfa")]
    assert "whoever holds the root e-mail address can still recover the root user" in detail


def test_organization_features_that_cannot_be_read_do_not_stop_the_scan(
        shaped: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(shaped.faults)
    set_organization_features(MANAGEMENT_ACCOUNT_ID, OrganizationFeatures(trusted_access=False))
    result = run_cli(shaped, "scan", "--out", str(tmp_path / "runs"))
    folder = run_folder(tmp_path / "runs")
    assert result.code == 2  # the denied account, as always; not worse
    error = read_json(folder / "raw" / "organization_features.json")["Error"]
    assert error["Code"] == "ServiceAccessNotEnabledException"
    assert read_json(folder / "run.json")["organization_features"]["error"].startswith(
        "ServiceAccessNotEnabledException")
    assert "centralized root access: could not be read (ServiceAccessNotEnabledException" in result.stdout
    _, detail = _findings(folder)[("210000000009", "root-mfa")]
    assert "could not be read" in detail
