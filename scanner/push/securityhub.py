"""Import a run's findings.asff.json into Security Hub with BatchImportFindings.

The findings are sent as the run derived them, re-targeted to the identity and region that imports them:
Security Hub takes findings of an account's default product only from that account. Throttled calls are
retried by botocore's standard retries (and the shared limiter slows down); what Security Hub refuses comes
back per finding and is reported with its reason. Findings this organization imported earlier whose id the
run no longer has (an account left the organization or the selection) are archived.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from scanner.audit.layout import MANIFEST_JSON
from scanner.audit.manifest import hash_file, parse_manifest
from scanner.aws.session import SessionFactory, api_error
from scanner.errors import RunFolderError
from scanner.output.asff import ASFF_JSON, product_arn
from scanner.output.interchange import PRODUCT_NAME, run_facts
from scanner.rundir import RunFolder

log = logging.getLogger(__name__)

SECURITYHUB_PERMISSIONS: tuple[str, ...] = ("securityhub:BatchImportFindings", "securityhub:GetFindings")
BATCH_SIZE = 100  # BatchImportFindings takes at most 100 findings per call


@dataclass(frozen=True)
class FailedFinding:
    finding_id: str
    code: str
    message: str


@dataclass(frozen=True)
class ImportResult:
    product_arn: str
    region: str
    imported: int
    archived: int
    failed: tuple[FailedFinding, ...]
    call_error: str = ""  # a call that failed as a whole: `<code>: <message>`; later batches were not sent

    @property
    def complete(self) -> bool:
        return not self.failed and not self.call_error


def verified_file(folder: RunFolder, name: str) -> bytes:
    """The file's bytes, once its size and SHA-256 match the run's manifest; RunFolderError otherwise."""
    try:
        manifest = parse_manifest((folder.path / MANIFEST_JSON).read_bytes())
    except OSError:
        raise RunFolderError(f"{folder.path}: no {MANIFEST_JSON} to check {name} against") from None
    entry = next((f for f in manifest.files if f.path == name), None)
    if entry is None:
        raise RunFolderError(f"{folder.path}: {name} is not in its {MANIFEST_JSON}; `orgscan report "
                             f"{folder.path}` derives it") from None
    path = folder.path / name
    if not path.is_file() or hash_file(path) != (entry.size, entry.sha256):
        raise RunFolderError(f"{folder.path / name} differs from the run's {MANIFEST_JSON}: not pushed "
                             "(`orgscan verify` names what changed)")
    return path.read_bytes()


def retarget(findings: Sequence[dict[str, Any]], arn: str, account_id: str, region: str) -> list[dict[str, Any]]:
    """The findings as the importing account's own: its default product, account and region."""
    return [{**f, "ProductArn": arn, "AwsAccountId": account_id, "Region": region} for f in findings]


def _batches(items: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start:start + BATCH_SIZE]


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None


def _stale(hub: Any, arn: str, prefix: str, current: set[str], updated_at: str) -> list[dict[str, Any]]:
    """Active findings imported earlier under this organization's ids that the run no longer has, as ARCHIVED.

    Only findings last updated before this run are archived: pushing an older run never hides newer ones.
    """
    filters = {"ProductArn": [{"Value": arn, "Comparison": "EQUALS"}],
               "Id": [{"Value": prefix, "Comparison": "PREFIX"}],
               "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]}
    now = _moment(updated_at)
    stale = []
    for page in hub.get_paginator("get_findings").paginate(Filters=filters):
        for finding in page.get("Findings", []):
            earlier = _moment(str(finding.get("UpdatedAt", "")))
            if (finding.get("ProductArn") != arn or not str(finding.get("Id", "")).startswith(prefix)
                    or finding.get("RecordState") != "ACTIVE" or finding["Id"] in current):
                continue
            if now is not None and earlier is not None and earlier >= now:
                continue
            stale.append({**finding, "RecordState": "ARCHIVED", "UpdatedAt": updated_at})
    return stale


def import_findings(factory: SessionFactory, run_dir: Path) -> ImportResult:
    """Send findings.asff.json (checked against the manifest) and archive what the run no longer has."""
    folder = RunFolder.open(run_dir)
    try:
        findings = json.loads(verified_file(folder, ASFF_JSON))
    except ValueError:
        raise RunFolderError(f"{folder.path / ASFF_JSON} is not JSON") from None
    caller = factory.caller()
    region = factory.region
    arn = product_arn(caller.partition, region, caller.account_id)
    facts = run_facts(folder, folder.read_run_info())
    findings = retarget(findings, arn, caller.account_id, region)
    hub = factory.caller_client("securityhub")
    prefix = f"{PRODUCT_NAME}/{facts.scope}/"
    try:
        stale = _stale(hub, arn, prefix, {f["Id"] for f in findings}, facts.finished_at)
    except (ClientError, BotoCoreError) as exc:
        error = api_error(exc)
        return ImportResult(arn, region, 0, 0, (), f"GetFindings: {error.code}: {error.message}")
    stale_ids = {f["Id"] for f in stale}
    imported = archived = 0
    failed: list[FailedFinding] = []
    for batch in _batches([*findings, *stale]):
        try:
            answer = hub.batch_import_findings(Findings=list(batch))
        except (ClientError, BotoCoreError) as exc:
            error = api_error(exc)
            log.error("BatchImportFindings failed: %s: %s", error.code, error.message)
            return ImportResult(arn, region, imported, archived, tuple(failed),
                                f"BatchImportFindings: {error.code}: {error.message}")
        refused = {f.get("Id", ""): f for f in answer.get("FailedFindings", [])}
        failed += [FailedFinding(i, str(f.get("ErrorCode", "")), str(f.get("ErrorMessage", "")))
                   for i, f in refused.items()]
        for finding in batch:
            if finding["Id"] not in refused:
                if finding["Id"] in stale_ids:
                    archived += 1
                else:
                    imported += 1
    log.info("Security Hub %s: %d findings imported, %d failed, %d archived", region, imported, len(failed),
             archived)
    return ImportResult(arn, region, imported, archived, tuple(failed))


def describe_import(result: ImportResult) -> list[str]:
    """What the CLI prints: the counts, then each failed finding with Security Hub's reason."""
    lines = [f"Security Hub ({result.product_arn}): {result.imported} imported, {len(result.failed)} failed, "
             f"{result.archived} archived"]
    lines += [f"failed: {f.finding_id}: {f.code}: {f.message}" for f in result.failed]
    if result.call_error:
        lines.append(f"not imported: {result.call_error}; findings not yet sent were not imported")
    return lines
