"""`findings.ocsf.json`: every finding as an OCSF Compliance Finding (class 2003), built with py-ocsf-models.

One record per account and check, for every assessed or errored account, in the order of findings.csv.
The schema version is the one the model library declares (`OCSF_VERSION`), with the `cloud` profile for the
account and organization; a test validates every record against that version's JSON schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from py_ocsf_models import OCSF_VERSION
from py_ocsf_models.events.findings.activity_id import ActivityID
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.events.findings.compliance_finding_type_id import ComplianceFindingTypeID
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID as FindingStatusID
from py_ocsf_models.objects.account import Account as OcsfAccount
from py_ocsf_models.objects.account import TypeID as AccountTypeID
from py_ocsf_models.objects.check import Check as OcsfCheck
from py_ocsf_models.objects.cloud import Cloud
from py_ocsf_models.objects.compliance import Compliance
from py_ocsf_models.objects.compliance_status import StatusID as ComplianceStatusID
from py_ocsf_models.objects.finding_info import FindingInformation
from py_ocsf_models.objects.metadata import Metadata
from py_ocsf_models.objects.organization import Organization
from py_ocsf_models.objects.product import Product

from scanner import __version__
from scanner.checks.severity import SEVERITY, Severity
from scanner.models import Status
from scanner.output.interchange import PRODUCT_NAME, FindingRecord, RunFacts, epoch_ms, json_array_chunks

OCSF_JSON = "findings.ocsf.json"
SCHEMA_VERSION = OCSF_VERSION
PROFILES = ["cloud"]

_COMPLIANCE_STATUS = {
    Status.PASS: ComplianceStatusID.Pass,
    Status.FAIL: ComplianceStatusID.Fail,
    Status.ERROR: ComplianceStatusID.Warning,  # OCSF: "did not yield a result due to missing information"
    Status.NOT_APPLICABLE: ComplianceStatusID.Other,
}
_SEVERITY = {
    Severity.INFORMATIONAL: SeverityID.Informational,
    Severity.LOW: SeverityID.Low,
    Severity.MEDIUM: SeverityID.Medium,
    Severity.HIGH: SeverityID.High,
    Severity.CRITICAL: SeverityID.Critical,
}


class _Compliance(Compliance):
    """The compliance object with the `status` caption OCSF defines beside `status_id` (absent from the model)."""

    status: str | None = None


class _CloudComplianceFinding(ComplianceFinding):
    """A Compliance Finding with the `cloud` profile's `cloud` object, which the model leaves to profiles."""

    cloud: Cloud
    compliance: _Compliance


def _status_caption(status: Status) -> str:
    return "Not applicable" if status is Status.NOT_APPLICABLE else _COMPLIANCE_STATUS[status].name


def _standards(record: FindingRecord) -> list[str]:
    """The frameworks the check maps to, as reports name them ("CIS v5.0", "Security Hub")."""
    return list(dict.fromkeys(label for label, _ in record.requirements))


def finding_uid(facts: RunFacts, record: FindingRecord) -> str:
    """Stable for one account, check and run: `orgscan/<organization>/<run start>/<account>/<check>`."""
    return f"{PRODUCT_NAME}/{facts.scope}/{facts.started_at}/{record.account_id}/{record.check.check_id}"


def ocsf_record(facts: RunFacts, record: FindingRecord) -> dict[str, Any]:
    check = record.check
    compliance_status = _COMPLIANCE_STATUS[record.status]
    caption = _status_caption(record.status)
    labels = [f"ou_path:{record.ou_path}"] if record.ou_path else None
    finished, started = epoch_ms(facts.finished_at), epoch_ms(facts.started_at)
    finding = _CloudComplianceFinding(
        class_name="Compliance Finding",
        activity_id=ActivityID.Create,
        activity_name=ActivityID.Create.name,
        type_uid=ComplianceFindingTypeID.Create,
        type_name="Compliance Finding: Create",
        severity_id=_SEVERITY[record.severity],
        severity=_SEVERITY[record.severity].name,
        status_id=FindingStatusID.Suppressed if record.accepted else FindingStatusID.New,
        status=FindingStatusID.Suppressed.name if record.accepted else FindingStatusID.New.name,
        status_detail=record.accepted.note if record.accepted else None,
        message=f"{check.title}: {record.status.value} in account {record.account_id}",
        time=finished,
        start_time=started,
        end_time=finished,
        metadata=Metadata(
            product=Product(name=PRODUCT_NAME, vendor_name=PRODUCT_NAME, version=__version__),
            version=SCHEMA_VERSION,
            profiles=PROFILES,
        ),
        finding_info=FindingInformation(
            uid=finding_uid(facts, record),
            title=check.title,
            desc=record.detail,
            created_time=finished,
            types=[check.check_id],
        ),
        compliance=_Compliance(
            control=check.title,
            desc=check.checks,
            standards=_standards(record),
            requirements=[f"{label} {control}" for label, control in record.requirements],
            status_id=compliance_status,
            status=caption,
            checks=[OcsfCheck(
                uid=check.check_id,
                name=check.title,
                desc=check.checks,
                severity_id=_SEVERITY[SEVERITY[check.check_id]],
                severity=_SEVERITY[SEVERITY[check.check_id]].name,
                status_id=compliance_status,
                status=caption,
                standards=_standards(record) or None,
            )],
        ),
        cloud=Cloud(
            provider="AWS",
            region=facts.region,
            account=OcsfAccount(uid=record.account_id, name=record.account_name, type="AWS Account",
                                type_id=AccountTypeID.AWS_Account, labels=labels),
            org=Organization(uid=facts.organization_id, name=facts.organization_name or None)
            if facts.organization_id else None,
        ),
    )
    return finding.model_dump(mode="json", exclude_none=True)


def ocsf_chunks(facts: RunFacts, records: Iterable[FindingRecord]) -> Iterator[bytes]:
    """The file, record by record: a JSON array of records, one a line, keys sorted, in the order of findings.csv."""
    return json_array_chunks(ocsf_record(facts, record) for record in records)


def ocsf_bytes(facts: RunFacts, records: Iterable[FindingRecord]) -> bytes:
    return b"".join(ocsf_chunks(facts, records))


