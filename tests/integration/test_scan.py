"""`orgscan scan` end to end over HTTP against the simulated organization."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws, reset_backends
from tests.integration.helpers import (
    MANAGEMENT,
    csv_header,
    read_csv,
    read_json,
    run_cli,
    run_cli_process,
    run_folder,
)

P, F, NA, E = "PASS", "FAIL", "NOT_APPLICABLE", "ERROR"
BOXES = ["root-access-keys", "root-mfa", "individual-users", "groups-for-permissions", "password-policy"]

# What each seeded account must show, box by box (see scanner/simulation/catalog.py for the postures).
EXPECTED = {
    MANAGEMENT: (P, P, P, P, P),  # baseline, scanned with the caller's own credentials
    "210000000001": (P, P, P, NA, P),  # federation only: no IAM users
    "210000000002": (F, P, P, P, P),  # active root access key
    "210000000003": (F, P, P, P, P),  # inactive root key still counts
    "210000000004": (P, F, P, P, P),  # no root MFA
    "210000000005": (P, P, P, P, F),  # no password policy
    "210000000006": (P, P, P, F, P),  # managed policy attached to a user
    "210000000007": (P, P, P, F, P),  # hardware root MFA; no groups, inline user policy
    "210000000008": (P, F, F, NA, F),  # empty sandbox
    "210000000009": (P, NA, P, P, P),  # root credentials removed centrally
    "210000000010": (E, E, E, E, E),  # AssumeRole denied
    "210000000012": (P, P, P, P, E),  # GetAccountPasswordPolicy denied by an SCP
    "210000000013": (P, P, P, P, P),  # hostile name, hostile user names
    "210000000017": (P, P, P, P, P),  # a state orgscan does not know: attempted
    "210000000018": (P, P, F, NA, P),  # no users; OIDC providers only (workloads, not people)
    "210000000019": (P, P, P, NA, P),  # no users; IAM Identity Center's SAML provider
    "210000000020": (P, F, P, P, P),  # root MFA removed after the credential report was generated
    "210000000021": (P, P, P, F, P),  # the classic IAM tutorial's end state
}
SKIPPED = {"210000000011": "SUSPENDED", "210000000014": "PENDING_CLOSURE", "210000000015": "CLOSED",
           "210000000016": "PENDING_ACTIVATION"}
DISCOVERED = len(EXPECTED) + len(SKIPPED)
ACCOUNT_COLUMNS = ["account_id", "account_name", "email", "status", "ou_path", "scan_status", "error"]


@pytest.fixture
def scanned(sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> tuple[Path, int, str]:
    organization.install(sim.faults)
    result = run_cli(sim, "scan", "--out", str(tmp_path / "runs"))
    return run_folder(tmp_path / "runs"), result.code, result.stdout


def test_every_seeded_account_gets_the_right_status_in_every_box(scanned: tuple[Path, int, str]) -> None:
    folder, _, _ = scanned
    rows = read_csv(folder / "findings.csv")
    actual: dict[str, list[str]] = {}
    for row in rows:
        assert row["detail"], f"{row['account_id']} {row['check_id']} has no detail"
        if row["check_id"] in BOXES:
            actual.setdefault(row["account_id"], []).append(row["status"])
    assert {k: tuple(v) for k, v in actual.items()} == EXPECTED
    assert [r["check_id"] for r in rows[:5]] == BOXES  # the five boxes first, in box order


def test_scorecard_columns_and_counts(scanned: tuple[Path, int, str]) -> None:
    folder, _, _ = scanned
    assert csv_header(folder / "scorecard.csv") == ["account_id", "account_name", "ou_path", *BOXES,
                                                    "passed", "applicable"]
    rows = {r["account_id"]: r for r in read_csv(folder / "scorecard.csv")}
    assert set(rows) == set(EXPECTED)  # skipped accounts have no row
    for account_id, statuses in EXPECTED.items():
        row = rows[account_id]
        assert tuple(row[box] for box in BOXES) == statuses
        assert row["passed"] == str(statuses.count(P))
        assert row["applicable"] == str(5 - statuses.count(NA))
    assert rows["210000000007"]["ou_path"] == "Root/Dev"


def test_accounts_json_and_csv_hold_the_discovery_evidence(scanned: tuple[Path, int, str]) -> None:
    folder, _, _ = scanned
    records = read_json(folder / "raw" / "accounts.json")
    assert isinstance(records, list) and len(records) == DISCOVERED
    assert all(list(sorted(r)) == sorted(ACCOUNT_COLUMNS) for r in records)
    assert all(isinstance(r["account_id"], str) and len(r["account_id"]) == 12 for r in records)
    by_id = {r["account_id"]: r for r in records}
    assert by_id["210000000010"]["scan_status"] == "error"
    assert by_id["210000000010"]["error"].startswith("AccessDenied: ")
    for account_id, status in SKIPPED.items():
        assert (by_id[account_id]["status"], by_id[account_id]["scan_status"]) == (status, "skipped")
    assert by_id["210000000002"]["ou_path"] == "Root/Prod/Payments"
    assert by_id[MANAGEMENT]["scan_status"] == "scanned" and by_id[MANAGEMENT]["error"] == ""
    assert csv_header(folder / "accounts.csv") == ACCOUNT_COLUMNS
    assert [r["account_id"] for r in read_csv(folder / "accounts.csv")] == sorted(by_id)
    csv_rows = read_csv(folder / "accounts.csv")
    hostile = "210000000013"
    assert all(row == {k: by_id[row["account_id"]][k] for k in ACCOUNT_COLUMNS}
               for row in csv_rows if row["account_id"] != hostile)
    assert by_id[hostile]["account_name"].startswith("<script>")  # raw keeps the original


def test_raw_evidence_is_what_aws_returned(scanned: tuple[Path, int, str]) -> None:
    folder, _, _ = scanned
    raw = folder / "raw"
    expected_files = {"credential_report.csv", "account_summary.json", "password_policy.json",
                      "virtual_mfa_devices.json", "authorization_details.json", "saml_providers.json",
                      "roles_and_policies.json", "server_certificates.json", "meta.json"}
    scanned_ids = {a for a, s in EXPECTED.items() if s != (E,) * 5}
    denied = "210000000010"
    assert {p.name for p in raw.iterdir() if p.is_dir()} == scanned_ids | {denied}
    assert {p.name for p in raw.iterdir() if p.is_file()} == {"accounts.json", "discovery.json",
                                                             "organization_features.json"}
    for account_id in scanned_ids:
        assert {p.name for p in (raw / account_id).iterdir()} == expected_files
    assert [p.name for p in (raw / denied).iterdir()] == ["access_error.json"]  # AssumeRole's answer, no meta
    assert read_json(raw / denied / "access_error.json")["Error"]["Code"] == "AccessDenied"
    discovery = read_json(raw / "discovery.json")
    assert discovery["organization"]["organization_id"] == "o-orgscan042"
    assert [a["account_id"] for a in discovery["accounts"]] == sorted(EXPECTED.keys() | SKIPPED.keys())
    report = (raw / "210000000002" / "credential_report.csv").read_bytes()
    assert report.startswith(b"user,arn,user_creation_time,")
    assert b"\n<root_account>,arn:aws:iam::210000000002:root," in report
    assert read_json(raw / "210000000005" / "password_policy.json")["Error"]["Code"] == "NoSuchEntity"
    assert read_json(raw / "210000000012" / "password_policy.json")["Error"]["Code"] == "AccessDenied"
    assert read_json(raw / "210000000001" / "password_policy.json")["PasswordPolicy"]["MinimumPasswordLength"] == 14
    summary = read_json(raw / "210000000002" / "account_summary.json")["SummaryMap"]
    assert summary["AccountAccessKeysPresent"] == 1
    devices = read_json(raw / MANAGEMENT / "virtual_mfa_devices.json")["VirtualMFADevices"]
    assert any(d["User"]["Arn"].endswith(":root") for d in devices)
    details = read_json(raw / "210000000006" / "authorization_details.json")
    assert set(details) == {"UserDetailList", "GroupDetailList"}
    roles_and_policies = read_json(raw / "210000000006" / "roles_and_policies.json")
    assert set(roles_and_policies) == {"RoleDetailList", "Policies"}
    admin = next(p for p in roles_and_policies["Policies"] if p["PolicyName"] == "OrgAdministrator")
    assert admin["AttachmentCount"] == 1 and admin["DefaultVersionId"] == "v1"
    default = next(v for v in admin["PolicyVersionList"] if v["IsDefaultVersion"])
    assert default["Document"]["Statement"][0]["Action"] in ("*", ["*"])  # botocore decodes AWS's URL encoding
    stored = read_json(raw / "210000000003" / "server_certificates.json")["ServerCertificateMetadataList"]
    assert [(c["ServerCertificateName"], c["Expiration"]) for c in stored] == [
        ("payments-dr-tls-2024", "2025-01-31T23:59:59Z")]
    meta = read_json(raw / "210000000002" / "meta.json")
    assert meta["account_id"] == "210000000002" and meta["partition"] == "aws"
    assert meta["credential_report_generated_time"].endswith("Z")


def test_details_name_the_offending_users(scanned: tuple[Path, int, str]) -> None:
    folder, _, _ = scanned
    rows = {(r["account_id"], r["check_id"]): r["detail"] for r in read_csv(folder / "findings.csv")}
    assert "data-engineer" in rows[("210000000006", "groups-for-permissions")]
    assert "app-deployer" in rows[("210000000007", "groups-for-permissions")]
    assert "inactive" in rows[("210000000003", "root-access-keys")]
    assert "AccessDenied" in rows[("210000000012", "password-policy")]
    assert "AccessDenied" in rows[("210000000010", "root-mfa")]


def test_users_csv_lists_every_iam_user_for_spreadsheets(scanned: tuple[Path, int, str]) -> None:
    folder, _, _ = scanned
    header = csv_header(folder / "users.csv")
    assert header[:4] == ["account_id", "account_name", "user", "arn"] and len(header) == 24
    rows = read_csv(folder / "users.csv")
    assert "<root_account>" not in {r["user"] for r in rows}
    hostile = {r["user"] for r in rows if r["account_id"] == "210000000013"}
    assert {"'=1+2", "'@ops-admin", "deploy,ci"} <= hostile  # formula-leading names neutralized
    data = (folder / "users.csv").read_bytes()
    assert b'"deploy,ci"' in data and b"\r\n" in data
    assert [r["account_id"] for r in rows] == sorted(r["account_id"] for r in rows)


def test_exit_code_is_2_when_an_account_could_not_be_assessed(scanned: tuple[Path, int, str]) -> None:
    _, code, stdout = scanned
    assert code == 2
    assert "1 could not be assessed" in stdout and "4 skipped" in stdout


def test_run_json_describes_the_run(scanned: tuple[Path, int, str]) -> None:
    folder, _, _ = scanned
    info = read_json(folder / "run.json")
    assert info["organization_id"] == "o-orgscan042"
    assert info["management_account_id"] == MANAGEMENT
    assert info["role_name"] == "OrganizationAccountAccessRole"
    assert info["account_counts"] == {"discovered": DISCOVERED, "scanned": len(EXPECTED) - 1, "error": 1,
                                      "skipped": len(SKIPPED)}
    assert info["caller_arn"].startswith("arn:aws:")
    assert info["started_at"] <= info["finished_at"]
    assert folder.name.startswith(info["started_at"][:10])


def _no_network(self: socket.socket, address: object) -> None:
    raise AssertionError(f"orgscan report opened a connection to {address}")


def test_report_rederives_the_same_bytes_from_raw(
        scanned: tuple[Path, int, str], monkeypatch: pytest.MonkeyPatch) -> None:
    folder, code, _ = scanned
    derived = ["accounts.csv", "findings.csv", "scorecard.csv", "users.csv"]
    before = {name: (folder / name).read_bytes() for name in derived}
    for name in derived:
        (folder / name).unlink()
    monkeypatch.setattr(socket.socket, "connect", _no_network)  # no AWS at all
    result = run_cli(None, "report", str(folder))
    assert result.code == code == 2
    assert {name: (folder / name).read_bytes() for name in derived} == before


def test_report_reevaluates_changed_evidence(scanned: tuple[Path, int, str]) -> None:
    folder, _, _ = scanned
    shutil.copy(folder / "raw" / "210000000001" / "password_policy.json",
                folder / "raw" / "210000000005" / "password_policy.json")
    assert run_cli(None, "report", str(folder)).code == 2
    rows = {(r["account_id"], r["check_id"]): r["status"] for r in read_csv(folder / "findings.csv")}
    assert rows[("210000000005", "password-policy")] == P


def test_management_account_is_scanned_without_assuming_a_role(
        sim: SimulatedAws, scanned: tuple[Path, int, str]) -> None:
    assert sim.faults.counter.calls_for(MANAGEMENT, "AssumeRole") == 0
    assert sim.faults.counter.calls_for("210000000002", "AssumeRole") == 1
    assert sim.faults.counter.calls_for("210000000011", "AssumeRole") == 0  # suspended: not touched


def test_filters_select_accounts_and_ous_include_sub_ous(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    prod = organization.ou_ids["Root/Prod"]
    result = run_cli(sim, "scan", "--out", str(tmp_path / "a"), "--ou", prod, "--exclude", "210000000012")
    assert result.code == 0, result.stderr
    ids = [r["account_id"] for r in read_csv(run_folder(tmp_path / "a") / "accounts.csv")]
    assert ids == ["210000000002", "210000000003", "210000000004", "210000000005", "210000000019", "210000000020"]
    result = run_cli(sim, "scan", "--out", str(tmp_path / "b"), "--accounts", "210000000004,210000000011")
    rows = read_csv(run_folder(tmp_path / "b") / "accounts.csv")
    assert [(r["account_id"], r["scan_status"]) for r in rows] == [("210000000004", "scanned"),
                                                                   ("210000000011", "skipped")]
    assert result.code == 0


def test_unknown_account_or_ou_is_a_usage_error(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    result = run_cli(sim, "scan", "--out", str(tmp_path), "--accounts", "999999999999")
    assert result.code == 1
    assert result.stderr.strip() == "orgscan: error: --accounts: 999999999999 is not an account of this organization"
    assert run_cli(sim, "scan", "--out", str(tmp_path), "--ou", "ou-zzzz-zzzzzzzz").code == 1
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]


def test_every_page_of_list_accounts_is_followed(
        sim: SimulatedAws, seed_org: Callable[[int], SeededOrganization], tmp_path: Path) -> None:
    organization = seed_org(45)
    organization.install(sim.faults)
    result = run_cli(sim, "scan", "--out", str(tmp_path))
    rows = read_csv(run_folder(tmp_path) / "accounts.csv")
    assert [r["account_id"] for r in rows] == sorted(organization.account_ids)
    assert len(rows) == 45 and result.code == 2
    assert sim.faults.counter.calls_for(MANAGEMENT, "ListAccounts") >= 3  # 20 per page


def test_caller_outside_an_organization_scans_its_own_account(sim: SimulatedAws, tmp_path: Path) -> None:
    reset_backends()
    iam = sim.client("iam")
    iam.create_user(UserName="solo")
    result = run_cli(sim, "scan", "--out", str(tmp_path))
    rows = read_csv(run_folder(tmp_path) / "accounts.csv")
    assert [(r["account_id"], r["scan_status"], r["ou_path"]) for r in rows] == [(MANAGEMENT, "scanned", "")]
    findings = read_csv(run_folder(tmp_path) / "findings.csv")
    assert [f["check_id"] for f in findings][:5] == BOXES
    assert result.code in (0, 2)
    reset_backends()


def test_command_line_as_a_process_exit_codes_and_quiet_progress(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    result = run_cli_process(sim, "scan", "--out", str(tmp_path / "runs"), "--workers", "4")
    assert result.code == 2, result.stderr
    assert result.stderr == ""  # no progress bar when not on a terminal
    assert "run folder: " in result.stdout
    bad = run_cli_process(sim, "scan", "--workers", "0")
    assert bad.code == 1 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert run_cli_process(sim, "report", str(tmp_path / "nothing-here")).code == 1


def test_demo_runs_the_simulated_organization_end_to_end(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "scanner", "demo", "--out", str(tmp_path)], capture_output=True, text=True,
        timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    folder = run_folder(tmp_path)
    assert str(folder) in done.stdout
    statuses: dict[str, list[str]] = {}
    for row in read_csv(folder / "findings.csv"):
        if row["check_id"] in BOXES:
            statuses.setdefault(row["account_id"], []).append(row["status"])
    assert {k: tuple(v) for k, v in statuses.items()} == EXPECTED


def test_several_management_profiles_give_one_run_folder_each(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    organization.install(sim.faults)
    config = tmp_path / "aws-config"
    config.write_text("".join(
        f"[profile {name}]\naws_access_key_id = AKIAORGSCANDEMO00001\naws_secret_access_key = demo-secret\n"
        f"region = us-east-1\n" for name in ("org-one", "org-two")))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    out = tmp_path / "runs"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", sim.endpoint_url)
        from scanner.cli import main
        code = main(["scan", "--out", str(out), "--profile", "org-one,org-two", "--accounts", "210000000002"])
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    assert code == 0 and len(folders) == 2
    for folder in folders:
        assert [r["account_id"] for r in read_csv(folder / "accounts.csv")] == ["210000000002"]


def test_report_prints_on_letter_paper_by_option(scanned: tuple[Path, int, str]) -> None:
    from pypdf import PdfReader

    folder, _, _ = scanned
    assert round(float(PdfReader(folder / "report.pdf").pages[0].mediabox.width)) == 595  # A4 by default
    assert run_cli(None, "report", str(folder), "--paper", "Letter").code == 2
    assert round(float(PdfReader(folder / "report.pdf").pages[0].mediabox.width)) == 612
    assert run_cli(None, "report", str(folder), "--paper", "B5").code == 1
