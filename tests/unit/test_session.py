"""The pieces of the AWS session that need no AWS: ARNs, partitions, timestamps, error translation."""

from datetime import UTC, datetime

from botocore.exceptions import ClientError, EndpointConnectionError

from scanner.aws.session import api_error, parse_timestamp, partition_of_arn, role_arn


def test_role_arns_follow_the_callers_partition() -> None:
    assert partition_of_arn("arn:aws-us-gov:sts::012345678901:assumed-role/a/b") == "aws-us-gov"
    assert partition_of_arn("arn:aws-cn:iam::012345678901:user/x") == "aws-cn"
    assert role_arn("aws-cn", "012345678901", "Audit") == "arn:aws-cn:iam::012345678901:role/Audit"
    assert role_arn("aws", "012345678901", "/security/Audit") == "arn:aws:iam::012345678901:role/security/Audit"


def test_timestamps_are_parsed_timezone_aware() -> None:
    assert parse_timestamp("2026-11-28T03:15:00Z") == datetime(2026, 11, 28, 3, 15, tzinfo=UTC)
    assert parse_timestamp("2026-11-28T03:15:00") == datetime(2026, 11, 28, 3, 15, tzinfo=UTC)
    assert parse_timestamp("2026-11-28T04:15:00+01:00") == datetime(2026, 11, 28, 3, 15, tzinfo=UTC)
    assert parse_timestamp("1700000000").tzinfo is not None  # epoch seconds: botocore's own parser


def test_errors_become_code_and_message() -> None:
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "AssumeRole")
    assert str(api_error(denied)) == "AccessDenied: no"
    assert api_error(EndpointConnectionError(endpoint_url="http://x")).code == "EndpointConnectionError"
