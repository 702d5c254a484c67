"""Discovery that fails after collection has started: nothing is left behind, and one line says so.

Accounts are collected as ListAccounts pages name them, while the OU tree is still being walked. If the walk
is then denied, the run has no discovery to resume from: the folder and what it collected are removed, and
`--out` is left as it was (no run folder, no log, no history database).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import run_cli

CALLER_QUESTIONS = ("GetCallerIdentity", "DescribeOrganization", "ListOrganizationsFeatures")
DISCOVERY_CALLS = ("ListAccounts", "ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent")


def _collected(sim: SimulatedAws) -> set[str]:
    return {account for (account, action), n in sim.faults.counter.calls().items()
            if n and action not in CALLER_QUESTIONS + DISCOVERY_CALLS}


@pytest.mark.parametrize(("action", "out_exists"), [
    ("ListOrganizationalUnitsForParent", False),
    ("ListAccountsForParent", True),
])
def test_a_denied_ou_walk_after_collection_started_leaves_out_as_it_was(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, action: str, out_exists: bool) -> None:
    organization.install(sim.faults)
    sim.faults.latency(0.5, 0.5, action=action)  # ListAccounts pages hand accounts over meanwhile
    sim.faults.deny(action, via_scp=True)
    out = tmp_path / "runs"
    if out_exists:
        out.mkdir()
        (out / "notes.txt").write_text("keep me\n")

    result = run_cli(sim, "scan", "--out", str(out), "--workers", "4")

    assert _collected(sim), "collection had not started: the test proves nothing"
    assert result.code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("orgscan: error: cannot list the organization's accounts: AccessDeniedException: ")
    assert result.stderr.endswith("; nothing was kept: the run folder of the accounts collected meanwhile was "
                                  "removed\n"), result.stderr
    if out_exists:
        assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    else:
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["runs"] if out_exists else [])
