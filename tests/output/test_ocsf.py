"""findings.ocsf.json: OCSF Compliance Findings derived from raw/, valid against the schema version they declare."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

from scanner import __version__
from scanner.audit.verify import verify
from scanner.checks import CHECK_IDS
from scanner.derive import derive_outputs
from scanner.rundir import RunFolder
from tests.integration.helpers import read_csv
from tests.output.runs import DENIED, NO_REPORT, SCANNED, SKIPPED, make_derived_run

OCSF_JSON = "findings.ocsf.json"
STARTED_MS = 1782820687000  # 2026-06-30T11:58:07Z
FINISHED_MS = 1782820740000  # 2026-06-30T11:59:00Z


@pytest.fixture
def run(tmp_path: Path) -> RunFolder:
    return make_derived_run(tmp_path)


def records(folder: RunFolder) -> list[dict[str, Any]]:
    document = json.loads((folder.path / OCSF_JSON).read_bytes())
    assert isinstance(document, list)
    return document


def by_key(folder: RunFolder) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["cloud"]["account"]["uid"], r["compliance"]["checks"][0]["uid"]): r for r in records(folder)}


def test_one_compliance_finding_per_assessed_or_errored_account_and_check(run: RunFolder) -> None:
    found = records(run)
    rows = read_csv(run.path / "findings.csv")
    assert [(r["cloud"]["account"]["uid"], r["compliance"]["checks"][0]["uid"]) for r in found] == [
        (r["account_id"], r["check_id"]) for r in rows
    ]
    assert {r["account_id"] for r in rows} == {SCANNED, DENIED, NO_REPORT}
    assert {r["check_id"] for r in rows} >= set(CHECK_IDS)
    assert SKIPPED not in {r["cloud"]["account"]["uid"] for r in found}
    assert {(r["class_uid"], r["category_uid"], r["type_uid"]) for r in found} == {(2003, 2, 200301)}


def test_every_record_is_valid_against_the_ocsf_schema_it_declares(run: RunFolder) -> None:
    found = records(run)
    versions = {r["metadata"]["version"] for r in found}
    assert versions == {"1.5.0"}
    schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version="1.5.0")).get_class_schema("compliance_finding",
                                                                                          ["cloud"])
    validator = jsonschema.Draft202012Validator(schema)
    for record in found:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(record)]
        assert errors == [], record["finding_info"]["uid"]
    assert {tuple(r["metadata"]["profiles"]) for r in found} == {("cloud",)}


def test_status_severity_references_and_account(run: RunFolder) -> None:
    found = by_key(run)
    keys = found[(SCANNED, "root-access-keys")]
    assert keys["compliance"]["status_id"] == 1 and keys["compliance"]["status"] == "Pass"
    assert keys["severity_id"] == 1  # a passed check is informational
    assert keys["compliance"]["checks"][0]["severity_id"] == 5  # the check itself is critical
    assert {"CIS v5.0 1.3", "CIS v3.0 1.4", "Security Hub IAM.4"} <= set(keys["compliance"]["requirements"])
    assert {"CIS v5.0", "CIS v3.0", "Security Hub"} <= set(keys["compliance"]["standards"])
    assert keys["compliance"]["control"] == "Delete your root access keys"
    assert keys["cloud"]["account"] == {"uid": SCANNED, "name": "=cmd|' /C calc'!A0", "type": "AWS Account",
                                        "type_id": 10, "labels": ["ou_path:Root/Prod"]}
    assert keys["cloud"]["provider"] == "AWS"
    assert keys["cloud"]["org"] == {"uid": "o-test", "name": "Test org"}
    assert keys["metadata"]["product"] == {"name": "orgscan", "vendor_name": "orgscan", "version": __version__}
    rotated = found[(SCANNED, "access-keys-rotated")]
    assert (rotated["compliance"]["status_id"], rotated["severity_id"]) == (3, 3)  # FAIL, medium
    assert rotated["finding_info"]["desc"].startswith("Users with an active key older than 90 days")
    denied = found[(DENIED, "root-mfa")]
    assert denied["compliance"]["status_id"] == 2 and denied["compliance"]["status"] == "Warning"
    assert "AccessDenied" in denied["finding_info"]["desc"]
    password = found[(NO_REPORT, "password-policy")]
    assert {"CIS v5.0 1.7", "CIS v5.0 1.8", "CIS v3.0 1.8", "CIS v3.0 1.9", "Security Hub IAM.15",
            "Security Hub IAM.16"} <= set(password["compliance"]["requirements"])  # a box that sums up two
    assert found[(SCANNED, "individual-users")]["compliance"]["requirements"] == []  # mapped to no control


def test_times_come_from_run_json(run: RunFolder) -> None:
    record = by_key(run)[(SCANNED, "root-mfa")]
    assert (record["time"], record["start_time"], record["end_time"]) == (FINISHED_MS, STARTED_MS, FINISHED_MS)
    assert record["finding_info"]["created_time"] == FINISHED_MS


def test_an_accepted_risk_is_a_suppressed_fail_with_its_justification(run: RunFolder) -> None:
    record = by_key(run)[(SCANNED, "password-length")]
    assert record["compliance"]["status_id"] == 3  # still a failure
    assert (record["status_id"], record["status"]) == (3, "Suppressed")
    assert record["status_detail"] == ("accepted until 2027-01-31 by alice@example.com: "
                                       "Length enforced by the identity provider")
    assert by_key(run)[(SCANNED, "root-mfa")]["status_id"] == 1  # New


def test_uids_are_stable_for_an_account_check_and_run(run: RunFolder, tmp_path: Path) -> None:
    uids = [r["finding_info"]["uid"] for r in records(run)]
    assert len(set(uids)) == len(uids)
    copy = RunFolder(Path(shutil.copytree(run.path, tmp_path / "copy" / run.path.name)))
    assert derive_outputs(copy).files[OCSF_JSON] == (run.path / OCSF_JSON).read_bytes()
    info = json.loads((copy.path / "run.json").read_bytes())
    info["started_at"] = "2026-07-30T11:58:07Z"
    (copy.path / "run.json").write_text(json.dumps(info))
    later = json.loads(derive_outputs(copy).files[OCSF_JSON])
    assert not {r["finding_info"]["uid"] for r in later} & set(uids)  # another run, other uids


def test_the_file_is_in_the_manifest_and_verify_rederives_it(run: RunFolder) -> None:
    manifest = json.loads((run.path / "manifest.json").read_bytes())
    assert OCSF_JSON in {entry["path"] for entry in manifest["files"]}
    assert verify(run.path).intact
    found = records(run)
    found[0]["compliance"]["status_id"] = 1
    (run.path / OCSF_JSON).write_text(json.dumps(found))
    result = verify(run.path)
    assert any(p.path == OCSF_JSON and p.kind.value == "derived" for p in result.problems)
