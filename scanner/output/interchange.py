"""What the finding-exchange formats (OCSF, ASFF) share: the run's facts and one record per finding.

Both are derived from the run folder alone, like the CSV files: times come from run.json, never the clock,
and records keep the order of findings.csv, so the same evidence always gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pandas as pd

from scanner.audit.accepted_risks import AcceptedRisk
from scanner.audit.layout import DISCOVERY_JSON, SCAN_JSON
from scanner.checks.catalog import Check
from scanner.checks.extended_catalog import CHECKS_BY_ID
from scanner.checks.references import Framework, references_for
from scanner.checks.severity import SEVERITY, Severity
from scanner.models import DEFAULT_REGIONS, Status, is_account_id
from scanner.rundir import RAW, RunFolder

PRODUCT_NAME = "orgscan"
# Where a run that names no region would import its findings: its partition's default region.
PARTITION_REGIONS = DEFAULT_REGIONS
UNKNOWN_ACCOUNT = "000000000000"


def json_array_chunks(items: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """A JSON array with one compact record per line, keys sorted, one record at a time.

    Exchange files hold tens of kilobytes per account: indented JSON would double their size, and the standard
    library only uses its fast (C) encoder for unindented output. One record a line stays greppable and diffable.
    Records are made as they are written, so the file never is in memory whole.
    """
    opening = b"[\n"
    for item in items:
        yield opening + json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        opening = b",\n"
    yield b"[]\n" if opening == b"[\n" else b"\n]\n"


def json_array(items: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(json_array_chunks(items))


@dataclass(frozen=True)
class RunFacts:
    """What the exchange formats say about the run, from run.json, inputs/scan.json and raw/discovery.json."""

    started_at: str
    finished_at: str
    organization_id: str
    organization_name: str
    importer_account_id: str  # the account that ran the scan: the default importer of the ASFF file
    partition: str
    region: str

    @property
    def scope(self) -> str:
        """What a finding id is scoped to: the organization, or the account scanned alone."""
        return self.organization_id or self.importer_account_id


@dataclass(frozen=True)
class FindingRecord:
    account_id: str
    account_name: str
    ou_path: str
    check: Check
    status: Status
    detail: str
    accepted: AcceptedRisk | None

    @property
    def severity(self) -> Severity:
        """The check's severity when it failed or could not be judged; informational when it passed."""
        if self.status in (Status.PASS, Status.NOT_APPLICABLE):
            return Severity.INFORMATIONAL
        return SEVERITY[self.check.check_id]

    @property
    def requirements(self) -> tuple[tuple[str, str], ...]:
        """(framework label, control id) for each control the check maps to, in every framework a report can
        show: `("CIS v5.0", "1.7")`. A version of the benchmark without the recommendation adds nothing."""
        return control_references(self.check.check_id)


@cache
def control_references(check_id: str) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for framework in Framework:
        ids = references_for(check_id, framework)
        if ids.startswith("not in "):
            continue
        pairs += [(framework.label, control.strip()) for control in ids.split(",") if control.strip()]
    return tuple(pairs)


def _json_file(folder: RunFolder, relative: str) -> Any:
    try:
        return json.loads((folder.path / relative).read_bytes())
    except (OSError, ValueError):
        return None


def run_facts(folder: RunFolder, run_info: Mapping[str, Any]) -> RunFacts:
    discovery = _json_file(folder, f"{RAW}/{DISCOVERY_JSON}")
    caller = discovery.get("caller") if isinstance(discovery, dict) else None
    caller = caller if isinstance(caller, dict) else {}
    importer = next((str(v) for v in (run_info.get("caller_account_id"), caller.get("account_id"),
                                      run_info.get("management_account_id")) if is_account_id(v)), UNKNOWN_ACCOUNT)
    partition = str(run_info.get("partition") or caller.get("partition") or "aws")
    scan = _json_file(folder, SCAN_JSON)
    settings = scan.get("settings") if isinstance(scan, dict) else None
    region = settings.get("region") if isinstance(settings, dict) else None
    return RunFacts(
        started_at=str(run_info.get("started_at") or ""),
        finished_at=str(run_info.get("finished_at") or run_info.get("started_at") or ""),
        organization_id=str(run_info.get("organization_id") or ""),
        organization_name=str(run_info.get("organization_name") or ""),
        importer_account_id=importer,
        partition=partition,
        region=str(region) if isinstance(region, str) and region else PARTITION_REGIONS.get(partition, "us-east-1"),
    )


def finding_records(
    findings: pd.DataFrame, accepted: Mapping[tuple[str, str], AcceptedRisk],
) -> Iterator[FindingRecord]:
    """One record per row of the findings frame, in its order (account, then check order), as they are read."""
    for row in findings.itertuples(index=False):
        yield FindingRecord(str(row.account_id), str(row.account_name), str(row.ou_path),
                            CHECKS_BY_ID[str(row.check_id)], Status(str(row.status)), str(row.detail),
                            accepted.get((str(row.account_id), str(row.check_id))))


def epoch_ms(text: str) -> int:
    """Milliseconds since the epoch of a run.json time (`2026-06-30T11:58:07Z`); 0 when it has none."""
    if not text:
        return 0
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp() * 1000)


def clip(text: str, limit: int) -> str:
    """`text` within `limit` characters, marked with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
