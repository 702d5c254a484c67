"""Every branch of the five rules, in the order the specification writes them."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from scanner.checks import CHECK_IDS, evaluate_boxes, unreachable_findings
from scanner.checks.boxes import (
    groups_for_permissions,
    individual_users,
    password_policy,
    root_access_keys,
    root_mfa,
)
from scanner.models import ApiError, Status
from scanner.normalize.credential_report import RootRow
from scanner.normalize.evidence import AccountFacts, SamlProvider, UserPolicies

DENIED = ApiError("AccessDenied", "explicit deny in a service control policy")
NO_POLICY = ApiError("NoSuchEntity", "The Password Policy with domain name 012345678901 cannot be found.")


def root_row(**changes: object) -> RootRow:
    base = RootRow(
        arn="arn:aws:iam::012345678901:root", mfa_active=True, password_last_used=None,
        access_key_1_active=False, access_key_1_last_rotated=None, access_key_1_last_used_date=None,
        access_key_2_active=False, access_key_2_last_rotated=None, access_key_2_last_used_date=None,
        cert_1_active=False, cert_1_last_rotated=None, cert_2_active=False, cert_2_last_rotated=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


SUMMARY = {"AccountAccessKeysPresent": 0, "AccountMFAEnabled": 1, "AccountPasswordPresent": 1,
           "AccountSigningCertificatesPresent": 0, "Users": 2, "Groups": 1, "Providers": 0}
CLEAN_USERS = (UserPolicies("alice", (), ()), UserPolicies("bob", (), ()))
SAML = SamlProvider("CorpIdP", "arn:aws:iam::012345678901:saml-provider/CorpIdP")


def facts(**changes: object) -> AccountFacts:
    base = AccountFacts(
        account_id="012345678901", summary=dict(SUMMARY), root=root_row(),
        password_policy={"MinimumPasswordLength": 14, "PasswordReusePrevention": 24},
        user_policies=CLEAN_USERS, group_count=1, mfa_devices=(), saml_providers=(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def summary(**changes: int) -> dict[str, int]:
    return {**SUMMARY, **changes}


def without(key: str) -> dict[str, int]:
    return {k: v for k, v in SUMMARY.items() if k != key}


def test_clean_account_passes_every_box() -> None:
    assert [f.status for f in evaluate_boxes(facts())] == [Status.PASS] * 5
    assert [f.check_id for f in evaluate_boxes(facts())] == list(CHECK_IDS)


# 1. root-access-keys
@pytest.mark.parametrize(
    ("account", "status"),
    [
        (facts(summary=summary(AccountAccessKeysPresent=1)), Status.FAIL),
        (facts(summary=summary(AccountAccessKeysPresent=1), root=None), Status.FAIL),
        (facts(root=root_row(access_key_2_active=True)), Status.FAIL),
        (facts(root=root_row(access_key_1_last_rotated=datetime(2019, 1, 1, tzinfo=UTC))), Status.FAIL),
        (facts(summary=without("AccountAccessKeysPresent"),
               root=root_row(access_key_1_last_rotated=datetime(2019, 1, 1, tzinfo=UTC))), Status.FAIL),
        (facts(), Status.PASS),
        (facts(root=None, report_error=DENIED), Status.PASS),
        (facts(summary=None, summary_error=DENIED), Status.PASS),
        (facts(summary=without("AccountAccessKeysPresent")), Status.PASS),
        (facts(summary=without("AccountAccessKeysPresent"), root=None), Status.ERROR),
        (facts(summary=None, summary_error=DENIED, root=None, report_error=DENIED), Status.ERROR),
    ],
    ids=["summary-key", "summary-key-no-report", "row-active-key-2", "row-inactive-key", "row-only-inactive",
         "both-clean", "summary-only", "row-only", "summary-lacks-key", "summary-lacks-key-no-row", "neither"],
)
def test_root_access_keys(account: AccountFacts, status: Status) -> None:
    assert root_access_keys(account)[0] is status


def test_inactive_root_key_detail_says_delete_not_deactivate() -> None:
    status, detail = root_access_keys(facts(root=root_row(access_key_1_last_rotated=datetime(2019, 1, 1, tzinfo=UTC))))
    assert status is Status.FAIL and "inactive" in detail and "delete" in detail


# 2. root-mfa
ROOTLESS = summary(AccountMFAEnabled=0, AccountPasswordPresent=0)


@pytest.mark.parametrize(
    ("account", "status"),
    [
        (facts(), Status.PASS),
        (facts(summary=without("AccountMFAEnabled")), Status.PASS),  # the row decides only without the summary
        (facts(summary=summary(AccountMFAEnabled=0)), Status.FAIL),  # the live summary wins over the report
        (facts(root=None, report_error=DENIED), Status.PASS),  # summary says enabled
        (facts(summary=summary(AccountMFAEnabled=0), root=root_row(mfa_active=False), partition="aws-us-gov"),
         Status.NOT_APPLICABLE),
        (facts(summary=ROOTLESS, root=root_row(mfa_active=False)), Status.NOT_APPLICABLE),
        (facts(summary=summary(AccountMFAEnabled=0, AccountPasswordPresent=0, AccountAccessKeysPresent=1),
               root=root_row(mfa_active=False)), Status.FAIL),
        (facts(summary=ROOTLESS, root=root_row(mfa_active=False, cert_1_active=True)), Status.FAIL),
        (facts(summary={**ROOTLESS, "AccountSigningCertificatesPresent": 1}, root=None), Status.FAIL),
        (facts(summary={k: v for k, v in ROOTLESS.items() if k != "AccountPasswordPresent"},
               root=root_row(mfa_active=False)), Status.FAIL),
        (facts(summary=None, summary_error=DENIED, root=None, report_error=DENIED), Status.ERROR),
        (facts(summary=without("AccountMFAEnabled"), root=None), Status.ERROR),
        (facts(summary=summary(AccountMFAEnabled=0), root=root_row(mfa_active=False)), Status.FAIL),
        (facts(summary=summary(AccountMFAEnabled=0), root=None, report_error=DENIED), Status.FAIL),
    ],
    ids=["both", "row-only-true", "summary-says-removed", "summary-only-true", "govcloud", "rootless",
         "rootless-but-key", "rootless-but-row-cert", "rootless-but-summary-cert", "password-unknown", "neither-read",
         "summary-lacks-mfa-no-row", "no-mfa", "no-mfa-summary-only"],
)
def test_root_mfa(account: AccountFacts, status: Status) -> None:
    assert root_mfa(account)[0] is status


def test_root_mfa_names_a_disagreement_between_the_summary_and_an_older_report() -> None:
    status, detail = root_mfa(facts(summary=summary(AccountMFAEnabled=0), report_generated="2026-11-28T01:00:00Z"))
    assert status is Status.FAIL
    assert "credential report (up to four hours old) still shows root MFA as active" in detail
    assert "removed since the report was generated" in detail
    status, detail = root_mfa(facts(summary=without("AccountMFAEnabled")))
    assert status is Status.PASS and "credential report" in detail and "could not be confirmed" in detail


@pytest.mark.parametrize(
    ("managed", "expected"),
    [(True, "cannot be recovered without the management account"),
     (False, "whoever holds the root e-mail address can still recover the root user"),
     (None, "could not be read")],
)
def test_rootless_root_says_whether_the_organization_prevents_password_recovery(
        managed: bool | None, expected: str) -> None:
    status, detail = root_mfa(facts(summary=ROOTLESS, root=root_row(mfa_active=False),
                                    root_credentials_management=managed))
    assert status is Status.NOT_APPLICABLE and expected in detail


def test_root_key_pass_from_the_report_alone_says_the_summary_could_not_confirm_it() -> None:
    status, detail = root_access_keys(facts(summary=None, summary_error=DENIED))
    assert status is Status.PASS
    assert "could not confirm" in detail and "inactive key" in detail


# 3. individual-users
@pytest.mark.parametrize(
    ("account", "status"),
    [
        (facts(summary=None, summary_error=DENIED), Status.ERROR),
        (facts(), Status.PASS),
        (facts(summary=summary(Users=0, Providers=1), saml_providers=(SAML,)), Status.PASS),
        (facts(summary=summary(Users=0, Providers=1), saml_providers=()), Status.FAIL),  # the one provider is OIDC
        (facts(summary=summary(Users=0, Providers=0)), Status.FAIL),
        (facts(summary=summary(Users=0), saml_providers=None, saml_error=DENIED), Status.ERROR),
        (facts(summary=summary(Users=2), saml_providers=None, saml_error=DENIED), Status.PASS),
        (facts(summary=without("Users"), saml_providers=()), Status.ERROR),
        # Evidence written before SAML providers were collected: the summary's Providers count, as then.
        (facts(summary=summary(Users=0, Providers=1), saml_providers=None, saml_collected=False), Status.PASS),
        (facts(summary=summary(Users=0, Providers=0), saml_providers=None, saml_collected=False), Status.FAIL),
        (facts(summary=without("Providers") | {"Users": 0}, saml_providers=None, saml_collected=False),
         Status.ERROR),
    ],
    ids=["summary-unread", "users", "saml", "oidc-only", "nobody", "saml-unread", "users-saml-unread",
         "users-unknown", "old-providers", "old-nobody", "old-providers-unknown"],
)
def test_individual_users(account: AccountFacts, status: Status) -> None:
    assert individual_users(account)[0] is status


def test_individual_users_names_identity_center_and_explains_oidc() -> None:
    center = SamlProvider("AWSSSO_5f1c0e4a9b2d7386_DO_NOT_DELETE", "arn:aws:iam::012345678901:saml-provider/x")
    _, detail = individual_users(facts(summary=summary(Users=0, Providers=1), saml_providers=(center,)))
    assert detail == "People sign in through federation: IAM Identity Center (AWSSSO_5f1c0e4a9b2d7386_DO_NOT_DELETE)."
    _, detail = individual_users(facts(summary=summary(Users=0, Providers=2), saml_providers=()))
    assert "no SAML identity provider" in detail and "2 OIDC providers" in detail and "workloads" in detail


# 4. groups-for-permissions
@pytest.mark.parametrize(
    ("account", "status"),
    [
        (facts(summary=None, summary_error=DENIED), Status.ERROR),
        (facts(summary=summary(Users=0), user_policies=None, authorization_error=DENIED), Status.NOT_APPLICABLE),
        (facts(user_policies=None, authorization_error=DENIED), Status.ERROR),
        (facts(summary=summary(Groups=0)), Status.FAIL),
        (facts(user_policies=(UserPolicies("alice", ("DataAccess",), ()),)), Status.FAIL),
        (facts(user_policies=(UserPolicies("bob", (), ("deploy",)),)), Status.FAIL),
        (facts(), Status.PASS),
    ],
    ids=["summary-unread", "no-users", "details-unread", "no-groups", "managed-on-user", "inline-on-user", "clean"],
)
def test_groups_for_permissions(account: AccountFacts, status: Status) -> None:
    assert groups_for_permissions(account)[0] is status


def test_groups_detail_names_the_users_and_policies() -> None:
    users = (UserPolicies("data-engineer", ("DataAccess",), ()), UserPolicies("app-deployer", (), ("deploy",)))
    status, detail = groups_for_permissions(facts(user_policies=users))
    assert status is Status.FAIL
    assert detail == ("The classic IAM console showed this box as done because 1 group exists, but these users have "
                      "policies attached directly, bypassing groups: data-engineer (managed: DataAccess); "
                      "app-deployer (inline: deploy).")


def test_groups_detail_counts_the_groups_the_console_saw() -> None:
    users = (UserPolicies("jeff", ("AdministratorAccess",), ()),)
    _, detail = groups_for_permissions(facts(summary=summary(Users=1, Groups=3), user_policies=users))
    assert detail.startswith("The classic IAM console showed this box as done because 3 groups exist, ")
    assert detail.endswith(": jeff (managed: AdministratorAccess).")


def test_groups_detail_cites_the_console_only_where_it_ticked_the_box() -> None:
    users = (UserPolicies("jeff", ("AdministratorAccess",), ()),)
    status, detail = groups_for_permissions(facts(summary=summary(Groups=0), group_count=0, user_policies=users))
    assert status is Status.FAIL and "console" not in detail
    assert detail == ("The account has IAM users but no groups. Users with policies of their own: "
                      "jeff (managed: AdministratorAccess).")
    status, detail = groups_for_permissions(facts())
    assert status is Status.PASS and detail == "1 group; no user has policies attached directly."
    status, detail = groups_for_permissions(facts(summary=without("Groups"), group_count=None, user_policies=users))
    assert status is Status.FAIL
    assert detail == "Users with policies attached directly: jeff (managed: AdministratorAccess)."


# 5. password-policy
@pytest.mark.parametrize(
    ("account", "status"),
    [
        (facts(), Status.PASS),
        (facts(password_policy={}), Status.PASS),
        (facts(password_policy=None, password_policy_error=NO_POLICY), Status.FAIL),
        (facts(password_policy=None, password_policy_error=DENIED), Status.ERROR),
    ],
    ids=["policy", "empty-policy-still-a-policy", "no-such-entity", "denied"],
)
def test_password_policy(account: AccountFacts, status: Status) -> None:
    assert password_policy(account)[0] is status


def test_denied_password_policy_is_not_reported_as_missing() -> None:
    status, detail = password_policy(facts(password_policy=None, password_policy_error=DENIED))
    assert status is Status.ERROR and "AccessDenied" in detail


def test_unreachable_account_has_every_box_error_with_the_reason() -> None:
    findings = unreachable_findings("012345678901", "AccessDenied: not authorized to perform sts:AssumeRole")
    assert [f.status for f in findings] == [Status.ERROR] * 5
    assert all("AccessDenied" in f.detail for f in findings)
