"""The extended checks over the simulated organization, as `orgscan demo` scans it.

Each expectation follows from the postures in scanner/simulation/catalog.py: the baseline users were
created in January 2024 and have never signed in (passwords and ci-deployer's key are long unused and
the key long unrotated); the root user signed in three days before the seeding day; app-dev's root MFA
is a hardware device, every other root MFA a virtual one. The baseline's Administrators group holds the
customer managed OrgAdministrator ("*" on "*"); only the management account and security-audit have a support
role; payments-prod stores a valid server certificate and payments-dr an expired one; app-dev's role dev-shell
holds AWSCloudShellFullAccess; the organization has centralized root access on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.checks import EXTENDED_IDS
from scanner.checks.extended_catalog import ACCOUNT_EXTENDED_IDS
from scanner.collect import ACCOUNT_PERMISSIONS
from scanner.simulation.seed import SeededOrganization, seed_organization
from scanner.simulation.server import SimulatedAws, reset_backends
from tests.policy.recording import recorded_scan

P, F, NA, E = "PASS", "FAIL", "NOT_APPLICABLE", "ERROR"
# The nine credential and password checks, then no-full-admin-policies, support-role,
# expired-server-certificates, cloudshell-full-access and access-analyzer (off: NOT_APPLICABLE).
CREDENTIALS = (F, F, P, F, F, P, P, P, P)  # virtual root MFA, root used 3 days ago, old never-used credentials
NO_USER_CREDENTIALS = (F, F, NA, NA, NA, NA, P, P, NA)
ADMIN_GROUP = (F, F, P, P, NA)  # OrgAdministrator attached to the Administrators group; no support role
NOTHING = (P, F, P, P, NA)  # no customer managed policies, no support role, no certificates, no CloudShell
BASELINE = (*CREDENTIALS, *ADMIN_GROUP)
EXPECTED = {
    "123456789012": (*CREDENTIALS, F, P, P, P, NA, P),  # its support role; centralized root access on
    "210000000001": (*NO_USER_CREDENTIALS, P, P, P, P, NA),  # federation only; its support role
    "210000000002": BASELINE,  # root keys are not IAM users' keys; its server certificate is valid
    "210000000003": (*CREDENTIALS, F, F, F, P, NA),  # its server certificate expired in January 2025
    "210000000004": BASELINE,  # no root MFA at all: no hardware MFA either
    "210000000005": (F, F, P, F, F, P, F, F, P, *ADMIN_GROUP),  # no password policy
    "210000000006": (F, F, P, F, F, P, P, P, F, *ADMIN_GROUP),  # data-engineer has a managed policy
    # hardware root MFA; app-deployer's inline policy; no groups; dev-shell holds AWSCloudShellFullAccess
    "210000000007": (P, F, P, F, F, P, P, P, F, P, F, P, F, NA),
    "210000000008": (F, F, NA, NA, NA, NA, F, F, NA, *NOTHING),  # empty sandbox
    "210000000009": (NA, P, P, F, F, P, P, P, P, *ADMIN_GROUP),  # root credentials removed: never used
    "210000000010": (E,) * 14,  # AssumeRole denied
    "210000000012": (F, F, P, F, F, P, E, E, P, *ADMIN_GROUP),  # GetAccountPasswordPolicy denied by an SCP
    "210000000013": BASELINE,  # hostile user names
    "210000000017": BASELINE,  # an unknown account state: attempted
    "210000000018": (*NO_USER_CREDENTIALS, *NOTHING),  # OIDC providers only
    "210000000019": (*NO_USER_CREDENTIALS, *NOTHING),  # IAM Identity Center
    "210000000020": BASELINE,  # root MFA removed since the report: no hardware MFA either
    # The classic IAM tutorial: virtual root MFA; jeff signs in without MFA and has never used his password;
    # the policy keeps AWS's default length (6) and remembers 3 passwords; AdministratorAccess sits on jeff
    # (an AWS managed policy: not judged by no-full-admin-policies).
    "210000000021": (F, F, F, NA, F, NA, F, F, F, *NOTHING),
}


@pytest.fixture
def seeded_today(sim: SimulatedAws) -> Iterator[SeededOrganization]:
    """The demo organization seeded for today, so "root used three days ago" holds whenever tests run."""
    reset_backends()
    sim.faults.clear()
    organization = seed_organization()
    organization.install(sim.faults)
    yield organization
    reset_backends()
    sim.faults.clear()


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(), newline="")))


def test_extended_statuses_of_the_demo_organization(sim: SimulatedAws, seeded_today: SeededOrganization,
                                                    tmp_path: Path) -> None:
    outcome, _ = recorded_scan(sim, tmp_path)
    folder = outcome.folder.path
    actual: dict[str, list[str]] = {}
    details: dict[tuple[str, str], str] = {}
    for row in rows(folder / "findings.csv"):
        if row["check_id"] in EXTENDED_IDS:
            actual.setdefault(row["account_id"], []).append(row["status"])
            details[(row["account_id"], row["check_id"])] = row["detail"]
    assert {k: tuple(v) for k, v in actual.items()} == EXPECTED
    assert "ops-root-token" in details[("123456789012", "root-hardware-mfa")]
    assert "data-engineer (managed: DataLakeReadOnly)" in details[("210000000006", "no-direct-user-policies")]
    assert "app-deployer (inline: deploy-inline)" in details[("210000000007", "no-direct-user-policies")]
    assert "password " in details[("123456789012", "root-not-used-recently")]
    assert details[("210000000002", "no-full-admin-policies")] == (
        '1 customer managed policy allows "*" on "*" and is attached: OrgAdministrator (group Administrators).')
    assert details[("123456789012", "support-role")] == "AWSSupportAccess is attached to role aws-support."
    assert "payments-tls (expires 2036-06-30)" in details[("210000000002", "expired-server-certificates")]
    assert "payments-dr-tls-2024 (expired 2025-01-31, " in details[("210000000003", "expired-server-certificates")]
    assert details[("210000000007", "cloudshell-full-access")] == (
        "AWSCloudShellFullAccess is attached to role dev-shell.")
    assert "Root credentials management is on" in details[("123456789012", "root-access-centralized")]
    assert {a for a, c in details if c == "root-access-centralized"} == {"123456789012"}  # one, for the organization
    assert len(ACCOUNT_EXTENDED_IDS) == 14
    assert "off unless turned on (access_analyzer = true in --config, or --access-analyzer)" in details[
        ("210000000002", "access-analyzer")]

    users = rows(folder / "user_findings.csv")
    hostile = {(r["user"], r["check_id"]): r["status"] for r in users if r["account_id"] == "210000000013"}
    assert hostile[("'=1+2", "access-keys-rotated")] == F  # neutralized in the export, judged like any user
    assert hostile[("'@ops-admin", "console-users-mfa")] == P
    assert ("ci-deployer", "access-keys-rotated", F) in {(r["user"], r["check_id"], r["status"]) for r in users
                                                         if r["account_id"] == "123456789012"}
    assert (folder / "report.xlsx").is_file()


def test_access_analyzer_when_turned_on(sim: SimulatedAws, seeded_today: SeededOrganization, tmp_path: Path) -> None:
    outcome, called = recorded_scan(sim, tmp_path, access_analyzer=True)
    found = {(r["account_id"], r["check_id"]): (r["status"], r["detail"])
             for r in rows(outcome.folder.path / "findings.csv") if r["check_id"] == "access-analyzer"}
    assert found[("123456789012", "access-analyzer")] == (
        P, "An external access analyzer is active in each of the 17 enabled regions: organization analyzer "
           "org-external-access.")
    assert found[("210000000001", "access-analyzer")][1].startswith(  # eu-south-1, opted in, is checked too
        "An external access analyzer is active in each of the 18 enabled regions")
    status, detail = found[("210000000002", "access-analyzer")]  # us-east-1 only; an unused access analyzer
    assert status == F and detail.startswith("No active external access analyzer in 16 of 17 enabled regions: "
                                             "ap-northeast-1, ")
    assert "us-east-1" not in detail
    assert found[("210000000004", "access-analyzer")][1].startswith("No active external access analyzer in 17 of 17")
    assert found[("210000000010", "access-analyzer")][0] == E  # AssumeRole denied
    assert {"account:ListRegions", "access-analyzer:ListAnalyzers"} <= called
    assert called - {c for c in called if c.startswith(("iam:", "sts:", "organizations:"))} <= set(
        ACCOUNT_PERMISSIONS)
