"""`orgscan push RUN_DIR --securityhub`: findings.asff.json into the simulated Security Hub, over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanner.rundir import RunFolder
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import MANAGEMENT, read_csv, run_cli
from tests.output.runs import DENIED, NO_REPORT, SCANNED
from tests.push.runs import later_run, pushable_run

PRODUCT = f"arn:aws:securityhub:us-east-1:{MANAGEMENT}:product/{MANAGEMENT}/default"


@pytest.fixture
def run(tmp_path: Path) -> RunFolder:
    return pushable_run(tmp_path / "first")


def finding_keys(folder: RunFolder) -> list[tuple[str, str]]:
    """(account, check) of each row of findings.csv: what the run found, one ASFF finding each."""
    return [(r["account_id"], r["check_id"]) for r in read_csv(folder.path / "findings.csv")]


def stored(sim: SimulatedAws) -> list[dict[str, Any]]:
    hub = sim.client("securityhub")
    return [f for page in hub.get_paginator("get_findings").paginate() for f in page["Findings"]]


def test_import_sends_every_finding_as_the_importing_account(
    sim: SimulatedAws, organization: SeededOrganization, run: RunFolder,
) -> None:
    findings = len(finding_keys(run))
    result = run_cli(sim, "push", str(run.path), "--securityhub")
    assert result.code == 0, result.stderr
    assert f"{findings} imported, 0 failed, 0 archived" in result.stdout
    assert PRODUCT in result.stdout
    found = stored(sim)
    assert len(found) == findings
    assert {(f["ProductArn"], f["AwsAccountId"]) for f in found} == {(PRODUCT, MANAGEMENT)}
    ids = {f["Id"] for f in found}
    assert f"orgscan/o-test/{SCANNED}/root-mfa" in ids
    assert sim.faults.counter.calls_for(MANAGEMENT, "BatchImportFindings") == 1


def test_reimport_updates_and_archives_the_findings_of_an_account_gone_from_the_run(
    sim: SimulatedAws, organization: SeededOrganization, run: RunFolder, tmp_path: Path,
) -> None:
    findings = len(finding_keys(run))
    assert run_cli(sim, "push", str(run.path), "--securityhub").code == 0
    again = run_cli(sim, "push", str(run.path), "--securityhub")
    assert again.code == 0 and f"{findings} imported, 0 failed, 0 archived" in again.stdout
    assert len(stored(sim)) == findings  # updated, never duplicated

    later = later_run(run, tmp_path / "later", without=NO_REPORT, finished_at="2026-07-30T11:59:00Z")
    result = run_cli(sim, "push", str(later.path), "--securityhub")
    assert result.code == 0, result.stderr
    gone_checks = [check for account, check in finding_keys(run) if account == NO_REPORT]
    gone = len(gone_checks)
    assert f"{findings - gone} imported, 0 failed, {gone} archived" in result.stdout
    found = {f["Id"]: f for f in stored(sim)}
    assert len(found) == findings
    archived = {i for i, f in found.items() if f["RecordState"] == "ARCHIVED"}
    assert archived == {f"orgscan/o-test/{NO_REPORT}/{check}" for check in gone_checks}
    assert {f["UpdatedAt"] for f in found.values()} == {"2026-07-30T11:59:00Z"}
    assert json.loads(json.dumps(found[f"orgscan/o-test/{DENIED}/root-mfa"]))["RecordState"] == "ACTIVE"


def test_findings_security_hub_refuses_are_named_with_its_reason_and_exit_2(
    sim: SimulatedAws, organization: SeededOrganization, run: RunFolder,
) -> None:
    refused = f"orgscan/o-test/{SCANNED}/root-mfa"
    findings = len(finding_keys(run))
    sim.faults.reject_findings({refused}, code="InvalidInput", message="Finding does not adhere to ASFF")
    result = run_cli(sim, "push", str(run.path), "--securityhub")
    assert result.code == 2
    assert f"{findings - 1} imported, 1 failed" in result.stdout
    assert f"failed: {refused}: InvalidInput: Finding does not adhere to ASFF" in result.stdout
    assert len(stored(sim)) == findings - 1


def test_batches_of_100_and_throttles_retried(
    sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path,
) -> None:
    wide = pushable_run(tmp_path / "wide", extra_accounts=6)  # 9 accounts: over 100 findings, two batches
    total = len(finding_keys(wide))
    assert 100 < total <= 200
    sim.faults.throttle(action="BatchImportFindings", limit=3)
    result = run_cli(sim, "push", str(wide.path), "--securityhub")
    assert result.code == 0, result.stdout + result.stderr
    assert f"{total} imported, 0 failed" in result.stdout
    assert sim.faults.counter.faults().get("throttle") == 3
    assert sim.faults.counter.calls_for(MANAGEMENT, "BatchImportFindings") == 2 + 3
    assert len(stored(sim)) == total


def test_a_denied_import_is_one_clear_line_and_exit_2(
    sim: SimulatedAws, organization: SeededOrganization, run: RunFolder,
) -> None:
    sim.faults.deny("BatchImportFindings")
    result = run_cli(sim, "push", str(run.path), "--securityhub")
    assert result.code == 2
    assert "0 imported" in result.stdout
    assert "AccessDeniedException" in result.stdout + result.stderr
    assert stored(sim) == []


def test_a_findings_file_that_differs_from_the_manifest_is_refused(
    sim: SimulatedAws, organization: SeededOrganization, run: RunFolder,
) -> None:
    path = run.path / "findings.asff.json"
    path.write_bytes(path.read_bytes().replace(b'"FAILED"', b'"PASSED"'))
    result = run_cli(sim, "push", str(run.path), "--securityhub")
    assert result.code == 1
    assert result.stderr.count("\n") == 1 and "findings.asff.json" in result.stderr and "manifest" in result.stderr
    assert stored(sim) == []


def test_push_needs_a_destination(run: RunFolder) -> None:
    result = run_cli(None, "push", str(run.path))
    assert result.code == 1 and "--securityhub" in result.stderr
