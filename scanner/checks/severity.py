"""How much a failure of each check matters, for the formats security teams triage by severity.

The five boxes and the extended checks that have a Security Hub control take that control's severity, so a
finding from orgscan sorts beside Security Hub's own; the others are orgscan's own rating.
"""

from __future__ import annotations

from enum import StrEnum

from scanner.checks.extended_catalog import ALL_CHECK_IDS


class Severity(StrEnum):
    INFORMATIONAL = "INFORMATIONAL"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


# Where the ratings below come from: no published source rates every check, so the methodology says this.
SEVERITY_SOURCE = ("Severities are orgscan's rating, following the Security Hub control severities where one "
                   "exists.")

SEVERITY: dict[str, Severity] = {
    "root-access-keys": Severity.CRITICAL,  # IAM.4
    "root-mfa": Severity.CRITICAL,  # IAM.9
    "individual-users": Severity.MEDIUM,
    "groups-for-permissions": Severity.LOW,  # IAM.2
    "password-policy": Severity.MEDIUM,  # IAM.15, IAM.16
    "root-hardware-mfa": Severity.CRITICAL,  # IAM.6
    "root-not-used-recently": Severity.HIGH,
    "console-users-mfa": Severity.MEDIUM,  # IAM.5
    "access-keys-rotated": Severity.MEDIUM,  # IAM.3
    "unused-credentials": Severity.MEDIUM,  # IAM.22
    "single-active-key": Severity.MEDIUM,
    "password-length": Severity.MEDIUM,  # IAM.15
    "password-reuse": Severity.LOW,  # IAM.16
    "no-direct-user-policies": Severity.LOW,  # IAM.2
    "no-full-admin-policies": Severity.HIGH,  # IAM.1
    "support-role": Severity.LOW,  # IAM.18
    "expired-server-certificates": Severity.MEDIUM,  # IAM.26
    "cloudshell-full-access": Severity.MEDIUM,  # IAM.27
    "access-analyzer": Severity.HIGH,  # IAM.28
    "root-access-centralized": Severity.MEDIUM,  # CIS v7.0 2.1.1, Level 2
}
assert tuple(SEVERITY) == ALL_CHECK_IDS
