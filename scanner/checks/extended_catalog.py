"""The extended checks: the IAM section of the CIS AWS Foundations Benchmark beyond the five boxes.

Metadata only, in the same `Check` shape as the boxes, so reports and the methodology list both the same
way. Each check's control ids in CIS v7.0, v6.0, v5.0, v3.0 and Security Hub are data, in `frameworks.toml`
(`references.py`). The rules live in `extended.py` and
`credentials.py`; thresholds in `config/checks.toml`.
"""

from __future__ import annotations

from scanner.checks.catalog import BOXES, Check

EXTENDED: tuple[Check, ...] = (
    Check(
        "root-hardware-mfa",
        "Use a hardware MFA device for the root user",
        "The root user's MFA is not a virtual device: no virtual MFA device belongs to the root user "
        "(identified by its user ARN ending in ':root', not by the serial). FAIL when root has no MFA at "
        "all; not applicable in GovCloud or when root credentials were removed.",
        "ListVirtualMFADevices; account summary AccountMFAEnabled and AccountPasswordPresent; credential "
        "report <root_account> row.",
        "Sign in as the root user, open Security credentials, register a hardware TOTP token or FIDO "
        "security key, then remove the virtual MFA device.",
        "aws iam list-virtual-mfa-devices --query \"VirtualMFADevices[?ends_with(User.Arn, ':root')]\"",
    ),
    Check(
        "root-not-used-recently",
        "Do not use the root user",
        "Neither the root password nor a root access key (active or not) was used within root_use_days "
        "(default 30) days before the credential report was generated. A use exactly that many days "
        "before still counts as recent.",
        "Credential report <root_account> row: password_last_used, access_key_N_last_used_date; its "
        "generation time.",
        "Use IAM Identity Center or IAM roles for daily work; keep the root user for the few tasks that "
        "need it and investigate recent root sign-ins in CloudTrail.",
        "aws iam get-credential-report --query Content --output text | base64 -d | head -2",
    ),
    Check(
        "console-users-mfa",
        "Require MFA for every console user",
        "Every IAM user with a console password has an active MFA device. Not applicable when no user "
        "has a console password.",
        "Credential report user rows: password_enabled, mfa_active.",
        "For each named user, open IAM > Users > the user > Security credentials > Assign MFA device, or "
        "remove the console password of users who do not sign in.",
        "aws iam list-mfa-devices --user-name <user>",
    ),
    Check(
        "access-keys-rotated",
        "Rotate access keys",
        "No active access key was last rotated more than key_rotation_days (default 90) whole days before "
        "the credential report was generated. Inactive keys are not counted. Not applicable when no user "
        "has an active key.",
        "Credential report user rows: access_key_N_active, access_key_N_last_rotated; its generation time.",
        "Create a new access key for the named user, move its consumers over, then deactivate and delete "
        "the old key (better: replace long-lived keys with roles).",
        "aws iam create-access-key --user-name <user>; "
        "aws iam update-access-key --user-name <user> --access-key-id <old> --status Inactive",
    ),
    Check(
        "unused-credentials",
        "Disable unused credentials",
        "No console password or active access key has gone unused for unused_credentials_days (default 45) "
        "whole days or more before the credential report (CIS: \"45 days or more\"). A credential never "
        "used is judged by when it was set (password: last changed, else user creation; key: last "
        "rotated). A last-use date left over after a password was removed is ignored. Not applicable when no "
        "user has a password or an active key.",
        "Credential report user rows: password_enabled, password_last_used, password_last_changed, "
        "user_creation_time, access_key_N_active, access_key_N_last_used_date, access_key_N_last_rotated.",
        "Remove the console password (IAM > Users > the user > Security credentials > Manage console "
        "access) or deactivate the access key of each named user.",
        "aws iam delete-login-profile --user-name <user>; "
        "aws iam update-access-key --user-name <user> --access-key-id <id> --status Inactive",
    ),
    Check(
        "single-active-key",
        "Keep one active access key per user",
        "No IAM user has two active access keys. Not applicable when no user has an active key.",
        "Credential report user rows: access_key_1_active, access_key_2_active.",
        "Deactivate and delete the access key the named user no longer needs.",
        "aws iam list-access-keys --user-name <user>; "
        "aws iam delete-access-key --user-name <user> --access-key-id <id>",
    ),
    Check(
        "password-length",
        "Require long passwords",
        "The custom password policy's MinimumPasswordLength is at least password_min_length (default 14). "
        "FAIL when there is no custom policy (NoSuchEntity): AWS's implicit default is shorter.",
        "GetAccountPasswordPolicy MinimumPasswordLength.",
        "Open IAM > Account settings > Password policy > Edit and set the minimum length to 14 or more.",
        "aws iam update-account-password-policy --minimum-password-length 14 <keep the other settings>",
    ),
    Check(
        "password-reuse",
        "Prevent password reuse",
        "The custom password policy's PasswordReusePrevention is at least password_reuse (default 24). "
        "FAIL when the policy does not set it or there is no custom policy (NoSuchEntity).",
        "GetAccountPasswordPolicy PasswordReusePrevention.",
        "Open IAM > Account settings > Password policy > Edit, choose Prevent password reuse and enter 24.",
        "aws iam update-account-password-policy --password-reuse-prevention 24 <keep the other settings>",
    ),
    Check(
        "no-direct-user-policies",
        "Attach no policies to users",
        "No IAM user has a managed policy attached or an inline policy of its own; permissions come from "
        "groups or roles. Unlike the groups box, an account without groups passes if no user holds a "
        "policy. Not applicable when the account has no IAM users.",
        "GetAccountAuthorizationDetails users: AttachedManagedPolicies, UserPolicyList.",
        "Attach the policies to a group and add the user to it, then detach and delete the user's own "
        "policies.",
        "aws iam detach-user-policy --user-name <user> --policy-arn <arn>; "
        "aws iam delete-user-policy --user-name <user> --policy-name <name>",
    ),
    Check(
        "no-full-admin-policies",
        "Attach no policy that allows \"*\" on \"*\"",
        "No customer managed policy whose default version has a statement allowing every action (\"*\") on "
        "every resource (\"*\") is attached to a user, group or role. Such a policy attached to no one passes "
        "and is named. AWS managed policies (AdministratorAccess) are not judged.",
        "GetAccountAuthorizationDetails (LocalManagedPolicy, Role): each policy's default version, "
        "AttachmentCount and the roles' attached policies; users' and groups' attached policies.",
        "Replace each named policy with one that grants only the actions its holders need, or detach it from the "
        "users, groups and roles named.",
        "aws iam get-policy-version --policy-arn <arn> --version-id <default version>; "
        "aws iam list-entities-for-policy --policy-arn <arn>",
    ),
    Check(
        "support-role",
        "Create a role to manage AWS Support incidents",
        "Some IAM role has the AWS managed policy AWSSupportAccess attached, so incidents can be raised with "
        "AWS Support without the root user or broader rights. Users and groups holding it do not count.",
        "GetAccountAuthorizationDetails (Role): the roles' attached managed policies.",
        "Create a role that the incident responders may assume and attach AWSSupportAccess to it.",
        "aws iam create-role --role-name aws-support --assume-role-policy-document file://trust.json; "
        "aws iam attach-role-policy --role-name aws-support --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess",
    ),
    Check(
        "expired-server-certificates",
        "Remove expired server certificates",
        "No SSL/TLS server certificate stored in IAM had expired when the credential report was generated "
        "(its Expiration before the report's time; the same moment the age checks measure from). An account "
        "that stores none passes.",
        "ListServerCertificates: ServerCertificateName, Expiration; the credential report's generation time.",
        "Delete each named certificate once nothing uses it (IAM's console cannot manage server "
        "certificates).",
        "aws iam list-server-certificates; aws iam delete-server-certificate --server-certificate-name <name>",
    ),
    Check(
        "cloudshell-full-access",
        "Restrict access to AWSCloudShellFullAccess",
        "The AWS managed policy AWSCloudShellFullAccess (file transfer between CloudShell and the internet) is "
        "attached to no user, group or role.",
        "GetAccountAuthorizationDetails: users', groups' and roles' attached managed policies.",
        "Detach AWSCloudShellFullAccess from each user, group and role named; grant only the CloudShell actions "
        "needed instead.",
        "aws iam list-entities-for-policy --policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess",
    ),
    Check(
        "access-analyzer",
        "Enable IAM Access Analyzer in every region",
        "An external access analyzer (type ACCOUNT or ORGANIZATION) is ACTIVE in every region the account has "
        "enabled. Off by default (one call per region and account): not applicable unless the scan had "
        "access_analyzer on. An organization analyzer kept in another account is not listed in a member account.",
        "account:ListRegions (ENABLED, ENABLED_BY_DEFAULT); access-analyzer:ListAnalyzers in each of those regions.",
        "In each named region open IAM > Access analyzer > Create analyzer and create an external access analyzer "
        "(zone of trust: the account, or the organization from the management or a delegated administrator "
        "account).",
        "aws accessanalyzer create-analyzer --analyzer-name external-access --type ACCOUNT --region <region>",
    ),
    Check(
        "root-access-centralized",
        "Manage root access centrally",
        "The organization has centralized root access's root credentials management on, so member accounts' "
        "root credentials can be removed and cannot be recovered through \"forgot password\". One finding for "
        "the organization, on its management account, shown on the report's summary.",
        "iam:ListOrganizationsFeatures, called once per run by the scanning identity "
        "(raw/organization_features.json).",
        "In the management account open IAM > Root access management and enable Root credentials management "
        "(IAM's trusted access with AWS Organizations is enabled with it).",
        "aws iam enable-organizations-root-credentials-management; aws iam list-organizations-features",
    ),
)

EXTENDED_IDS: tuple[str, ...] = tuple(check.check_id for check in EXTENDED)
ALL_CHECKS: tuple[Check, ...] = (*BOXES, *EXTENDED)
ALL_CHECK_IDS: tuple[str, ...] = tuple(check.check_id for check in ALL_CHECKS)
CHECKS_BY_ID: dict[str, Check] = {check.check_id: check for check in ALL_CHECKS}
# Checks judged once for the whole organization, from organization-level evidence: one finding, on the
# management account; every other extended check is judged for each account.
ORGANIZATION_IDS: tuple[str, ...] = ("root-access-centralized",)
ACCOUNT_EXTENDED: tuple[Check, ...] = tuple(c for c in EXTENDED if c.check_id not in ORGANIZATION_IDS)
ACCOUNT_EXTENDED_IDS: tuple[str, ...] = tuple(check.check_id for check in ACCOUNT_EXTENDED)
# Checks whose offenders are individual users: they also get rows in user_findings.csv.
USER_LEVEL_IDS: tuple[str, ...] = (
    "console-users-mfa", "access-keys-rotated", "unused-credentials", "single-active-key", "no-direct-user-policies",
)
