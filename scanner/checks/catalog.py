"""The five boxes of the IAM dashboard's Security Status: ids, titles, data used, remediation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    check_id: str
    title: str
    checks: str  # what it verifies, for the methodology appendix
    data: str  # which evidence it reads
    console: str  # what to do in the console when it fails
    cli: str  # the AWS CLI command that fixes or verifies it


BOXES: tuple[Check, ...] = (
    Check(
        "root-access-keys",
        "Delete your root access keys",
        "The root user has no access key, active or inactive (an inactive key must be deleted, not kept).",
        "Account summary AccountAccessKeysPresent; credential report <root_account> row.",
        "Sign in as the root user, open Security credentials, and delete every access key under Access keys.",
        "aws iam get-account-summary --query SummaryMap.AccountAccessKeysPresent",
    ),
    Check(
        "root-mfa",
        "Activate MFA on your root account",
        "The root user has an MFA device; not applicable in GovCloud or when root credentials were removed.",
        "Account summary AccountMFAEnabled and AccountPasswordPresent; credential report <root_account> row.",
        "Sign in as the root user, open Security credentials, choose Assign MFA device, and register a "
        "hardware key or authenticator app.",
        "aws iam get-account-summary --query SummaryMap.AccountMFAEnabled",
    ),
    Check(
        "individual-users",
        "Create individual IAM users",
        "People sign in as themselves: the account has IAM users or a federated identity provider.",
        "Account summary Users and Providers.",
        "Set up IAM Identity Center or a SAML/OIDC identity provider (preferred), or create an IAM user "
        "per person in IAM > Users > Create user.",
        "aws iam create-user --user-name <name>",
    ),
    Check(
        "groups-for-permissions",
        "Use groups to assign permissions",
        "Permissions come from groups: groups exist and no user has managed or inline policies of its own.",
        "Account summary Users and Groups; GetAccountAuthorizationDetails users and groups.",
        "Create groups in IAM > User groups, attach the policies to them, add the users, then detach and "
        "delete the policies attached directly to each named user.",
        "aws iam detach-user-policy --user-name <user> --policy-arn <arn>; "
        "aws iam delete-user-policy --user-name <user> --policy-name <name>",
    ),
    Check(
        "password-policy",
        "Apply an IAM password policy",
        "A custom IAM password policy exists (AWS's implicit default does not count).",
        "GetAccountPasswordPolicy (NoSuchEntity means no policy).",
        "Open IAM > Account settings > Password policy > Edit, choose Custom, and require at least 14 "
        "characters and reuse prevention of 24.",
        "aws iam update-account-password-policy --minimum-password-length 14 --require-symbols "
        "--require-numbers --require-uppercase-characters --require-lowercase-characters "
        "--password-reuse-prevention 24",
    ),
)

CHECK_IDS: tuple[str, ...] = tuple(check.check_id for check in BOXES)
BY_ID: dict[str, Check] = {check.check_id: check for check in BOXES}
