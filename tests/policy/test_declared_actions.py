"""The member role's policy is generated from declarations: a call a collector makes but does not declare
would be denied in production, so a real scan's calls must match the declarations exactly."""

from __future__ import annotations

from pathlib import Path

from scanner.collect import ACCOUNT_PERMISSIONS
from scanner.collect.organization import ORGANIZATION_PERMISSIONS
from scanner.permissions import CALLER_PERMISSIONS
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.policy.recording import recorded_scan


def test_every_call_of_a_scan_is_declared(sim: SimulatedAws, organization: SeededOrganization,
                                          tmp_path: Path) -> None:
    organization.install(sim.faults)
    outcome, called = recorded_scan(sim, tmp_path, access_analyzer=True)  # every collector, Access Analyzer's too
    assert outcome.counts["scanned"] == 17  # the whole organization was collected
    assert set(ORGANIZATION_PERMISSIONS) <= called  # once per run, by the scanning identity
    iam_calls = {c for c in called if c.split(":")[0] in ("iam", "account", "access-analyzer")}
    iam_calls -= set(ORGANIZATION_PERMISSIONS)
    assert iam_calls - set(ACCOUNT_PERMISSIONS) == set(), "collectors call IAM actions they do not declare"
    assert set(ACCOUNT_PERMISSIONS) - iam_calls == set(), "declared IAM actions that no collector calls"
    caller_side = set(CALLER_PERMISSIONS) | {"sts:AssumeRole"}
    assert called - iam_calls - caller_side == set(), "discovery calls actions it does not declare"
