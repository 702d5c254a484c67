"""Checks judged once for the organization: centralized root access (CIS v7.0 2.1.1).

The evidence is the organization's (raw/organization_features.json, read once per run by the scanning
identity), so there is one finding, on the management account, whether or not that account could be entered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.checks.outcome import CheckOutcome
from scanner.models import AccountResult, Finding, ScanStatus, Status
from scanner.normalize.evidence import ORGANIZATION_FEATURES_JSON, OrganizationFeatures

ROOT_ACCESS_CENTRALIZED = "root-access-centralized"


def root_access_centralized(features: OrganizationFeatures) -> CheckOutcome:
    if not features.collected:
        return CheckOutcome(Status.ERROR, f"Centralized root access could not be judged: {ORGANIZATION_FEATURES_JSON} "
                                          "is not in this run (the version of orgscan that wrote it did not collect "
                                          "it).")
    error = features.error
    if error is not None:
        if error.code == "ServiceAccessNotEnabledException":
            return CheckOutcome(Status.FAIL, "IAM's trusted access with AWS Organizations is off, so root credentials "
                                             "management is not enabled: whoever holds a member account's root email "
                                             "address can recover its root password.")
        if error.code == "OrganizationNotFoundException":
            return CheckOutcome(Status.NOT_APPLICABLE, "The account is in no organization: there are no member "
                                                       "accounts' root users to manage centrally.")
        return CheckOutcome(Status.ERROR, f"Centralized root access could not be read ({error}).")
    sessions = "on" if features.root_sessions else "off"
    if features.root_credentials_management:
        return CheckOutcome(Status.PASS, "Root credentials management is on for the organization: member accounts' "
                                         "root credentials can be removed and cannot be recovered without it "
                                         f"(privileged root sessions {sessions}).")
    return CheckOutcome(Status.FAIL, "Root credentials management is off for the organization: whoever holds a "
                                     "member account's root email address can recover its root password "
                                     f"(privileged root sessions {sessions}).")


def organization_account(run_info: Mapping[str, Any]) -> str:
    """The account an organization-level finding is filed under: the management account, or the caller's own
    account when it is in no organization."""
    return str(run_info.get("management_account_id") or run_info.get("caller_account_id") or "")


def evaluate_organization(
    results: Sequence[AccountResult], run_info: Mapping[str, Any], features: OrganizationFeatures,
) -> list[Finding]:
    """The organization's findings, on its management account; none when that account is not in the run."""
    account_id = organization_account(run_info)
    assessed = {r.account.account_id for r in results if r.scan_status is not ScanStatus.SKIPPED}
    if not account_id or account_id not in assessed:
        return []
    outcome = root_access_centralized(features)
    return [Finding(account_id, ROOT_ACCESS_CENTRALIZED, outcome.status, outcome.detail)]
