"""The extended checks' rules: root posture, password policy strength, and the user-level checks' gates.

Each rule reads the `AccountFacts` only. A rule whose source could not be read is ERROR with the reason,
never PASS: credential-report checks when the report is unavailable or malformed, age checks also when
its generation time is unknown, password checks on any error other than NoSuchEntity (no custom policy,
which FAILs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.checks.ages import age_days, day, days_text, report_time, within
from scanner.checks.analyzer import access_analyzer
from scanner.checks.boxes import root_mfa
from scanner.checks.certificates import expired_server_certificates
from scanner.checks.credentials import (
    access_keys_rotated,
    console_users_mfa,
    no_direct_user_policies,
    single_active_key,
    unused_credentials,
    user_credentials,
)
from scanner.checks.extended_catalog import ACCOUNT_EXTENDED_IDS
from scanner.checks.outcome import CheckOutcome, UserFinding
from scanner.checks.policies import cloudshell_full_access, no_full_admin_policies, support_role
from scanner.checks.thresholds import Thresholds
from scanner.models import Finding, Status
from scanner.normalize.evidence import AccountFacts

GOVCLOUD = "aws-us-gov"
ROOT_ARN_SUFFIX = ":root"


def _error(detail: str) -> CheckOutcome:
    return CheckOutcome(Status.ERROR, detail)


def _report_gap(facts: AccountFacts) -> str:
    """Why the credential report cannot be used, or "" when it can."""
    if facts.report_error is not None:
        return f"The credential report could not be read ({facts.report_error})."
    return ""


def _time_gap(facts: AccountFacts) -> str:
    gap = _report_gap(facts)
    if gap:
        return gap
    if report_time(facts) is None:
        return "The credential report's generation time is unknown (meta.json), so ages cannot be measured."
    return ""


def root_hardware_mfa(facts: AccountFacts, thresholds: Thresholds) -> CheckOutcome:
    if facts.partition == GOVCLOUD:
        return CheckOutcome(Status.NOT_APPLICABLE, "GovCloud root users have no console access; root MFA does "
                                                   "not apply.")
    status, detail = root_mfa(facts)
    if status is Status.NOT_APPLICABLE:
        return CheckOutcome(Status.NOT_APPLICABLE, detail)
    if status is Status.ERROR:
        return _error(detail)
    if status is Status.FAIL:
        return CheckOutcome(Status.FAIL, "The root user has no MFA device at all, so no hardware MFA.")
    if facts.mfa_devices is None:
        return _error(f"Root MFA is active, but the virtual MFA devices could not be read ({facts.mfa_error}), "
                      "so its kind is unknown.")
    virtual = sorted(
        str(device.get("SerialNumber", ""))
        for device in facts.mfa_devices
        if str((device.get("User") or {}).get("Arn", "")).endswith(ROOT_ARN_SUFFIX)
    )
    if virtual:
        return CheckOutcome(Status.FAIL, f"The root user's MFA includes a virtual device ({', '.join(virtual)}); "
                                         "use a hardware device instead.")
    return CheckOutcome(Status.PASS, "Root MFA is active and no virtual MFA device belongs to the root user: it is "
                                     "a hardware device.")


def root_not_used_recently(facts: AccountFacts, thresholds: Thresholds) -> CheckOutcome:
    gap = _time_gap(facts)
    if gap:
        return _error(gap)
    at = report_time(facts)
    root = facts.root
    if root is None or at is None:
        return _error("The credential report has no <root_account> row.")
    uses = sorted(
        ((when, what) for what, when in (("password", root.password_last_used),
                                         ("access key 1", root.access_key_1_last_used_date),
                                         ("access key 2", root.access_key_2_last_used_date))
         if when is not None),
        reverse=True,
    )
    if not uses:
        return CheckOutcome(Status.PASS, "The credential report records no use of the root password or root "
                                         "access keys.")
    days = thresholds.root_use_days
    recent = [(when, what) for when, what in uses if within(when, at, days)]
    listing = "; ".join(f"{what} {day(when)}, {days_text(age_days(when, at))} before the report"
                        for when, what in (recent or uses[:1]))
    if recent:
        return CheckOutcome(Status.FAIL, f"The root user was used within {days} days of the credential report: "
                                         f"{listing}.")
    return CheckOutcome(Status.PASS, f"The root user was last used more than {days} days before the credential "
                                     f"report: {listing}.")


def _policy_value(facts: AccountFacts, key: str) -> tuple[Any, CheckOutcome | None]:
    """The policy member `key` (None when unset), or the outcome that stands in for a missing policy."""
    if facts.password_policy is not None:
        return facts.password_policy.get(key), None
    error = facts.password_policy_error
    if error is not None and error.code == "NoSuchEntity":
        return None, CheckOutcome(Status.FAIL, "No custom password policy is set; AWS's implicit default "
                                               "(8 characters, no reuse prevention) applies.")
    return None, _error(f"The password policy could not be read ({error or 'not collected'}).")


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def password_length(facts: AccountFacts, thresholds: Thresholds) -> CheckOutcome:
    value, missing = _policy_value(facts, "MinimumPasswordLength")
    if missing:
        return missing
    need = thresholds.password_min_length
    length = _whole(value)
    if length is None:
        return CheckOutcome(Status.FAIL, f"The password policy sets no minimum length (at least {need} required).")
    if length >= need:
        return CheckOutcome(Status.PASS, f"Minimum password length is {length} (at least {need} required).")
    return CheckOutcome(Status.FAIL, f"Minimum password length is {length}; at least {need} is required.")


def password_reuse(facts: AccountFacts, thresholds: Thresholds) -> CheckOutcome:
    value, missing = _policy_value(facts, "PasswordReusePrevention")
    if missing:
        return missing
    need = thresholds.password_reuse
    remembered = _whole(value)
    if remembered is None:
        return CheckOutcome(Status.FAIL, f"The password policy does not prevent password reuse (remembering at "
                                         f"least {need} passwords is required).")
    if remembered >= need:
        return CheckOutcome(Status.PASS, f"The last {remembered} passwords cannot be reused (at least {need} "
                                         "required).")
    return CheckOutcome(Status.FAIL, f"Only the last {remembered} passwords cannot be reused; at least {need} is "
                                     "required.")


def _console_users_mfa(facts: AccountFacts, thresholds: Thresholds) -> CheckOutcome:
    gap = _report_gap(facts)
    return _error(gap) if gap else console_users_mfa(user_credentials(facts.user_values))


def _access_keys_rotated(facts: AccountFacts, thresholds: Thresholds) -> CheckOutcome:
    gap, at = _time_gap(facts), report_time(facts)
    if gap or at is None:
        return _error(gap)
    return access_keys_rotated(user_credentials(facts.user_values), at, thresholds.key_rotation_days)


def _unused_credentials(facts: AccountFacts, thresholds: Thresholds) -> CheckOutcome:
    gap, at = _time_gap(facts), report_time(facts)
    if gap or at is None:
        return _error(gap)
    return unused_credentials(user_credentials(facts.user_values), at, thresholds.unused_credentials_days)


def _single_active_key(facts: AccountFacts, thresholds: Thresholds) -> CheckOutcome:
    gap = _report_gap(facts)
    return _error(gap) if gap else single_active_key(user_credentials(facts.user_values))


def _no_direct_user_policies(facts: AccountFacts, thresholds: Thresholds) -> CheckOutcome:
    if facts.user_policies is None:
        return _error(f"The users' authorization details could not be read ({facts.authorization_error}).")
    return no_direct_user_policies(facts.user_policies)


Rule = Callable[[AccountFacts, Thresholds], CheckOutcome]
RULES: dict[str, Rule] = {
    "root-hardware-mfa": root_hardware_mfa,
    "root-not-used-recently": root_not_used_recently,
    "console-users-mfa": _console_users_mfa,
    "access-keys-rotated": _access_keys_rotated,
    "unused-credentials": _unused_credentials,
    "single-active-key": _single_active_key,
    "password-length": password_length,
    "password-reuse": password_reuse,
    "no-direct-user-policies": _no_direct_user_policies,
    "no-full-admin-policies": lambda facts, thresholds: no_full_admin_policies(facts),
    "support-role": lambda facts, thresholds: support_role(facts),
    "expired-server-certificates": lambda facts, thresholds: expired_server_certificates(facts),
    "cloudshell-full-access": lambda facts, thresholds: cloudshell_full_access(facts),
    "access-analyzer": lambda facts, thresholds: access_analyzer(facts),
}
assert tuple(RULES) == ACCOUNT_EXTENDED_IDS  # the organization's checks are judged once (organization.py)


def evaluate_extended(facts: AccountFacts, thresholds: Thresholds) -> tuple[list[Finding], list[UserFinding]]:
    """The account's extended findings in catalog order, and the per-user rows of the user-level checks."""
    findings: list[Finding] = []
    users: list[UserFinding] = []
    for check_id, rule in RULES.items():
        outcome = rule(facts, thresholds)
        findings.append(Finding(facts.account_id, check_id, outcome.status, outcome.detail))
        users.extend(UserFinding(facts.account_id, v.user, check_id, v.status, v.evidence) for v in outcome.users)
    return findings, users


def unreachable_extended(account_id: str, error: str) -> list[Finding]:
    """An account that could not be accessed at all: every account-level extended check ERROR, with the reason."""
    detail = f"The account could not be accessed: {error}."
    return [Finding(account_id, check_id, Status.ERROR, detail) for check_id in ACCOUNT_EXTENDED_IDS]
