"""The demo organization as data: every account's id, name, OU, status and IAM posture.

Kept apart from the code that loads it into moto so the organization can be read (by tests,
the demo and the benchmark) without a running simulation, and so that every run builds the
same accounts with the same ids. Postures are chosen to put each classic IAM Security Status
check through a pass, a fail and its awkward cases (inactive root keys, hardware root MFA,
no users at all, root credentials removed, accounts that cannot be entered).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from scanner.simulation.credential_report import RootKey, RootPosture
from scanner.simulation.rules import FaultRule, deny

MANAGEMENT_ACCOUNT_ID = "123456789012"
ORGANIZATION_ID = "o-orgscan042"
ROOT_ID = "r-og42"
ACCESS_ROLE_NAME = "OrganizationAccountAccessRole"
FIXED_ACCOUNT_COUNT = 22
ACCOUNTS_PER_BATCH_OU = 100

OU_PATHS: tuple[str, ...] = (
    "Root/Security",
    "Root/Prod",
    "Root/Prod/Payments",
    "Root/Prod/Web",
    "Root/Dev",
    "Root/Sandbox",
    "Root/Suspended",
)

# Fixed moments (naive UTC, as moto stores them) so reports only differ in generation time.
MANAGEMENT_JOINED = datetime(2019, 6, 3, 9, 0, 0)
MEMBERS_JOINED = datetime(2021, 2, 1, 9, 0, 0)
GENERATED_JOINED = datetime(2023, 1, 2, 9, 0, 0)
USERS_CREATED = datetime(2024, 1, 15, 9, 0, 0)
ROOT_KEY_ROTATED = datetime(2025, 3, 4, 10, 0, 0)
ROOT_OLD_KEY_ROTATED = datetime(2024, 11, 12, 16, 30, 0)
ROOT_OLD_KEY_USED = datetime(2024, 12, 1, 8, 15, 0)

ADMIN_POLICY = "OrgAdministrator"
DATA_POLICY = "DataLakeReadOnly"
# AWS managed policies (arn:aws:iam::aws:policy/...), not customer managed ones.
AWS_ADMINISTRATOR_ACCESS = "AdministratorAccess"
AWS_SUPPORT_ACCESS = "AWSSupportAccess"
AWS_CLOUDSHELL_FULL_ACCESS = "AWSCloudShellFullAccess"
# IAM server certificates: one valid for years, one that expired before any report the demo generates.
CERTIFICATE_VALID_UNTIL = datetime(2036, 6, 30, 23, 59, 59)
CERTIFICATE_EXPIRED_ON = datetime(2025, 1, 31, 23, 59, 59)
IDENTITY_CENTER_PROVIDER = "AWSSSO_5f1c0e4a9b2d7386_DO_NOT_DELETE"
GITHUB_OIDC = "https://token.actions.githubusercontent.com"
EKS_OIDC = "https://oidc.eks.us-east-1.amazonaws.com/id/5E1A9C0B3F8D2E4A6B7C9D0E1F2A3B4C"

# Account states (Organizations `Account.State`); the scan assesses ACTIVE accounts only and attempts any
# state it does not know.
ACTIVE = "ACTIVE"
SKIPPED_STATES = ("SUSPENDED", "PENDING_CLOSURE", "CLOSED", "PENDING_ACTIVATION")
UNKNOWN_STATE = "QUARANTINED"  # no such state exists: stands for one AWS may add


@dataclass(frozen=True)
class GroupSpec:
    name: str
    managed_policy: str | None = None
    inline_policy: str | None = None
    aws_managed_policy: str | None = None


@dataclass(frozen=True)
class PasswordPolicySpec:
    """UpdateAccountPasswordPolicy's parameters; None leaves one out (AWS then applies its API default)."""

    minimum_length: int | None = 14
    reuse_prevention: int | None = 24
    max_age: int | None = 90
    require_symbols: bool = True
    require_numbers: bool = True
    require_uppercase: bool = True
    require_lowercase: bool = True
    allow_users_to_change: bool = True


STRONG_PASSWORD_POLICY = PasswordPolicySpec()


@dataclass(frozen=True)
class UserSpec:
    name: str
    groups: tuple[str, ...] = ()
    password: bool = False
    mfa: bool = False
    access_key: bool = False
    inline_policy: str | None = None
    managed_policy: str | None = None
    aws_managed_policy: str | None = None

    @property
    def has_direct_policy(self) -> bool:
        return any(p is not None for p in (self.inline_policy, self.managed_policy, self.aws_managed_policy))


@dataclass(frozen=True)
class RoleSpec:
    name: str
    aws_managed_policy: str | None = None


@dataclass(frozen=True)
class CertificateSpec:
    """An SSL/TLS server certificate stored in IAM, valid until `expires` (naive UTC)."""

    name: str
    expires: datetime


# The commercial regions AWS enables by default, and a few opt-in ones (disabled until an account enables them).
DEFAULT_REGIONS = (
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
)
OPT_IN_REGIONS = ("af-south-1", "ap-east-1", "eu-south-1", "il-central-1", "me-south-1")
ANALYZERS_CREATED = 1705309200  # 2024-01-15T09:00:00Z, as createdAt is sent (epoch seconds)


@dataclass(frozen=True)
class AnalyzerPosture:
    """One IAM Access Analyzer analyzer: in `regions`, or in every enabled region when None."""

    name: str
    type: str = "ACCOUNT"
    status: str = "ACTIVE"
    regions: tuple[str, ...] | None = None


@dataclass(frozen=True)
class AccountAnalyzers:
    """What ListRegions and ListAnalyzers answer for one account."""

    opted_in: tuple[str, ...] = ()
    analyzers: tuple[AnalyzerPosture, ...] = ()

    def region_states(self) -> list[tuple[str, str]]:
        states = [(r, "ENABLED_BY_DEFAULT") for r in DEFAULT_REGIONS]
        states += [(r, "ENABLED" if r in self.opted_in else "DISABLED") for r in OPT_IN_REGIONS]
        return sorted(states)

    def enabled(self) -> set[str]:
        return {r for r, state in self.region_states() if state != "DISABLED"}


@dataclass(frozen=True)
class IamSpec:
    """Everything seeded inside one account's IAM."""

    root: RootPosture
    users: tuple[UserSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()
    password_policy: PasswordPolicySpec | None = STRONG_PASSWORD_POLICY
    saml_providers: tuple[str, ...] = ()
    oidc_providers: tuple[str, ...] = ()  # provider URLs
    roles: tuple[RoleSpec, ...] = ()
    server_certificates: tuple[CertificateSpec, ...] = ()
    access_analyzers: AccountAnalyzers = field(default_factory=AccountAnalyzers)  # regions, IAM Access Analyzer


@dataclass(frozen=True)
class SeededAccount:
    """One account of the simulated organization, as a scan should discover it."""

    account_id: str
    name: str
    email: str
    status: str  # the account's state (Organizations `Account.State`)
    ou_path: str
    posture: str
    iam: IamSpec = field(repr=False)
    joined: datetime = field(repr=False, default=MEMBERS_JOINED)

    @property
    def scannable(self) -> bool:
        """Whether a scan assesses it: ACTIVE, or a state the scanner does not know (attempted)."""
        return self.status not in SKIPPED_STATES

    @property
    def users_with_direct_policies(self) -> tuple[str, ...]:
        return tuple(u.name for u in self.iam.users if u.has_direct_policy)


def slug(name: str) -> str:
    """Lower-case ASCII words joined by dashes, for e-mail addresses."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "account"


def email_for(name: str) -> str:
    return f"aws+{slug(name)}@example.com"


def _root(created: datetime, now: datetime, **changes: object) -> RootPosture:
    base: dict[str, object] = {
        "created": created,
        "password": True,
        "password_last_used": now - timedelta(days=3),
        "mfa": "virtual",
    }
    base.update(changes)
    return RootPosture(**base)  # type: ignore[arg-type]


_BASE_GROUPS = (
    GroupSpec("Administrators", managed_policy=ADMIN_POLICY),
    GroupSpec("Developers", inline_policy="developer-access"),
)
_BASE_USERS = (
    UserSpec("alice.admin", groups=("Administrators",), password=True, mfa=True),
    UserSpec("bob.dev", groups=("Developers",), password=True, mfa=True),
    UserSpec("ci-deployer", groups=("Developers",), access_key=True),
)


def _baseline(root: RootPosture, **changes: object) -> IamSpec:
    spec: dict[str, object] = {"root": root, "users": _BASE_USERS, "groups": _BASE_GROUPS}
    spec.update(changes)
    return IamSpec(**spec)  # type: ignore[arg-type]


_ODD_NAME = '<script>alert("x")</script> Ops, \u202eevil'


def fixed_accounts(now: datetime) -> list[SeededAccount]:
    """The hand-made accounts, management first."""

    def joined(index: int) -> datetime:
        return MEMBERS_JOINED + timedelta(days=index)

    def member(index: int, name: str, ou: str, posture: str, iam: IamSpec, status: str = "ACTIVE") -> SeededAccount:
        return SeededAccount(
            account_id=f"2100000000{index:02d}",
            name=name,
            email=email_for(name),
            status=status,
            ou_path=ou,
            posture=posture,
            iam=iam,
            joined=joined(index),
        )

    def root(index: int, **changes: object) -> RootPosture:
        return _root(joined(index), now, **changes)

    management = SeededAccount(
        account_id=MANAGEMENT_ACCOUNT_ID,
        name="orgscan-demo-management",
        email=email_for("orgscan-demo-management"),
        status="ACTIVE",
        ou_path="Root",
        posture="good baseline (management account); a support role; an organization analyzer in every region",
        iam=_baseline(_root(MANAGEMENT_JOINED, now), roles=(RoleSpec("aws-support", AWS_SUPPORT_ACCESS),),
                      access_analyzers=AccountAnalyzers(analyzers=(AnalyzerPosture("org-external-access",
                                                                                   "ORGANIZATION"),))),
        joined=MANAGEMENT_JOINED,
    )
    active_key = RootKey(
        active=True,
        last_rotated=ROOT_KEY_ROTATED,
        last_used=now - timedelta(days=1),
        last_used_region="us-east-1",
        last_used_service="iam",
    )
    inactive_key = RootKey(
        active=False,
        last_rotated=ROOT_OLD_KEY_ROTATED,
        last_used=ROOT_OLD_KEY_USED,
        last_used_region="eu-west-1",
        last_used_service="s3",
    )
    return [
        management,
        member(
            1,
            "security-audit",
            "Root/Security",
            "no IAM users; one SAML identity provider; a support role; an analyzer in every region, eu-south-1 "
            "(opted in) included",
            IamSpec(root=root(1), saml_providers=("CorpIdP",),
                    roles=(RoleSpec("security-support", AWS_SUPPORT_ACCESS),),
                    access_analyzers=AccountAnalyzers(opted_in=("eu-south-1",),
                                                      analyzers=(AnalyzerPosture("external-access"),))),
        ),
        member(
            2,
            "payments-prod",
            "Root/Prod/Payments",
            "root has an active access key; a server certificate valid until 2036; an external access analyzer "
            "in us-east-1 only, an unused access analyzer everywhere",
            _baseline(root(2, keys=(active_key,)),
                      server_certificates=(CertificateSpec("payments-tls", CERTIFICATE_VALID_UNTIL),),
                      access_analyzers=AccountAnalyzers(analyzers=(
                          AnalyzerPosture("external-access", regions=("us-east-1",)),
                          AnalyzerPosture("unused-access", "ACCOUNT_UNUSED_ACCESS")))),
        ),
        member(
            3,
            "payments-dr",
            "Root/Prod/Payments",
            "root has an inactive access key; a server certificate that expired in January 2025",
            _baseline(root(3, keys=(inactive_key,)),
                      server_certificates=(CertificateSpec("payments-dr-tls-2024", CERTIFICATE_EXPIRED_ON),)),
        ),
        member(4, "web-prod", "Root/Prod/Web", "no root MFA", _baseline(root(4, mfa="none"))),
        member(5, "web-staging", "Root/Prod/Web", "no password policy", _baseline(root(5), password_policy=None)),
        member(
            6,
            "data-dev",
            "Root/Dev",
            "user data-engineer has a managed policy attached directly",
            _baseline(
                root(6),
                users=(
                    *_BASE_USERS,
                    UserSpec(
                        "data-engineer", groups=("Developers",), password=True, mfa=True, managed_policy=DATA_POLICY
                    ),
                ),
            ),
        ),
        member(
            7,
            "app-dev",
            "Root/Dev",
            "hardware root MFA; no groups; app-deployer has an inline policy; role dev-shell has "
            "AWSCloudShellFullAccess",
            _baseline(
                root(7, mfa="hardware"),
                groups=(),
                roles=(RoleSpec("dev-shell", AWS_CLOUDSHELL_FULL_ACCESS),),
                users=(
                    UserSpec("app-deployer", access_key=True, inline_policy="deploy-inline"),
                    UserSpec("carol.dev", password=True, mfa=True),
                ),
            ),
        ),
        member(
            8,
            "sandbox-empty",
            "Root/Sandbox",
            "no IAM users, groups or providers; no root MFA; no password policy",
            IamSpec(root=root(8, mfa="none"), password_policy=None),
        ),
        member(
            9,
            "sandbox-rootless",
            "Root/Sandbox",
            "root credentials removed centrally",
            _baseline(root(9, password=False, password_last_used=None, mfa="none")),
        ),
        member(10, "legacy-denied", "Root/Dev", "AssumeRole into the account is denied", _baseline(root(10))),
        member(11, "closed-2025", "Root/Suspended", "suspended account", _baseline(root(11)), status="SUSPENDED"),
        member(12, "scp-restricted", "Root/Prod", "an SCP denies iam:GetAccountPasswordPolicy", _baseline(root(12))),
        member(
            13,
            _ODD_NAME,
            "Root/Dev",
            "hostile account and user names; all users in groups",
            _baseline(
                root(13),
                users=(
                    UserSpec("=1+2", groups=("Developers",), access_key=True),
                    UserSpec("@ops-admin", groups=("Administrators",), password=True, mfa=True),
                    UserSpec("deploy,ci", groups=("Developers",), access_key=True),
                ),
            ),
        ),
        member(
            14,
            "retiring-account",
            "Root/Sandbox",
            "account pending closure",
            _baseline(root(14)),
            status="PENDING_CLOSURE",
        ),
        member(15, "closed-2026", "Root/Suspended", "closed account", _baseline(root(15)), status="CLOSED"),
        member(16, "signup-incomplete", "Root/Sandbox", "sign-up never completed", _baseline(root(16)),
               status="PENDING_ACTIVATION"),
        member(17, "state-unrecognized", "Root/Sandbox", f"an account state the scanner does not know "
               f"({UNKNOWN_STATE}): attempted, good baseline", _baseline(root(17)), status=UNKNOWN_STATE),
        member(
            18,
            "ci-workloads",
            "Root/Dev",
            "no IAM users; only OIDC providers (GitHub Actions, EKS), which are for workloads",
            IamSpec(root=root(18), oidc_providers=(GITHUB_OIDC, EKS_OIDC)),
        ),
        member(
            19,
            "identity-center-app",
            "Root/Prod",
            "no IAM users; people sign in through IAM Identity Center (its SAML provider)",
            IamSpec(root=root(19), saml_providers=(IDENTITY_CENTER_PROVIDER,)),
        ),
        member(
            20,
            "root-mfa-removed",
            "Root/Prod/Web",
            "root MFA removed after the credential report was generated",
            _baseline(root(20, mfa="none", mfa_in_report="virtual")),
        ),
        member(
            21,
            "iam-tutorial",
            "Root/Sandbox",
            "the classic IAM tutorial's end state: jeff has AdministratorAccess directly, not through "
            "omegaAdmins; password policy only remembers 3 passwords",
            IamSpec(
                root=root(21),
                users=(UserSpec("jeff", password=True, aws_managed_policy=AWS_ADMINISTRATOR_ACCESS),),
                groups=(GroupSpec("omegaAdmins", aws_managed_policy=AWS_ADMINISTRATOR_ACCESS),),
                password_policy=PasswordPolicySpec(
                    minimum_length=None, reuse_prevention=3, max_age=None, require_symbols=False,
                    require_numbers=False, require_uppercase=False, require_lowercase=False,
                    allow_users_to_change=False,
                ),
            ),
        ),
    ]


DENIED_ACCOUNT_ID = "210000000010"
SCP_RESTRICTED_ACCOUNT_ID = "210000000012"


def demo_fault_rules() -> list[FaultRule]:
    """The denials that belong to the demo organization itself."""
    return [
        deny("AssumeRole", DENIED_ACCOUNT_ID, via_scp=False),
        deny("GetAccountPasswordPolicy", SCP_RESTRICTED_ACCOUNT_ID, via_scp=True),
    ]


def generated_accounts(count: int, templates: list[SeededAccount]) -> list[SeededAccount]:
    """`count` more accounts, cycling through the templates' postures, 100 to a Batch OU."""
    accounts = []
    for index in range(count):
        template = templates[index % len(templates)]
        number = index + 1
        name = f"scale-{number:05d}-{template.name}"
        created = GENERATED_JOINED + timedelta(minutes=index)
        root = template.iam.root
        accounts.append(
            SeededAccount(
                account_id=f"3{number:011d}",
                name=name,
                email=f"aws+scale-{number:05d}@example.com",
                status="ACTIVE",
                ou_path=f"Root/Scale/Batch-{index // ACCOUNTS_PER_BATCH_OU + 1}",
                posture=f"as {template.name}: {template.posture}",
                iam=replace(template.iam, root=replace(root, created=created)),
                joined=created,
            )
        )
    return accounts


def build_accounts(n_accounts: int, now: datetime) -> list[SeededAccount]:
    """The organization's accounts: the fixed fifteen, then generated ones up to `n_accounts`."""
    if n_accounts < FIXED_ACCOUNT_COUNT:
        raise ValueError(f"the simulated organization has at least {FIXED_ACCOUNT_COUNT} accounts, got {n_accounts}")
    fixed = fixed_accounts(now)
    # Accounts 2-9 are the templates: each one puts a check through a pass or a fail.
    templates = fixed[1:9]
    return fixed + generated_accounts(n_accounts - FIXED_ACCOUNT_COUNT, templates)
