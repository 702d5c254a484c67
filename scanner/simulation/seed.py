"""Loads the demo organization into moto, in-process, fast enough for ten thousand accounts.

Seeding goes through moto's backend objects rather than over HTTP: one HTTP call per user,
group and policy would take far too long at scale, and some of what is needed (fixed account
and OU ids, fixed dates, root posture) cannot be said through the API at all. moto's random
ids are replaced while the organization is built, and its random generator is seeded, so two
runs produce the same organization.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from moto.iam.models import AWSManagedPolicy, IAMBackend, iam_backends
from moto.moto_api._internal import mock_random
from moto.organizations import utils as org_utils
from moto.organizations.models import FakeAccount, OrganizationsBackend, organizations_backends

from scanner.simulation import moto_patches
from scanner.simulation.answers import OrganizationFeatures, set_account_analyzers, set_organization_features
from scanner.simulation.catalog import (
    ACCESS_ROLE_NAME,
    ADMIN_POLICY,
    DATA_POLICY,
    FIXED_ACCOUNT_COUNT,
    MANAGEMENT_ACCOUNT_ID,
    ORGANIZATION_ID,
    OU_PATHS,
    ROOT_ID,
    USERS_CREATED,
    CertificateSpec,
    IamSpec,
    SeededAccount,
    build_accounts,
    demo_fault_rules,
)
from scanner.simulation.root import apply_root_posture
from scanner.simulation.rules import FaultRule

if TYPE_CHECKING:
    from scanner.simulation.faults import FaultLayer

logger = logging.getLogger(__name__)

RANDOM_SEED = 20240115
PARTITION = "aws"
REGION = "us-east-1"


def _document(*actions: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
    )


POLICY_DOCUMENTS: Mapping[str, str] = {
    ADMIN_POLICY: _document("*"),
    DATA_POLICY: _document("s3:GetObject", "s3:ListBucket", "athena:StartQueryExecution", "glue:Get*"),
    "developer-access": _document("ec2:Describe*", "logs:*", "s3:Get*", "s3:List*"),
    "deploy-inline": _document("cloudformation:*", "s3:PutObject"),
}
SAML_METADATA = (
    '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml">'
    '<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>'
    "</EntityDescriptor>"
)


# Centralized root access is on in the demo organization (its sandbox-rootless account had its root
# credentials removed that way).
DEMO_FEATURES = OrganizationFeatures(enabled=("RootCredentialsManagement", "RootSessions"))


@cache
def _aws_managed_policy_data(name: str) -> dict[str, object]:
    """One AWS managed policy as moto ships it (moto's own loading of all of them costs ~1 MB per account)."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data: dict[str, object] = json.loads(aws_managed_policies_data)[name]
    return data


_ROLE_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"}, "Action": "sts:AssumeRole"},
]})


@cache
def _certificate_pem(name: str, expires: datetime) -> str:
    """A self-signed certificate for `name`, valid until `expires` (made once per process: key generation
    costs CPU, and only the certificate's metadata is ever read)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name}.example.com")])
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(int(hashlib.sha256(name.encode()).hexdigest()[:16], 16))
        .not_valid_before(expires.replace(tzinfo=UTC) - timedelta(days=397))
        .not_valid_after(expires.replace(tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _upload_certificate(iam: IAMBackend, spec: CertificateSpec, uploaded: datetime) -> None:
    cert = iam.upload_server_certificate(spec.name, _certificate_pem(spec.name, spec.expires), "")
    cert.upload_date = uploaded  # type: ignore[attr-defined]  # read by the simulation's ListServerCertificates


@dataclass(frozen=True)
class SeededOrganization:
    """What was seeded, independent of any endpoint: ids, accounts, and the org's own faults."""

    management_account_id: str
    organization_id: str
    root_id: str
    accounts: tuple[SeededAccount, ...]
    ou_ids: Mapping[str, str]
    fault_rules: tuple[FaultRule, ...] = field(default=())
    seconds: float = 0.0

    def account(self, account_id: str) -> SeededAccount:
        for account in self.accounts:
            if account.account_id == account_id:
                return account
        raise KeyError(account_id)

    @property
    def account_ids(self) -> tuple[str, ...]:
        return tuple(a.account_id for a in self.accounts)

    def install(self, faults: FaultLayer) -> None:
        """Add the organization's own denials (denied role, SCP) to a fault layer."""
        faults.add(*self.fault_rules)


class _FixedIds:
    """Stands in for moto's random organization, root, OU and account id generators."""

    def __init__(self) -> None:
        self.account_id = MANAGEMENT_ACCOUNT_ID
        self.ou_id = ""

    @contextlib.contextmanager
    def patched(self) -> Iterator[None]:
        saved = (
            org_utils.make_random_org_id,
            org_utils.make_random_root_id,
            org_utils.make_random_account_id,
            org_utils.make_random_ou_id,
        )
        org_utils.make_random_org_id = lambda: ORGANIZATION_ID
        org_utils.make_random_root_id = lambda: ROOT_ID
        org_utils.make_random_account_id = lambda: self.account_id
        org_utils.make_random_ou_id = lambda root_id: self.ou_id
        try:
            yield
        finally:
            (
                org_utils.make_random_org_id,
                org_utils.make_random_root_id,
                org_utils.make_random_account_id,
                org_utils.make_random_ou_id,
            ) = saved


def ou_id_for(path: str) -> str:
    """A stable OU id in AWS's format, derived from the OU's path."""
    return f"ou-{ROOT_ID[2:]}-{hashlib.sha256(path.encode()).hexdigest()[:8]}"


_SEED_LOCK = threading.Lock()


def seed_organization(
    n_accounts: int = FIXED_ACCOUNT_COUNT, *, now: datetime | None = None,
    features: OrganizationFeatures | None = DEMO_FEATURES,
) -> SeededOrganization:
    """Build the demo organization in moto's management account 123456789012.

    `features`: what IAM's ListOrganizationsFeatures answers for it (centralized root access); None answers
    as an organization that never enabled IAM's trusted access.

    `now` anchors the few relative moments (root password and root key last used); by default
    it is today's midnight UTC, so runs on the same day are identical apart from report
    generation times. Call `reset_backends()` before seeding again in the same process.
    """
    started = time.perf_counter()
    moto_patches.install()
    if now is None:
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    accounts = build_accounts(n_accounts, now)
    ou_paths = list(OU_PATHS)
    for account in accounts:
        if account.ou_path not in ou_paths and account.ou_path != "Root":
            parent = account.ou_path.rpartition("/")[0]
            if parent not in ou_paths and parent != "Root":
                ou_paths.append(parent)
            ou_paths.append(account.ou_path)

    with _SEED_LOCK:
        mock_random.seed(RANDOM_SEED)
        orgs = organizations_backends[MANAGEMENT_ACCOUNT_ID][PARTITION]
        if orgs.org is not None:
            raise RuntimeError("an organization is already seeded in this process; call reset_backends() first")
        ids = _FixedIds()
        with ids.patched():
            _create_organization(orgs, ids, accounts[0])
            ou_ids = _create_ous(orgs, ids, ou_paths)
            _create_members(orgs, ids, accounts[1:], ou_ids)
        for account in accounts:
            _seed_iam(_iam_backend(account.account_id), account.iam)
            set_account_analyzers(account.account_id, account.iam.access_analyzers)
        set_organization_features(
            MANAGEMENT_ACCOUNT_ID, features if features is not None else OrganizationFeatures(trusted_access=False))

    seconds = time.perf_counter() - started
    logger.info("seeded %d accounts in %.1f s", len(accounts), seconds)
    return SeededOrganization(
        management_account_id=MANAGEMENT_ACCOUNT_ID,
        organization_id=ORGANIZATION_ID,
        root_id=ROOT_ID,
        accounts=tuple(accounts),
        ou_ids=ou_ids,
        fault_rules=tuple(demo_fault_rules()),
        seconds=seconds,
    )


def _create_organization(orgs: OrganizationsBackend, ids: _FixedIds, management: SeededAccount) -> None:
    ids.account_id = management.account_id
    orgs.create_organization(region=REGION, FeatureSet="ALL")
    assert orgs.org is not None
    orgs.org.master_account_email = management.email
    master = orgs.accounts[0]
    master.name = management.name
    master.email = management.email
    master.create_time = management.joined
    # moto gives the management account the member access role too; AWS does not.
    iam_backends[management.account_id][PARTITION].delete_role(ACCESS_ROLE_NAME)


def _create_ous(orgs: OrganizationsBackend, ids: _FixedIds, paths: list[str]) -> dict[str, str]:
    ou_ids = {"Root": ROOT_ID}
    for path in paths:
        parent, _, name = path.rpartition("/")
        ids.ou_id = ou_id_for(path)
        described = orgs.create_organizational_unit(Name=name, ParentId=ou_ids[parent])
        ou_ids[path] = described["OrganizationalUnit"]["Id"]
    return ou_ids


def _create_members(
    orgs: OrganizationsBackend, ids: _FixedIds, members: list[SeededAccount], ou_ids: Mapping[str, str]
) -> None:
    """Add member accounts directly: moto's create_account searches all accounts per call."""
    assert orgs.org is not None
    defaults = [p for p in orgs.policies if p.id in (org_utils.DEFAULT_SCP_POLICY_ID, org_utils.DEFAULT_RCP_POLICY_ID)]
    for account in members:
        ids.account_id = account.account_id
        fake = FakeAccount(orgs.org, AccountName=account.name, Email=account.email)
        fake.create_time = account.joined
        fake.parent_id = ou_ids[account.ou_path]
        fake.status = fake.state = account.status
        orgs.accounts.append(fake)
        for policy in defaults:
            fake.attached_policies.append(policy)
            policy.attachments.append(fake)
        organizations_backends.master_accounts[account.account_id] = (orgs.account_id, PARTITION)


_MFA_CODES = ("123456", "654321")


def _iam_backend(account_id: str) -> IAMBackend:
    """The account's IAM backend; moto's own lookup copies the list of all accounts each time."""
    existing = dict.get(iam_backends, account_id)
    return (existing if existing is not None else iam_backends[account_id])[PARTITION]


def _seed_iam(iam: IAMBackend, spec: IamSpec) -> None:
    """Create the account's password policy, providers, policies, groups and users."""
    created = spec.root.created
    users_created = max(created, USERS_CREATED)
    policy_spec = spec.password_policy
    if policy_spec is not None:
        # Parameters left out take UpdateAccountPasswordPolicy's documented defaults (length 6, no expiry).
        iam.update_account_password_policy(
            allow_change_password=policy_spec.allow_users_to_change,
            hard_expiry=False,  # type: ignore[arg-type]
            max_password_age=policy_spec.max_age or 0,
            minimum_password_length=policy_spec.minimum_length or 6,
            password_reuse_prevention=policy_spec.reuse_prevention,  # type: ignore[arg-type]
            require_lowercase_characters=policy_spec.require_lowercase,
            require_numbers=policy_spec.require_numbers,
            require_symbols=policy_spec.require_symbols,
            require_uppercase_characters=policy_spec.require_uppercase,
        )
    for provider in spec.saml_providers:
        iam.create_saml_provider(provider, SAML_METADATA).create_date = users_created
    for url in spec.oidc_providers:
        iam.create_open_id_connect_provider(url, ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"], ["sts.amazonaws.com"],
                                            []).create_date = users_created
    managed = {u.managed_policy for u in spec.users} | {g.managed_policy for g in spec.groups}
    policy_arns = {}
    for name in sorted(p for p in managed if p):
        policy = iam.create_policy("", "/", POLICY_DOCUMENTS[name], name, [])
        policy.create_date = policy.update_date = users_created
        for version in policy.versions:
            version.create_date = users_created
        policy_arns[name] = policy.arn
    aws_managed = ({u.aws_managed_policy for u in spec.users} | {g.aws_managed_policy for g in spec.groups}
                   | {r.aws_managed_policy for r in spec.roles})
    for name in sorted(p for p in aws_managed if p):
        aws_policy = AWSManagedPolicy.from_data(name, iam.account_id, REGION, _aws_managed_policy_data(name))
        iam.aws_managed_policies.append(aws_policy)
        iam.managed_policies[aws_policy.arn] = aws_policy
        policy_arns[name] = aws_policy.arn
    for group_spec in spec.groups:
        group = iam.create_group(group_spec.name)
        group.create_date = users_created
        for group_policy in (group_spec.managed_policy, group_spec.aws_managed_policy):
            if group_policy:
                iam.attach_group_policy(policy_arns[group_policy], group_spec.name)
        if group_spec.inline_policy:
            iam.put_group_policy(group_spec.name, group_spec.inline_policy, POLICY_DOCUMENTS[group_spec.inline_policy])
    for index, user_spec in enumerate(spec.users):
        moment = users_created + timedelta(minutes=7 * index)
        user = iam.create_user(REGION, user_spec.name)
        user.create_date = moment
        if user_spec.password:
            user.password = "Seeded-Passw0rd!"
        for group_name in user_spec.groups:
            iam.add_user_to_group(group_name, user_spec.name)
        if user_spec.mfa:
            device = iam.create_virtual_mfa_device(user_spec.name, "/")
            iam.enable_mfa_device(user_spec.name, device.serial_number, *_MFA_CODES)
            device.enable_date = user.mfa_devices[device.serial_number].enable_date = moment
        if user_spec.access_key:
            iam.create_access_key(user_spec.name).create_date = moment + timedelta(days=1)
        if user_spec.inline_policy:
            iam.put_user_policy(user_spec.name, user_spec.inline_policy, POLICY_DOCUMENTS[user_spec.inline_policy])
        for user_policy in (user_spec.managed_policy, user_spec.aws_managed_policy):
            if user_policy:
                iam.attach_user_policy(policy_arns[user_policy], user_spec.name)
    for role_spec in spec.roles:
        role = iam.create_role(role_spec.name, _ROLE_TRUST, "/", None, "", [], None)
        role.create_date = users_created
        if role_spec.aws_managed_policy:
            iam.attach_role_policy(policy_arns[role_spec.aws_managed_policy], role_spec.name)
    for certificate in spec.server_certificates:
        _upload_certificate(iam, certificate, users_created)
    apply_root_posture(iam, spec.root)
