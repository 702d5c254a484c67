"""A run folder written by hand, in the formats a scan stores, to derive outputs from offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.rundir import RunFolder
from tests.checks.reports import GENERATED_TEXT, SUMMARY, console_user, key_user, report_bytes, root

STARTED = "2026-06-30T11:58:07Z"
HOSTILE = '=HYPERLINK("http://x")'
SCANNED, DENIED, SKIPPED, NO_REPORT = "111111111111", "222222222222", "333333333333", "444444444444"


def _json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2))


def _record(account_id: str, name: str, scan_status: str, error: str = "", status: str = "ACTIVE") -> dict[str, str]:
    return {"account_id": account_id, "account_name": name, "email": f"{name}@example.com", "status": status,
            "ou_path": "Root/Prod", "scan_status": scan_status, "error": error}


def _account(raw: Path, account_id: str, report: bytes | None, policy: dict[str, Any], users: list[str]) -> None:
    folder = raw / account_id
    if report is None:
        _json(folder / "credential_report.error.json",
              {"Error": {"Code": "ReportNotReady", "Message": "credential report not ready after 120 s"}})
    else:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "credential_report.csv").write_bytes(report)
    _json(folder / "account_summary.json", {"SummaryMap": SUMMARY})
    _json(folder / "password_policy.json", policy)
    _json(folder / "virtual_mfa_devices.json", {"VirtualMFADevices": [
        {"SerialNumber": f"arn:aws:iam::{account_id}:mfa/my-phone", "User": {"Arn": f"arn:aws:iam::{account_id}:root"}},
    ]})
    _json(folder / "authorization_details.json", {
        "UserDetailList": [{"UserName": name, "AttachedManagedPolicies": [], "UserPolicyList": []} for name in users],
        "GroupDetailList": [{"GroupName": "Admins"}],
    })
    support = {"PolicyName": "AWSSupportAccess", "PolicyArn": "arn:aws:iam::aws:policy/AWSSupportAccess"}
    _json(folder / "roles_and_policies.json", {
        "RoleDetailList": [{"RoleName": "aws-support", "AttachedManagedPolicies": [support]}], "Policies": [],
    })
    _json(folder / "server_certificates.json", {"ServerCertificateMetadataList": []})
    _json(folder / "meta.json", {"account_id": account_id, "partition": "aws",
                                 "credential_report_generated_time": GENERATED_TEXT if report else None,
                                 "collected_at": GENERATED_TEXT})


def make_run(root_dir: Path) -> RunFolder:
    """Four accounts: one assessed (with a hostile user name), one denied, one skipped, one without report."""
    path = root_dir / "2026-06-30T115807Z"
    raw = path / "raw"
    _json(raw / "accounts.json", [
        _record(SCANNED, "=cmd|' /C calc'!A0", "scanned"),
        _record(DENIED, "denied", "error", "AccessDenied: not authorized to perform sts:AssumeRole"),
        _record(SKIPPED, "closed", "skipped", status="SUSPENDED"),
        _record(NO_REPORT, "slow", "scanned"),
    ])
    report = report_bytes(root(password_last_used="2026-06-01T08:00:00+00:00"),
                          key_user(HOSTILE, rotated_days=91, used_days=2),
                          console_user("alice", mfa=False), console_user("bob"))
    policy = {"PasswordPolicy": {"MinimumPasswordLength": 13, "PasswordReusePrevention": 24}}
    _account(raw, SCANNED, report, policy, [HOSTILE, "alice", "bob"])
    _account(raw, NO_REPORT, None, {"Error": {"Code": "NoSuchEntity", "Message": "no policy"}}, ["carol"])
    _json(path / "run.json", {"started_at": STARTED, "finished_at": "2026-06-30T11:59:00Z",
                              "organization_id": "o-test", "organization_name": "Test org",
                              "tool_version": __version__})
    return RunFolder.open(path)


ACCEPTED = """\
[[exception]]
account_id = "111111111111"
check_id = "password-length"
justification = "Length enforced by the identity provider"
owner = "alice@example.com"
expires = 2027-01-31
"""


def make_derived_run(path: Path, **run_info: Any) -> RunFolder:
    """`make_run` with one accepted risk in force (`ACCEPTED`), `run_info` merged into run.json, and every
    derived file written, as a scan would leave it."""
    from scanner.pipeline import build_outputs

    folder = make_run(path)
    if run_info:
        info = json.loads((folder.path / "run.json").read_bytes())
        (folder.path / "run.json").write_text(json.dumps({**info, **run_info}))
    (folder.path / "inputs").mkdir(exist_ok=True)
    (folder.path / "inputs" / "exceptions.toml").write_text(ACCEPTED)
    build_outputs(folder)
    return folder
