"""The IAM credential report as AWS writes it, built from moto's users plus a root posture.

moto's own report has no `<root_account>` row, and its user rows differ from AWS in small
ways a scanner may trip over (a password-change date for users without a password,
`not_supported` where AWS writes `N/A`, and no CSV quoting, so a user name with a comma adds a
column). The rows here follow AWS's documented values and are written with RFC 4180 quoting,
so every row has exactly the header's 22 fields.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from moto.iam.models import AccountPasswordPolicy, User

HEADER: tuple[str, ...] = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)
ROOT_USER = "<root_account>"
NOT_APPLICABLE = "N/A"

MfaKind = Literal["virtual", "hardware", "none"]


def iso(value: datetime | None) -> str:
    """AWS's report timestamp format (`2025-03-04T10:00:00+00:00`), or N/A."""
    if value is None:
        return NOT_APPLICABLE
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


@dataclass(frozen=True)
class RootKey:
    """One root access key as the report shows it."""

    active: bool
    last_rotated: datetime
    last_used: datetime | None = None
    last_used_region: str | None = None
    last_used_service: str | None = None


@dataclass(frozen=True)
class RootPosture:
    """The root user's credentials, which moto does not model."""

    created: datetime
    password: bool = True
    password_last_used: datetime | None = None
    mfa: MfaKind = "virtual"
    keys: tuple[RootKey, ...] = ()
    mfa_device_name: str = "ops-root-token"
    # What the (up to four hours old) credential report still shows when MFA changed after it was generated;
    # None: the report agrees with the account.
    mfa_in_report: MfaKind | None = None

    def __post_init__(self) -> None:
        if len(self.keys) > 2:
            raise ValueError("the root user has at most two access keys")

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa != "none"

    @property
    def report_mfa_enabled(self) -> bool:
        return (self.mfa_in_report or self.mfa) != "none"

    @property
    def keys_present(self) -> bool:
        return bool(self.keys)


def _key_columns(
    active: bool, rotated: datetime | None, used: datetime | None, region: str | None, service: str | None
) -> list[str]:
    if rotated is None:
        return ["false", NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE]
    return [
        "true" if active else "false",
        iso(rotated),
        iso(used),
        region if used is not None and region else NOT_APPLICABLE,
        service if used is not None and service else NOT_APPLICABLE,
    ]


def root_row(account_id: str, posture: RootPosture) -> list[str]:
    row = [
        ROOT_USER,
        f"arn:aws:iam::{account_id}:root",
        iso(posture.created),
        "not_supported",
        iso(posture.password_last_used) if posture.password else NOT_APPLICABLE,
        "not_supported",
        "not_supported",
        "true" if posture.report_mfa_enabled else "false",
    ]
    for index in range(2):
        if index < len(posture.keys):
            key = posture.keys[index]
            row += _key_columns(
                key.active, key.last_rotated, key.last_used, key.last_used_region, key.last_used_service
            )
        else:
            row += _key_columns(False, None, None, None, None)
    row += ["false", NOT_APPLICABLE, "false", NOT_APPLICABLE]
    return row


def user_row(user: User, policy: AccountPasswordPolicy | None) -> list[str]:
    """One IAM user's row, from moto's user object."""
    has_password = bool(user.password)
    if has_password:
        last_used = iso(user.password_last_used) if user.password_last_used else "no_information"
        changed = iso(user.create_date)
        max_age = policy.max_password_age if policy is not None else 0
        next_rotation = iso(user.create_date + timedelta(days=max_age)) if max_age else NOT_APPLICABLE
    else:
        last_used = changed = next_rotation = NOT_APPLICABLE
    row = [
        user.name,
        user.arn,
        iso(user.create_date),
        "true" if has_password else "false",
        last_used,
        changed,
        next_rotation,
        "true" if user.mfa_devices else "false",
    ]
    keys = list(user.access_keys)[:2]
    for index in range(2):
        if index < len(keys):
            key = keys[index]
            last = key.last_used
            used = last if isinstance(last, datetime) or last is None else last.timestamp
            region = getattr(key.last_used, "region", None)
            service = getattr(key.last_used, "service", None)
            row += _key_columns(key.status == "Active", key.create_date, used, region, service)
        else:
            row += _key_columns(False, None, None, None, None)
    certs = list(user.signing_certificates.values())[:2]
    for index in range(2):
        if index < len(certs):
            row += ["true" if certs[index].status == "Active" else "false", iso(certs[index].upload_date)]
        else:
            row += ["false", NOT_APPLICABLE]
    return row


def render(rows: Iterable[Sequence[str]]) -> str:
    """Header plus rows as CSV text, quoting only the fields that need it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        if len(row) != len(HEADER):
            raise ValueError(f"credential report row has {len(row)} fields, expected {len(HEADER)}")
        writer.writerow(row)
    return out.getvalue()
