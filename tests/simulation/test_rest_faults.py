"""The fault layer reads REST calls too (Security Hub's JSON, S3's XML), so rules match them by action."""

from __future__ import annotations

import base64
import hashlib

import pytest
from botocore.exceptions import ClientError

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.simulation.helpers import NO_RETRIES

MANAGEMENT = "123456789012"
PRODUCT = f"arn:aws:securityhub:us-east-1:{MANAGEMENT}:product/{MANAGEMENT}/default"


def _finding(n: int) -> dict[str, object]:
    return {"SchemaVersion": "2018-10-08", "Id": f"test/{n}", "ProductArn": PRODUCT, "GeneratorId": "test",
            "AwsAccountId": MANAGEMENT, "Types": ["Software and Configuration Checks"], "Title": f"finding {n}",
            "CreatedAt": "2026-11-28T00:00:00Z", "UpdatedAt": "2026-11-28T00:00:00Z", "Description": "test",
            "Severity": {"Label": "LOW"}, "Resources": [{"Type": "AwsAccount", "Id": f"AWS::::Account:{MANAGEMENT}"}]}


def test_security_hub_calls_are_counted_and_throttled_by_action(
    sim: SimulatedAws, organization: SeededOrganization,
) -> None:
    hub = sim.client("securityhub", config=NO_RETRIES)
    sim.faults.throttle(action="BatchImportFindings", limit=1)
    with pytest.raises(ClientError) as caught:
        hub.batch_import_findings(Findings=[_finding(1)])
    assert caught.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert hub.batch_import_findings(Findings=[_finding(1)])["SuccessCount"] == 1
    hub.get_findings()
    assert sim.faults.counter.calls_for(MANAGEMENT, "BatchImportFindings") == 2
    assert sim.faults.counter.calls_for(MANAGEMENT, "GetFindings") == 1


def test_rejected_findings_are_failed_findings_and_the_others_are_imported(
    sim: SimulatedAws, organization: SeededOrganization,
) -> None:
    hub = sim.client("securityhub", config=NO_RETRIES)
    sim.faults.reject_findings({"test/2"}, code="InvalidInput", message="Finding does not adhere to ASFF")
    answer = hub.batch_import_findings(Findings=[_finding(1), _finding(2), _finding(3)])
    assert (answer["SuccessCount"], answer["FailedCount"]) == (2, 1)
    assert answer["FailedFindings"] == [{"Id": "test/2", "ErrorCode": "InvalidInput",
                                         "ErrorMessage": "Finding does not adhere to ASFF"}]
    assert sorted(f["Id"] for f in hub.get_findings()["Findings"]) == ["test/1", "test/3"]


def test_s3_calls_are_denied_and_throttled_by_action(sim: SimulatedAws, organization: SeededOrganization) -> None:
    s3 = sim.client("s3", config=NO_RETRIES)
    s3.create_bucket(Bucket="evidence")
    body = b"evidence"
    checksum = base64.b64encode(hashlib.sha256(body).digest()).decode()
    sim.faults.deny("PutObject")
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket="evidence", Key="run/a.zip", Body=body, ChecksumAlgorithm="SHA256",
                      ChecksumSHA256=checksum)
    error = caught.value.response["Error"]
    assert (error["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]) == ("AccessDenied", 403)
    assert "s3:PutObject" in error["Message"]
    assert s3.list_objects_v2(Bucket="evidence").get("KeyCount") == 0  # nothing was written
    sim.faults.clear()
    sim.faults.throttle(action="PutObject", limit=1)
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket="evidence", Key="run/a.zip", Body=body, ChecksumAlgorithm="SHA256",
                      ChecksumSHA256=checksum)
    assert caught.value.response["Error"]["Code"] == "SlowDown"
    s3.put_object(Bucket="evidence", Key="run/a.zip", Body=body, ChecksumAlgorithm="SHA256", ChecksumSHA256=checksum)
    s3.head_object(Bucket="evidence", Key="run/a.zip")
    assert sim.faults.counter.calls_for(MANAGEMENT, "PutObject") == 3
    assert sim.faults.counter.calls_for(MANAGEMENT, "HeadObject") == 1
    assert sim.faults.counter.calls_for(MANAGEMENT, "CreateBucket") == 1
