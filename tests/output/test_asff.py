"""findings.asff.json: the same findings in the AWS Security Finding Format, importable as they are."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from scanner.audit.verify import verify
from scanner.derive import derive_outputs
from scanner.pipeline import build_outputs
from scanner.rundir import RunFolder
from tests.integration.helpers import read_csv
from tests.output.runs import DENIED, NO_REPORT, SCANNED, SKIPPED, make_derived_run

ASFF_JSON = "findings.asff.json"
CALLER = "999999999999"


@pytest.fixture
def run(tmp_path: Path) -> RunFolder:
    return make_derived_run(tmp_path, caller_account_id=CALLER, partition="aws")


def findings(folder: RunFolder) -> list[dict[str, Any]]:
    document = json.loads((folder.path / ASFF_JSON).read_bytes())
    assert isinstance(document, list)
    return document


def by_key(folder: RunFolder) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["Resources"][0]["Id"].rpartition(":")[2], f["ProductFields"]["orgscan/CheckId"]): f
            for f in findings(folder)}


def test_one_finding_per_account_and_check_importable_by_the_scanning_account(run: RunFolder) -> None:
    found = findings(run)
    assert [(f["Resources"][0]["Id"], f["ProductFields"]["orgscan/CheckId"]) for f in found] == [
        (f"AWS::::Account:{r['account_id']}", r["check_id"]) for r in read_csv(run.path / "findings.csv")
    ]
    assert SKIPPED not in json.dumps(found)
    for finding in found:
        assert finding["SchemaVersion"] == "2018-10-08"
        assert finding["ProductArn"] == f"arn:aws:securityhub:us-east-1:{CALLER}:product/{CALLER}/default"
        assert finding["AwsAccountId"] == CALLER
        assert finding["Resources"][0]["Type"] == "AwsAccount"
        assert finding["RecordState"] == "ACTIVE"
        assert (finding["CreatedAt"], finding["UpdatedAt"]) == ("2026-06-30T11:58:07Z", "2026-06-30T11:59:00Z")


def test_findings_validate_against_security_hubs_own_model(run: RunFolder) -> None:
    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    report = ParamValidator().validate({"Findings": findings(run)}, shape)
    assert not report.has_errors(), report.generate_report()
    for finding in findings(run):
        assert len(finding["Title"]) <= 256 and len(finding["Description"]) <= 1024
        assert len(finding["Remediation"]["Recommendation"]["Text"]) <= 512


def test_compliance_status_and_workflow(run: RunFolder) -> None:
    found = by_key(run)
    assert found[(SCANNED, "root-access-keys")]["Compliance"]["Status"] == "PASSED"
    assert found[(SCANNED, "root-access-keys")]["Workflow"] == {"Status": "RESOLVED"}
    assert found[(SCANNED, "root-access-keys")]["Severity"]["Label"] == "INFORMATIONAL"
    rotated = found[(SCANNED, "access-keys-rotated")]
    assert (rotated["Compliance"]["Status"], rotated["Workflow"], rotated["Severity"]["Label"]) == (
        "FAILED", {"Status": "NEW"}, "MEDIUM")
    assert {"CIS v5.0/1.13", "CIS v3.0/1.14", "Security Hub/IAM.3"} <= set(rotated["Compliance"]["RelatedRequirements"])
    denied = found[(DENIED, "root-mfa")]
    assert denied["Compliance"]["Status"] == "NOT_AVAILABLE"
    assert denied["ProductFields"]["orgscan/Status"] == "ERROR"
    assert denied["Severity"]["Label"] == "CRITICAL"
    assert found[(NO_REPORT, "password-length")]["Compliance"]["Status"] == "FAILED"
    assert found[(SCANNED, "individual-users")]["ProductFields"]["orgscan/AccountName"] == "=cmd|' /C calc'!A0"
    assert found[(SCANNED, "individual-users")]["ProductFields"]["orgscan/OuPath"] == "Root/Prod"


def test_an_accepted_risk_is_failed_and_suppressed_with_its_justification(run: RunFolder) -> None:
    finding = by_key(run)[(SCANNED, "password-length")]
    assert finding["Compliance"]["Status"] == "FAILED"
    assert finding["Workflow"] == {"Status": "SUPPRESSED"}
    assert finding["Note"] == {"Text": "accepted until 2027-01-31 by alice@example.com: Length enforced by the "
                                       "identity provider", "UpdatedBy": "alice@example.com",
                               "UpdatedAt": "2026-06-30T11:59:00Z"}
    assert "Note" not in by_key(run)[(SCANNED, "root-mfa")]


def test_ids_are_stable_across_runs(run: RunFolder, tmp_path: Path) -> None:
    ids = [f["Id"] for f in findings(run)]
    assert len(set(ids)) == len(ids)
    later = RunFolder(Path(shutil.copytree(run.path, tmp_path / "later" / "2026-07-30T115807Z")))
    info = json.loads((later.path / "run.json").read_bytes())
    (later.path / "run.json").write_text(json.dumps({**info, "started_at": "2026-07-30T11:58:07Z",
                                                     "finished_at": "2026-07-30T11:59:00Z"}))
    again = json.loads(derive_outputs(later).files[ASFF_JSON])
    assert [f["Id"] for f in again] == ids  # a re-import updates the same findings
    assert {f["UpdatedAt"] for f in again} == {"2026-07-30T11:59:00Z"}


def test_the_file_is_in_the_manifest_and_verify_rederives_it(run: RunFolder) -> None:
    manifest = json.loads((run.path / "manifest.json").read_bytes())
    assert ASFF_JSON in {entry["path"] for entry in manifest["files"]}
    assert verify(run.path).intact
    before = (run.path / ASFF_JSON).read_bytes()
    build_outputs(run)
    assert (run.path / ASFF_JSON).read_bytes() == before  # byte-reproducible
    (run.path / ASFF_JSON).write_bytes(before.replace(b'"FAILED"', b'"PASSED"', 1))
    assert any(p.path == ASFF_JSON for p in verify(run.path).problems)
