"""The credential-report parser on hand-written reports in AWS's real format."""

from datetime import UTC, datetime

import pytest

from scanner.normalize.credential_report import CredentialReportError, parse_credential_report

HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
)
ROOT_MFA_NO_KEYS = (
    "<root_account>,arn:aws:iam::012345678901:root,2017-06-10T02:35:07+00:00,not_supported,"
    "2026-11-01T09:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,"
    "N/A,N/A,false,N/A,false,N/A"
)
ROOT_INACTIVE_KEY = (
    "<root_account>,arn:aws:iam::012345678901:root,2017-06-10T02:35:07+00:00,not_supported,"
    "no_information,not_supported,not_supported,false,false,2019-03-04T10:00:00+00:00,N/A,N/A,N/A,"
    "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
)
USER_WITH_COMMA = (
    '"deploy,ci",arn:aws:iam::012345678901:user/deploy,2024-01-15T08:00:00+00:00,TRUE,'
    "no_information,2024-01-15T08:00:00+00:00,N/A,FALSE,TRUE,2024-01-15T08:05:00Z,"
    "2026-11-20T10:00:00+00:00,us-east-1,s3,FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,FALSE,N/A"
)


def report(*rows: str, newline: str = "\n", bom: bool = False) -> bytes:
    text = newline.join((HEADER, *rows)) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def test_root_row_is_kept_apart_from_users() -> None:
    parsed = parse_credential_report(report(ROOT_MFA_NO_KEYS, USER_WITH_COMMA))
    assert parsed.root is not None
    assert parsed.root.mfa_active is True
    assert parsed.root.has_access_key is False
    assert list(parsed.users["user"]) == ["deploy,ci"]


def test_not_supported_password_fields_of_root_are_missing_not_false() -> None:
    parsed = parse_credential_report(report(ROOT_MFA_NO_KEYS))
    assert parsed.root is not None
    assert parsed.root.password_last_used == datetime(2026, 11, 1, 9, tzinfo=UTC)


def test_inactive_root_key_with_rotation_date_counts_as_a_key() -> None:
    parsed = parse_credential_report(report(ROOT_INACTIVE_KEY))
    assert parsed.root is not None
    assert parsed.root.access_key_1_active is False
    assert parsed.root.access_key_1_last_rotated == datetime(2019, 3, 4, 10, tzinfo=UTC)
    assert parsed.root.has_access_key is True


def test_quoted_name_with_comma_crlf_bom_and_upper_case_booleans() -> None:
    parsed = parse_credential_report(report(ROOT_MFA_NO_KEYS, USER_WITH_COMMA, newline="\r\n", bom=True))
    user = parsed.users.iloc[0]
    assert user["user"] == "deploy,ci"
    assert bool(user["password_enabled"]) is True
    assert bool(user["mfa_active"]) is False
    assert bool(user["access_key_1_active"]) is True
    assert user["access_key_1_last_rotated"] == datetime(2024, 1, 15, 8, 5, tzinfo=UTC)  # `Z` suffix
    assert user["access_key_1_last_used_date"] == datetime(2026, 11, 20, 10, tzinfo=UTC)  # `+00:00`
    assert parsed.user_rows[0]["user"] == "deploy,ci"
    assert parsed.user_rows[0]["password_enabled"] == "TRUE"  # exports keep the report's own text


def test_special_values_become_missing_with_explicit_dtypes() -> None:
    parsed = parse_credential_report(report(USER_WITH_COMMA))
    user = parsed.users.iloc[0]
    for column in ("password_last_used", "password_next_rotation", "access_key_2_last_rotated"):
        assert user[column] is not None and str(user[column]) == "NaT"
    assert str(parsed.users.dtypes["mfa_active"]) == "boolean"
    assert str(parsed.users.dtypes["user_creation_time"]) == "datetime64[ns, UTC]"
    assert str(parsed.users.dtypes["user"]) == "string"


def test_columns_are_read_by_header_name_not_position() -> None:
    columns = HEADER.split(",")
    values = ROOT_INACTIVE_KEY.split(",")
    order = list(reversed(range(len(columns))))
    shuffled = ",".join(columns[i] for i in order) + "\n" + ",".join(values[i] for i in order) + "\n"
    parsed = parse_credential_report(shuffled.encode())
    assert parsed.root is not None and parsed.root.has_access_key is True


def test_report_without_root_row_has_no_root() -> None:
    assert parse_credential_report(report()).root is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,value\nalice,1\n", "header lacks"),
        (report(ROOT_MFA_NO_KEYS)[:-40], "fields where the header has"),
        (b"\xff\xfe\x00\x81garbage\x00\x00", "not UTF-8"),
        (b"", "empty"),
        (report(ROOT_MFA_NO_KEYS.replace(",true,", ",maybe,")), "expected true or false"),
        (report(ROOT_MFA_NO_KEYS.replace("2017-06-10T02:35:07+00:00", "yesterday")), "not an ISO 8601"),
    ],
    ids=["wrong-header", "truncated-row", "binary", "empty", "bad-boolean", "bad-date"],
)
def test_malformed_reports_raise_one_line_errors(content: bytes, message: str) -> None:
    with pytest.raises(CredentialReportError, match=message) as info:
        parse_credential_report(content)
    assert "\n" not in str(info.value)
