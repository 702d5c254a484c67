"""`findings.asff.json`: every finding in the AWS Security Finding Format, ready for BatchImportFindings.

Findings are those of the account that ran the scan, through its default product
(`arn:<partition>:securityhub:<region>:<account>:product/<account>/default`): Security Hub accepts findings
of the default product only from the account they name in `AwsAccountId`, so each finding names the
importing account there and the account it is about as its `AwsAccount` resource. `orgscan push
--securityhub` re-targets them to the identity and region that imports them.

Ids leave the run out (`orgscan/<organization>/<account>/<check>`), so importing a later run updates each
finding instead of adding a second one. An accepted risk stays FAILED, with `Workflow.Status` SUPPRESSED
and the justification as its note.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from scanner import __version__
from scanner.models import Status
from scanner.output.interchange import PRODUCT_NAME, FindingRecord, RunFacts, clip, json_array_chunks

ASFF_JSON = "findings.asff.json"
SCHEMA_VERSION = "2018-10-08"
FINDING_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
# ASFF's field limits (characters).
TITLE_MAX, DESCRIPTION_MAX, TEXT_MAX, NOTE_MAX = 256, 1024, 512, 512

_COMPLIANCE = {
    Status.PASS: "PASSED",
    Status.FAIL: "FAILED",
    Status.ERROR: "NOT_AVAILABLE",
    Status.NOT_APPLICABLE: "NOT_AVAILABLE",  # as Security Hub shows a control that does not apply
}


def product_arn(partition: str, region: str, account_id: str) -> str:
    """The default product of `account_id` in `region`: the ProductArn of findings that account imports."""
    return f"arn:{partition}:securityhub:{region}:{account_id}:product/{account_id}/default"


def finding_id(facts: RunFacts, record: FindingRecord) -> str:
    return f"{PRODUCT_NAME}/{facts.scope}/{record.account_id}/{record.check.check_id}"


def _workflow(record: FindingRecord) -> str:
    if record.accepted is not None:
        return "SUPPRESSED"
    return "RESOLVED" if record.status is Status.PASS else "NEW"


def asff_finding(facts: RunFacts, record: FindingRecord) -> dict[str, Any]:
    check = record.check
    finding: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(facts, record),
        "ProductArn": product_arn(facts.partition, facts.region, facts.importer_account_id),
        "ProductName": PRODUCT_NAME,
        "CompanyName": PRODUCT_NAME,
        "GeneratorId": f"{PRODUCT_NAME}/{check.check_id}",
        "AwsAccountId": facts.importer_account_id,
        "Region": facts.region,
        "Types": [FINDING_TYPE],
        "CreatedAt": facts.started_at,
        "UpdatedAt": facts.finished_at,
        "Severity": {"Label": record.severity.value, "Original": record.severity.value},
        "Title": clip(f"{check.title} ({record.account_id})", TITLE_MAX),
        "Description": clip(record.detail or check.checks, DESCRIPTION_MAX),
        "Remediation": {"Recommendation": {"Text": clip(check.console, TEXT_MAX)}},
        "ProductFields": {
            "orgscan/CheckId": check.check_id,
            "orgscan/Status": record.status.value,
            "orgscan/AccountName": clip(record.account_name, 2048),
            "orgscan/OuPath": clip(record.ou_path, 2048),
            "orgscan/RunStartedAt": facts.started_at,
            "orgscan/Version": __version__,
        },
        "Resources": [{
            "Type": "AwsAccount",
            "Id": f"AWS::::Account:{record.account_id}",
            "Partition": facts.partition,
            "Region": facts.region,
        }],
        "Compliance": {
            "Status": _COMPLIANCE[record.status],
            "RelatedRequirements": [f"{label}/{control}" for label, control in record.requirements],
        },
        "RecordState": "ACTIVE",
        "Workflow": {"Status": _workflow(record)},
    }
    if record.accepted is not None:
        finding["Note"] = {"Text": clip(record.accepted.note, NOTE_MAX), "UpdatedBy": record.accepted.owner,
                           "UpdatedAt": facts.finished_at}
    return finding


def asff_chunks(facts: RunFacts, records: Iterable[FindingRecord]) -> Iterator[bytes]:
    """The file, finding by finding: a JSON array of findings, one a line, keys sorted, in the order of
    findings.csv."""
    return json_array_chunks(asff_finding(facts, record) for record in records)


def asff_bytes(facts: RunFacts, records: Iterable[FindingRecord]) -> bytes:
    return b"".join(asff_chunks(facts, records))
