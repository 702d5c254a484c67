"""Parse the IAM credential report (CSV) by header name into typed values.

Special values `N/A`, `no_information` and `not_supported` become missing; booleans are compared
case-insensitively; timestamps with `+00:00` or `Z` become UTC. The root row is kept apart from users.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

import pandas as pd

COLUMNS = (
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
    "password_last_changed", "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
)  # fmt: skip
BOOL_COLUMNS = frozenset(
    {"password_enabled", "mfa_active", "access_key_1_active", "access_key_2_active", "cert_1_active",
     "cert_2_active"}
)
DATE_COLUMNS = frozenset(
    {"user_creation_time", "password_last_used", "password_last_changed", "password_next_rotation",
     "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_2_last_rotated",
     "access_key_2_last_used_date", "cert_1_last_rotated", "cert_2_last_rotated"}
)
REQUIRED = ("user", "arn", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
            "access_key_2_active", "access_key_2_last_rotated")
MISSING = frozenset({"", "n/a", "no_information", "not_supported"})
ROOT_USER = "<root_account>"
DTYPES = {c: ("boolean" if c in BOOL_COLUMNS else "datetime64[ns, UTC]" if c in DATE_COLUMNS else "string")
          for c in COLUMNS}


class CredentialReportError(ValueError):
    """The report is not a credential report we can read; the message says why in one line."""


Value = bool | datetime | str | None


def _bool(value: str, column: str, line: int) -> bool | None:
    folded = value.strip().lower()
    if folded in MISSING:
        return None
    if folded in ("true", "false"):
        return folded == "true"
    raise CredentialReportError(f"line {line}: {column} is {value!r}, expected true or false")


def parse_time(value: str) -> datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _date(value: str, column: str, line: int) -> datetime | None:
    if value.strip().lower() in MISSING:
        return None
    try:
        return parse_time(value)
    except ValueError:
        raise CredentialReportError(f"line {line}: {column} is {value!r}, not an ISO 8601 time") from None


def _convert(column: str, value: str, line: int) -> Value:
    if column in BOOL_COLUMNS:
        return _bool(value, column, line)
    if column in DATE_COLUMNS:
        return _date(value, column, line)
    return None if value.strip().lower() in MISSING and column not in ("user", "arn") else value


@dataclass(frozen=True)
class RootRow:
    """The `<root_account>` row, typed. `None` means the report says nothing (N/A and friends)."""

    arn: str
    mfa_active: bool | None
    password_last_used: datetime | None
    access_key_1_active: bool | None
    access_key_1_last_rotated: datetime | None
    access_key_1_last_used_date: datetime | None
    access_key_2_active: bool | None
    access_key_2_last_rotated: datetime | None
    access_key_2_last_used_date: datetime | None
    cert_1_active: bool | None
    cert_1_last_rotated: datetime | None
    cert_2_active: bool | None
    cert_2_last_rotated: datetime | None

    @property
    def has_access_key(self) -> bool:
        """A key exists if it is active, or inactive but still carries a rotation date."""
        return bool(
            self.access_key_1_active or self.access_key_1_last_rotated is not None
            or self.access_key_2_active or self.access_key_2_last_rotated is not None
        )

    @property
    def has_signing_certificate(self) -> bool:
        return bool(
            self.cert_1_active or self.cert_1_last_rotated is not None
            or self.cert_2_active or self.cert_2_last_rotated is not None
        )


@dataclass(frozen=True)
class ParsedReport:
    root: RootRow | None
    user_values: tuple[dict[str, Value], ...]  # typed, one per IAM user, keys COLUMNS
    user_rows: tuple[dict[str, str], ...]  # the same users as written in the report, for exports

    @cached_property
    def users(self) -> pd.DataFrame:
        """The typed users as a frame (built on first use: a frame per account is costly at scale)."""
        return users_frame(list(self.user_values))


def parse_credential_report(content: bytes) -> ParsedReport:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CredentialReportError("credential report is not UTF-8 text") from None
    if "\x00" in text:
        raise CredentialReportError("credential report contains binary data")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise CredentialReportError(f"credential report is not valid CSV: {exc}") from None
    if not rows:
        raise CredentialReportError("credential report is empty")
    header = [name.strip() for name in rows[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise CredentialReportError(f"credential report header lacks {', '.join(missing)}")
    if len(set(header)) != len(header):
        raise CredentialReportError("credential report header repeats a column")
    root: RootRow | None = None
    typed: list[dict[str, Value]] = []
    verbatim: list[dict[str, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise CredentialReportError(
                f"line {number}: {len(row)} fields where the header has {len(header)} (truncated report?)"
            )
        raw = dict(zip(header, row, strict=True))
        values = {column: _convert(column, raw.get(column, ""), number) for column in COLUMNS}
        if raw["user"] == ROOT_USER:
            root = RootRow(arn=raw["arn"], **{f: values[f] for f in RootRow.__dataclass_fields__ if f != "arn"})  # type: ignore[arg-type]
            continue
        typed.append(values)
        verbatim.append({column: _shared(raw.get(column, "")) for column in COLUMNS})
    return ParsedReport(root, tuple(typed), tuple(verbatim))


SHARED_LENGTH = 16


def _shared(value: str) -> str:
    """Short values ("N/A", "true", "not_supported") as one string object for every report: a run keeps each
    user's row for users.csv, and tens of thousands of copies of the same few words add up."""
    return sys.intern(value) if len(value) <= SHARED_LENGTH else value


def users_frame(rows: list[dict[str, Value]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    return frame.astype(DTYPES) if not frame.empty else frame.astype(DTYPES, errors="ignore")
