"""User- and key-level checks at their boundaries, from hand-written credential reports."""

from __future__ import annotations

import pytest

from scanner.checks.extended import RULES, evaluate_extended
from scanner.checks.thresholds import Thresholds
from scanner.models import ApiError, Status
from scanner.normalize.evidence import AccountFacts, UserPolicies
from tests.checks.reports import account, console_user, days_before, key_user, user

P, F, NA, E = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.ERROR
DEFAULTS = Thresholds()


def run(check_id: str, facts: AccountFacts, thresholds: Thresholds = DEFAULTS) -> tuple[Status, str]:
    outcome = RULES[check_id](facts, thresholds)
    return outcome.status, outcome.detail


def verdicts(check_id: str, facts: AccountFacts) -> dict[str, tuple[Status, str]]:
    return {v.user: (v.status, v.evidence) for v in RULES[check_id](facts, DEFAULTS).users}


# access-keys-rotated: an active key older than 90 whole days fails.

@pytest.mark.parametrize(
    ("age", "status"),
    [({"days": 89}, P), ({"days": 90}, P), ({"days": 90, "hours": 23, "minutes": 59}, P), ({"days": 91}, F)],
)
def test_key_rotation_boundary(age: dict[str, float], status: Status) -> None:
    days = age.pop("days")
    facts = account(user("svc", access_key_1_active="true", access_key_1_last_rotated=days_before(days, **age)))
    assert run("access-keys-rotated", facts)[0] is status


def test_key_rotation_names_the_user_and_the_age() -> None:
    facts = account(key_user("old-key", 91), key_user("fresh-key", 10))
    status, detail = run("access-keys-rotated", facts)
    assert status is F
    assert "old-key (key 1 rotated 2026-03-31, 91 days before the report)" in detail
    assert "fresh-key" not in detail
    assert verdicts("access-keys-rotated", facts) == {
        "fresh-key": (P, "key 1 rotated 2026-06-20, 10 days before the report"),
        "old-key": (F, "key 1 rotated 2026-03-31, 91 days before the report"),
    }


def test_inactive_keys_are_not_counted_for_rotation() -> None:
    facts = account(user("retired", access_key_1_active="false", access_key_1_last_rotated=days_before(900)),
                    key_user("fresh", 5))
    assert run("access-keys-rotated", facts)[0] is P
    assert set(verdicts("access-keys-rotated", facts)) == {"fresh"}


def test_second_key_slot_is_checked_too() -> None:
    facts = account(key_user("two", 5, access_key_2_active="true", access_key_2_last_rotated=days_before(120)))
    status, detail = run("access-keys-rotated", facts)
    assert status is F and "key 2 rotated" in detail and "120 days" in detail


def test_no_active_key_means_not_applicable() -> None:
    assert run("access-keys-rotated", account(console_user("alice")))[0] is NA
    assert run("single-active-key", account(console_user("alice")))[0] is NA


def test_active_key_without_rotation_date_is_not_shown_clean() -> None:
    facts = account(user("odd", access_key_1_active="true", access_key_1_last_rotated="N/A"))
    status, detail = run("access-keys-rotated", facts)
    assert status is F and "no rotation date" in detail


# unused-credentials: CIS reads "unused for 45 days or more", so exactly 45 whole days fails.

@pytest.mark.parametrize(("days", "status"), [(44, P), (45, F), (46, F)])
def test_unused_password_boundary(days: int, status: Status) -> None:
    assert run("unused-credentials", account(console_user("alice", last_used_days=days)))[0] is status


@pytest.mark.parametrize(("days", "status"), [(44, P), (45, F), (46, F)])
def test_unused_key_boundary(days: int, status: Status) -> None:
    assert run("unused-credentials", account(key_user("svc", rotated_days=80, used_days=days)))[0] is status


@pytest.mark.parametrize(("days", "status"), [(44, P), (45, F)])
def test_key_never_used_is_aged_from_its_rotation_date(days: int, status: Status) -> None:
    facts = account(key_user("new-svc", rotated_days=days, used_days=None))
    assert run("unused-credentials", facts)[0] is status
    assert verdicts("unused-credentials", facts)["new-svc"][1] == (
        f"key 1 never used, created {days_before(days)[:10]}, {days} days before the report")


@pytest.mark.parametrize(("changed", "status"), [(44, P), (45, F)])
def test_password_never_used_is_aged_from_when_it_was_set(changed: int, status: Status) -> None:
    facts = account(user("newcomer", password_enabled="true", password_last_used="no_information",
                         password_last_changed=days_before(changed), mfa_active="true"))
    assert run("unused-credentials", facts)[0] is status


def test_password_never_used_and_never_changed_falls_back_to_user_creation() -> None:
    facts = account(user("x", password_enabled="true", password_last_used="N/A", password_last_changed="N/A",
                         user_creation_time=days_before(46), mfa_active="true"))
    assert run("unused-credentials", facts)[0] is F


def test_removed_password_with_a_stale_last_use_is_ignored() -> None:
    # AWS keeps password_last_used after the password is deleted; the user has no password to disable.
    facts = account(user("former", password_enabled="false", password_last_used=days_before(400)),
                    key_user("svc", 10, used_days=2))
    assert run("unused-credentials", facts)[0] is P
    assert set(verdicts("unused-credentials", facts)) == {"svc"}


def test_unused_lists_each_stale_credential() -> None:
    facts = account(user("alice", password_enabled="true", password_last_used=days_before(50), mfa_active="true",
                         access_key_1_active="true", access_key_1_last_rotated=days_before(30),
                         access_key_1_last_used_date=days_before(3)))
    status, detail = run("unused-credentials", facts)
    assert status is F
    assert "password last used 2026-05-11, 50 days before the report" in detail
    assert "key 1 last used 2026-06-27, 3 days before the report" in detail


def test_no_credential_at_all_is_not_applicable() -> None:
    assert run("unused-credentials", account(user("nobody")))[0] is NA


# console-users-mfa

def test_console_users_without_mfa_fail() -> None:
    facts = account(console_user("alice"), console_user("bob", mfa=False), key_user("ci", 5))
    status, detail = run("console-users-mfa", facts)
    assert status is F
    assert detail == ("Users with a console password and no MFA (1 of 2): bob (console password; no MFA device).")
    assert set(verdicts("console-users-mfa", facts)) == {"alice", "bob"}  # ci has no password: not judged


def test_console_users_all_with_mfa_pass() -> None:
    assert run("console-users-mfa", account(console_user("alice"))) == (
        P, "Every user with a console password has MFA (1 user).")


def test_no_console_user_is_not_applicable() -> None:
    assert run("console-users-mfa", account(key_user("ci", 5)))[0] is NA
    assert run("console-users-mfa", account())[0] is NA


# single-active-key

def test_two_active_keys_fail_one_active_and_one_inactive_pass() -> None:
    two = key_user("two", 5, access_key_2_active="true", access_key_2_last_rotated=days_before(3))
    half = key_user("half", 5, access_key_2_active="false", access_key_2_last_rotated=days_before(300))
    status, detail = run("single-active-key", account(two, half))
    assert status is F and "two (2 active access keys)" in detail and "half" not in detail
    assert run("single-active-key", account(half))[0] is P


# no-direct-user-policies

def test_direct_policies_name_users_and_policies() -> None:
    facts = account(console_user("alice"), console_user("bob"), user_policies=(
        UserPolicies("alice", ("ReadOnlyAccess",), ("inline-one",)), UserPolicies("bob", (), ())))
    status, detail = run("no-direct-user-policies", facts)
    assert status is F
    assert detail == ("Users with policies attached directly (1 of 2): alice (managed: ReadOnlyAccess; "
                      "inline: inline-one).")


def test_direct_policies_pass_without_groups_and_na_without_users() -> None:
    facts = account(console_user("alice"), group_count=0)
    assert run("no-direct-user-policies", facts)[0] is P
    assert run("no-direct-user-policies", account(user_policies=()))[0] is NA


def test_direct_policies_error_when_authorization_details_are_missing() -> None:
    facts = account(user_policies=None, authorization_error=ApiError("AccessDenied", "no"))
    assert run("no-direct-user-policies", facts) == (
        E, "The users' authorization details could not be read (AccessDenied: no).")


# Missing sources

REPORT_CHECKS = ("root-not-used-recently", "console-users-mfa", "access-keys-rotated", "unused-credentials",
                 "single-active-key")


def test_report_checks_error_with_the_reason_when_the_report_is_unavailable() -> None:
    error = ApiError("ReportNotReady", "credential report not ready after 120 s")
    facts = account(root=None, report_error=error, user_rows=(), user_values=())
    for check_id in REPORT_CHECKS:
        status, detail = run(check_id, facts)
        assert status is E, check_id
        assert "credential report not ready after 120 s" in detail
    assert run("password-length", facts)[0] is P  # other sources still judged


def test_malformed_report_is_an_error_too() -> None:
    facts = account(root=None, report_error=ApiError("MalformedCredentialReport", "line 3: 21 fields"))
    assert run("single-active-key", facts) == (
        E, "The credential report could not be read (MalformedCredentialReport: line 3: 21 fields).")


def test_age_checks_error_without_the_report_time() -> None:
    facts = account(key_user("svc", 5), report_generated=None)
    for check_id in ("root-not-used-recently", "access-keys-rotated", "unused-credentials"):
        status, detail = run(check_id, facts)
        assert status is E and "generation time is unknown" in detail
    assert run("single-active-key", facts)[0] is P  # needs no time


def test_ages_are_measured_at_the_report_time_not_today() -> None:
    # A report from 2016: a key rotated 90 days before it passes, though it is years old today.
    old_report = account(user("svc", access_key_1_active="true", access_key_1_last_rotated="2015-10-03T00:00:00+00:00",
                              access_key_1_last_used_date="2015-11-18T00:00:00+00:00"),
                         report_generated="2016-01-01T00:00:00Z")
    findings, _ = evaluate_extended(old_report, DEFAULTS)
    statuses = {f.check_id: f.status for f in findings}
    assert (statuses["access-keys-rotated"], statuses["unused-credentials"]) == (P, P)
