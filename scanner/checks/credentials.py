"""User- and key-level checks over the credential report's user rows and the users' own policies.

The typed report frame is read once into `UserCredentials` values so each rule is a plain function of
users, a moment and a threshold. Missing values (N/A, no_information, not_supported) are None; a
missing boolean counts as "no" (no password, no MFA, key not active).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from scanner.checks.ages import age_days, day, days_text, unused_for, within
from scanner.checks.outcome import CheckOutcome, UserVerdict, judged
from scanner.models import Status
from scanner.normalize.evidence import UserPolicies

KEY_SLOTS = (1, 2)


@dataclass(frozen=True)
class AccessKey:
    slot: int  # 1 or 2, as the report numbers its key columns
    active: bool
    last_rotated: datetime | None
    last_used: datetime | None


@dataclass(frozen=True)
class UserCredentials:
    """One IAM user's row of the credential report, typed."""

    name: str
    created: datetime | None
    password_enabled: bool
    password_last_used: datetime | None
    password_last_changed: datetime | None
    mfa_active: bool
    keys: tuple[AccessKey, ...]

    @property
    def active_keys(self) -> tuple[AccessKey, ...]:
        return tuple(key for key in self.keys if key.active)


def _when(value: Any) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    moment: datetime = pd.Timestamp(value).to_pydatetime()
    return moment


def _flag(value: Any) -> bool:
    return False if value is None or pd.isna(value) else bool(value)


def user_credentials(rows: Iterable[Mapping[str, Any]]) -> tuple[UserCredentials, ...]:
    """The typed user rows of a parsed credential report as values, in report order."""
    users = []
    for row in rows:
        users.append(UserCredentials(
            name=str(row["user"]),
            created=_when(row["user_creation_time"]),
            password_enabled=_flag(row["password_enabled"]),
            password_last_used=_when(row["password_last_used"]),
            password_last_changed=_when(row["password_last_changed"]),
            mfa_active=_flag(row["mfa_active"]),
            keys=tuple(
                AccessKey(slot, _flag(row[f"access_key_{slot}_active"]), _when(row[f"access_key_{slot}_last_rotated"]),
                          _when(row[f"access_key_{slot}_last_used_date"]))
                for slot in KEY_SLOTS
            ),
        ))
    return tuple(users)


def console_users_mfa(users: Sequence[UserCredentials]) -> CheckOutcome:
    console = [u for u in users if u.password_enabled]
    if not console:
        return CheckOutcome(Status.NOT_APPLICABLE, "No IAM user has a console password.")
    return judged(
        [UserVerdict(u.name, Status.PASS, "console password; MFA active") if u.mfa_active
         else UserVerdict(u.name, Status.FAIL, "console password; no MFA device") for u in console],
        "Every user with a console password has MFA ({users}).",
        "Users with a console password and no MFA ({n} of {of})",
    )


def _rotation(user: UserCredentials, at: datetime, days: int) -> UserVerdict:
    parts, stale = [], False
    for key in user.active_keys:
        if key.last_rotated is None:
            parts.append(f"active key {key.slot} has no rotation date")
            stale = True
            continue
        parts.append(f"key {key.slot} rotated {day(key.last_rotated)}, "
                     f"{days_text(age_days(key.last_rotated, at))} before the report")
        stale = stale or not within(key.last_rotated, at, days)
    return UserVerdict(user.name, Status.FAIL if stale else Status.PASS, "; ".join(parts))


def access_keys_rotated(users: Sequence[UserCredentials], at: datetime, days: int) -> CheckOutcome:
    holders = [u for u in users if u.active_keys]
    if not holders:
        return CheckOutcome(Status.NOT_APPLICABLE, "No IAM user has an active access key.")
    return judged(
        [_rotation(u, at, days) for u in holders],
        f"Every active access key was rotated within {days} days ({{users}} with a key).",
        f"Users with an active key older than {days} days ({{n}} of {{of}} with a key)",
    )


def _last_activity(label: str, used: datetime | None, since: datetime | None, since_what: str,
                   at: datetime, days: int) -> tuple[str, bool]:
    """Evidence text for one credential and whether it has been unused for `days` days or more."""
    if used is not None:
        return f"{label} last used {day(used)}, {days_text(age_days(used, at))} before the report", \
            unused_for(used, at, days)
    if since is not None:
        return f"{label} never used, {since_what} {day(since)}, {days_text(age_days(since, at))} before the " \
               "report", unused_for(since, at, days)
    return f"{label} never used and has no date to age it from", True


def _unused(user: UserCredentials, at: datetime, days: int) -> UserVerdict:
    parts, unused = [], False
    if user.password_enabled:
        text, stale = _last_activity("password", user.password_last_used,
                                     user.password_last_changed or user.created, "set", at, days)
        parts.append(text)
        unused = unused or stale
    for key in user.active_keys:
        text, stale = _last_activity(f"key {key.slot}", key.last_used, key.last_rotated or user.created,
                                     "created", at, days)
        parts.append(text)
        unused = unused or stale
    return UserVerdict(user.name, Status.FAIL if unused else Status.PASS, "; ".join(parts))


def unused_credentials(users: Sequence[UserCredentials], at: datetime, days: int) -> CheckOutcome:
    holders = [u for u in users if u.password_enabled or u.active_keys]
    if not holders:
        return CheckOutcome(Status.NOT_APPLICABLE, "No IAM user has a console password or an active access key.")
    return judged(
        [_unused(u, at, days) for u in holders],
        f"Every password and active access key was used less than {days} days before the report "
        f"({{users}} holding one).",
        f"Users with a credential unused for {days} days or more ({{n}} of {{of}} holding one)",
    )


def single_active_key(users: Sequence[UserCredentials]) -> CheckOutcome:
    holders = [u for u in users if u.active_keys]
    if not holders:
        return CheckOutcome(Status.NOT_APPLICABLE, "No IAM user has an active access key.")
    return judged(
        [UserVerdict(u.name, Status.FAIL if len(u.active_keys) > 1 else Status.PASS,
                     f"{len(u.active_keys)} active access key{'s' if len(u.active_keys) > 1 else ''}")
         for u in holders],
        "No user has two active access keys ({users} with a key).",
        "Users with two active access keys ({n} of {of} with a key)",
    )


def _policies_text(user: UserPolicies) -> str:
    kinds = []
    if user.managed:
        kinds.append("managed: " + ", ".join(user.managed))
    if user.inline:
        kinds.append("inline: " + ", ".join(user.inline))
    return "; ".join(kinds) or "no policies of its own"


def no_direct_user_policies(user_policies: Sequence[UserPolicies]) -> CheckOutcome:
    if not user_policies:
        return CheckOutcome(Status.NOT_APPLICABLE, "The account has no IAM users.")
    return judged(
        [UserVerdict(u.user_name, Status.FAIL if (u.managed or u.inline) else Status.PASS, _policies_text(u))
         for u in user_policies],
        "No user has a policy attached directly ({users}).",
        "Users with policies attached directly ({n} of {of})",
    )
