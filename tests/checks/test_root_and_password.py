"""Root posture and password-policy strength at their boundaries."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.checks.extended import RULES
from scanner.checks.thresholds import Thresholds
from scanner.models import ApiError, Status
from scanner.normalize.evidence import AccountFacts
from tests.checks.reports import ACCOUNT, SUMMARY, account, days_before, root

P, F, NA, E = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.ERROR


def run(check_id: str, facts: AccountFacts, thresholds: Thresholds | None = None) -> tuple[Status, str]:
    outcome = RULES[check_id](facts, thresholds or Thresholds())
    return outcome.status, outcome.detail


def device(arn: str, serial: str) -> dict[str, Any]:
    return {"SerialNumber": serial, "User": {"Arn": arn}, "EnableDate": "2024-01-15T09:00:00Z"}


ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"


# root-hardware-mfa

def test_root_virtual_device_is_found_by_user_arn_whatever_its_serial() -> None:
    facts = account(mfa_devices=(device(ROOT_ARN, f"arn:aws:iam::{ACCOUNT}:mfa/ops-root-token"),))
    status, detail = run("root-hardware-mfa", facts)
    assert status is F and "ops-root-token" in detail


def test_a_users_device_named_like_the_old_root_serial_is_not_roots() -> None:
    misleading = device(f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device")
    assert run("root-hardware-mfa", account(mfa_devices=(misleading,)))[0] is P


def test_root_mfa_without_virtual_device_is_hardware() -> None:
    assert run("root-hardware-mfa", account(mfa_devices=()))[0] is P


def test_root_without_mfa_fails_hardware_mfa() -> None:
    facts = account(root_row=root(mfa_active="false"), summary={**SUMMARY, "AccountMFAEnabled": 0})
    assert run("root-hardware-mfa", facts) == (F, "The root user has no MFA device at all, so no hardware MFA.")


def test_rootless_and_govcloud_are_not_applicable() -> None:
    rootless = account(root_row=root(mfa_active="false"),
                       summary={**SUMMARY, "AccountMFAEnabled": 0, "AccountPasswordPresent": 0})
    assert run("root-hardware-mfa", rootless)[0] is NA
    gov = account(partition="aws-us-gov", mfa_devices=(device("arn:aws-us-gov:iam::012345678901:root", "x"),))
    assert run("root-hardware-mfa", gov)[0] is NA


def test_unreadable_device_list_or_mfa_state_is_an_error() -> None:
    facts = account(mfa_devices=None, mfa_error=ApiError("AccessDenied", "denied"))
    status, detail = run("root-hardware-mfa", facts)
    assert status is E and "AccessDenied: denied" in detail
    blind = account(summary=None, summary_error=ApiError("AccessDenied"), root=None,
                    report_error=ApiError("ReportNotReady", "credential report not ready after 120 s"))
    assert run("root-hardware-mfa", blind)[0] is E


# root-not-used-recently: a use within the last 30 whole days (day 30 included) fails.

@pytest.mark.parametrize(("days", "status"), [(29, F), (30, F), (31, P)])
def test_root_password_use_boundary(days: int, status: Status) -> None:
    facts = account(root_row=root(password_last_used=days_before(days)))
    assert run("root-not-used-recently", facts)[0] is status


@pytest.mark.parametrize(("days", "status"), [(29, F), (30, F), (31, P)])
def test_root_key_use_boundary(days: int, status: Status) -> None:
    facts = account(root_row=root(access_key_2_active="false", access_key_2_last_rotated=days_before(500),
                                  access_key_2_last_used_date=days_before(days)))
    assert run("root-not-used-recently", facts)[0] is status


def test_recent_root_use_is_a_failure_not_a_pass() -> None:
    status, detail = run("root-not-used-recently", account(root_row=root(password_last_used=days_before(1))))
    assert status is F
    assert detail == ("The root user was used within 30 days of the credential report: password 2026-06-29, "
                      "1 day before the report.")


def test_root_never_used_passes() -> None:
    assert run("root-not-used-recently", account(root_row=root())) == (
        P, "The credential report records no use of the root password or root access keys.")


def test_root_threshold_is_configurable() -> None:
    facts = account(root_row=root(password_last_used=days_before(20)))
    assert run("root-not-used-recently", facts, Thresholds(root_use_days=10))[0] is P
    assert run("root-not-used-recently", facts)[0] is F


def test_report_without_root_row_is_an_error() -> None:
    assert run("root-not-used-recently", account(root=None))[0] is E


# password-length and password-reuse

@pytest.mark.parametrize(("length", "status"), [(13, F), (14, P), (15, P)])
def test_minimum_length_boundary(length: int, status: Status) -> None:
    facts = account(password_policy={"MinimumPasswordLength": length, "PasswordReusePrevention": 24})
    assert run("password-length", facts)[0] is status


@pytest.mark.parametrize(("reuse", "status"), [(23, F), (24, P)])
def test_reuse_prevention_boundary(reuse: int, status: Status) -> None:
    facts = account(password_policy={"MinimumPasswordLength": 14, "PasswordReusePrevention": reuse})
    assert run("password-reuse", facts)[0] is status


def test_policy_without_reuse_prevention_fails_reuse() -> None:
    status, detail = run("password-reuse", account(password_policy={"MinimumPasswordLength": 20}))
    assert status is F and "does not prevent password reuse" in detail
    assert run("password-length", account(password_policy={"PasswordReusePrevention": 24}))[0] is F


def test_no_custom_policy_fails_both_and_other_errors_are_errors() -> None:
    none = account(password_policy=None, password_policy_error=ApiError("NoSuchEntity", "cannot be found"))
    assert run("password-length", none)[0] is F and run("password-reuse", none)[0] is F
    denied = account(password_policy=None, password_policy_error=ApiError("AccessDenied", "explicit deny in an SCP"))
    for check_id in ("password-length", "password-reuse"):
        status, detail = run(check_id, denied)
        assert status is E and "explicit deny in an SCP" in detail


def test_password_thresholds_are_configurable() -> None:
    facts = account(password_policy={"MinimumPasswordLength": 16, "PasswordReusePrevention": 5})
    strict = Thresholds(password_min_length=20, password_reuse=5)
    assert run("password-length", facts, strict)[0] is F
    assert run("password-reuse", facts, strict)[0] is P
