"""Hand-written credential reports in AWS's own format, parsed by the real parser, as account facts.

Times are relative to `GENERATED`, the report's generation time, so each test reads as "N days before
the report".
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from scanner.normalize.credential_report import COLUMNS, parse_credential_report
from scanner.normalize.evidence import AccountFacts, UserPolicies

ACCOUNT = "012345678901"
GENERATED = datetime(2026, 6, 30, 12, 0, 0, tzinfo=UTC)
GENERATED_TEXT = "2026-06-30T12:00:00Z"  # as meta.json stores it
SUMMARY = {"AccountAccessKeysPresent": 0, "AccountMFAEnabled": 1, "AccountPasswordPresent": 1,
           "AccountSigningCertificatesPresent": 0, "Users": 2, "Groups": 1, "Providers": 0}
POLICY = {"MinimumPasswordLength": 14, "PasswordReusePrevention": 24, "RequireSymbols": True}


def days_before(days: float, **extra: float) -> str:
    """A report timestamp `days` (plus `hours=`, `minutes=`...) before GENERATED, as AWS writes it."""
    moment = GENERATED - timedelta(days=days, **extra)
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def root(**values: str) -> dict[str, str]:
    row = {column: "N/A" for column in COLUMNS}
    row.update(user="<root_account>", arn=f"arn:aws:iam::{ACCOUNT}:root", user_creation_time=days_before(2000),
               password_enabled="not_supported", password_last_used="N/A", password_last_changed="not_supported",
               password_next_rotation="not_supported", mfa_active="true", access_key_1_active="false",
               access_key_2_active="false", cert_1_active="false", cert_2_active="false")
    row.update(values)
    return row


def user(name: str, **values: str) -> dict[str, str]:
    """An IAM user with nothing: no password, no MFA, no keys; override any column."""
    row = {column: "N/A" for column in COLUMNS}
    row.update(user=name, arn=f"arn:aws:iam::{ACCOUNT}:user/{name}", user_creation_time=days_before(400),
               password_enabled="false", mfa_active="false", access_key_1_active="false",
               access_key_2_active="false", cert_1_active="false", cert_2_active="false")
    row.update(values)
    return row


def console_user(name: str, last_used_days: float = 1, mfa: bool = True, **values: str) -> dict[str, str]:
    return user(name, password_enabled="true", password_last_used=days_before(last_used_days),
                password_last_changed=days_before(300), mfa_active="true" if mfa else "false", **values)


def key_user(name: str, rotated_days: float, used_days: float | None = 1, **values: str) -> dict[str, str]:
    return user(name, access_key_1_active="true", access_key_1_last_rotated=days_before(rotated_days),
                access_key_1_last_used_date=days_before(used_days) if used_days is not None else "N/A",
                access_key_1_last_used_region="us-east-1" if used_days is not None else "N/A",
                access_key_1_last_used_service="s3" if used_days is not None else "N/A", **values)


def report_bytes(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    return out.getvalue().encode()


def account(*users: dict[str, str], root_row: dict[str, str] | None = None, **changes: object) -> AccountFacts:
    """Facts of an account whose credential report holds `root_row` (default: a clean root) and `users`."""
    parsed = parse_credential_report(report_bytes(root_row or root(), *users))
    base = AccountFacts(
        account_id=ACCOUNT, summary=dict(SUMMARY), root=parsed.root, report_generated=GENERATED_TEXT,
        password_policy=dict(POLICY), mfa_devices=(),
        user_policies=tuple(UserPolicies(str(u["user"]), (), ()) for u in users), group_count=1,
        user_rows=parsed.user_rows, user_values=parsed.user_values,
    )
    return replace(base, **changes)  # type: ignore[arg-type]
