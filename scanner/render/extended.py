"""The extended checks as the report shows them: a compact block under each scorecard, and the methodology.

They follow the five boxes on a scorecard in smaller type and count in none of the boxes' figures (not
passed/applicable, not the matrix, not the worst-first ranking). Checks that pass or do not apply are
named in one phrase; only a check that fails or could not be read gets a line of its own, its detail in full
(the checks bound their own lists of users). The PDF lays out every line of every account, so one line saved
per account is a thousand saved in a 1,000-account report (see `report_templates/README.md`).
"""

from __future__ import annotations

from collections.abc import Mapping

from scanner.checks import EXTENDED, Framework, Thresholds, references_for
from scanner.checks.extended_catalog import ACCOUNT_EXTENDED, CHECKS_BY_ID
from scanner.checks.organization import ROOT_ACCESS_CENTRALIZED
from scanner.models import Status
from scanner.render.records import CheckLine, ExtendedHeading, ExtendedResults

SHORT_TITLES = {
    "root-hardware-mfa": "Root hardware MFA",
    "root-not-used-recently": "Root not used",
    "console-users-mfa": "Console users' MFA",
    "access-keys-rotated": "Key rotation",
    "unused-credentials": "Unused credentials",
    "single-active-key": "One active key",
    "password-length": "Password length",
    "password-reuse": "Password reuse",
    "no-direct-user-policies": "No user policies",
    "no-full-admin-policies": "No \"*\" on \"*\" policies",
    "support-role": "Support role",
    "expired-server-certificates": "Expired certificates",
    "cloudshell-full-access": "CloudShell full access",
    "access-analyzer": "Access Analyzer",
    "root-access-centralized": "Centralized root access",
}
NO_REFERENCE = "\u2014"
MISSING_FINDING = "No finding was recorded for this check, so it cannot be counted as passing."

# (account_id, check_id) -> (status, detail)
FindingIndex = Mapping[tuple[str, str], tuple[str, str]]


def reference(check_id: str, framework: Framework) -> str:
    """The check's control ids in the run's framework; an em dash when the framework has none."""
    return references_for(check_id, framework) or NO_REFERENCE


def threshold_text(check_id: str, thresholds: Thresholds) -> str:
    """The threshold a check compared against in this run, with the setting that holds it."""
    texts = {
        "root-not-used-recently": f"used within {thresholds.root_use_days} days fails (root_use_days)",
        "access-keys-rotated": f"older than {thresholds.key_rotation_days} days fails (key_rotation_days)",
        "unused-credentials": f"unused for {thresholds.unused_credentials_days} days or more fails "
                              "(unused_credentials_days)",
        "password-length": f"at least {thresholds.password_min_length} characters (password_min_length)",
        "password-reuse": f"at least {thresholds.password_reuse} previous passwords (password_reuse)",
    }
    return texts.get(check_id, "")


def extended_headings(thresholds: Thresholds, framework: Framework) -> tuple[ExtendedHeading, ...]:
    return tuple(
        ExtendedHeading(check.check_id, check.title, check.checks, check.data,
                        threshold_text(check.check_id, thresholds), references_for(check.check_id, framework),
                        check.console, check.cli)
        for check in EXTENDED
    )


def _named(check_id: str, ref: str) -> str:
    """"<short title> (<reference>)", the reference kept on the line of its title."""
    return f"{SHORT_TITLES[check_id]}\u00a0({ref})"


def extended_results(
    account_id: str, findings: FindingIndex, accepted: Mapping[tuple[str, str], str], framework: Framework,
) -> ExtendedResults:
    """One account's extended checks; a check without a finding is listed as ERROR, never as passing.

    The organization's checks are on the report's summary (`organization_line`), not on a scorecard.
    """
    passing: list[str] = []
    not_applicable: list[str] = []
    listed: list[CheckLine] = []
    for check in ACCOUNT_EXTENDED:
        status, detail = findings.get((account_id, check.check_id), (Status.ERROR.value, MISSING_FINDING))
        ref = reference(check.check_id, framework)
        if status == Status.PASS.value:
            passing.append(_named(check.check_id, ref))
        elif status == Status.NOT_APPLICABLE.value:
            not_applicable.append(_named(check.check_id, ref))
        else:
            failing = status == Status.FAIL.value
            listed.append(CheckLine(
                check_id=check.check_id,
                title=check.title,
                reference=ref,
                status=status,
                detail=detail or MISSING_FINDING,
                accepted=accepted.get((account_id, check.check_id), "") if failing else "",
            ))
    return ExtendedResults(
        passed=len(passing),
        applicable=len(ACCOUNT_EXTENDED) - len(not_applicable),
        passing=tuple(passing),
        not_applicable=tuple(not_applicable),
        listed=tuple(listed),
    )


def organization_line(features_text: str, findings: FindingIndex, account_id: str, framework: Framework) -> str:
    """The summary's centralized root access line: what the organization has on, then the check's finding."""
    check = CHECKS_BY_ID[ROOT_ACCESS_CENTRALIZED]
    ref = reference(check.check_id, framework)
    found = findings.get((account_id, check.check_id)) if account_id else None
    if found is None:
        return (f"{features_text}; {check.title} ({ref}) not assessed: the management account is not in this "
                "run")
    return f"{features_text}; {check.title} ({ref}): {found[0]}"
