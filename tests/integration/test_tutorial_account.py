"""The account left as the classic IAM tutorial ends: the classic console ticked all five boxes, orgscan fails
"Use groups to assign permissions" and says why, naming jeff and the policy attached to him directly."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import read_csv, run_cli, run_folder

TUTORIAL = "210000000021"
GROUPS_DETAIL = ("The classic IAM console showed this box as done because 1 group exists, but these users have "
                 "policies attached directly, bypassing groups: jeff (managed: AdministratorAccess).")


@pytest.fixture
def folder(sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> Path:
    organization.install(sim.faults)
    run_cli(sim, "scan", "--out", str(tmp_path / "runs"))
    return run_folder(tmp_path / "runs")


def _scorecard(report: str, account_id: str) -> str:
    """The text of one account's scorecard in report.html, tags removed."""
    start = report.index(f'<div class="card" id="acct-{account_id}">')
    end = min(i for i in (report.find('<div class="card"', start + 1), report.index("</section>", start)) if i > 0)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", report[start:end])))


def test_the_tutorial_account_says_why_groups_fail_where_the_console_ticked(folder: Path) -> None:
    findings = {r["check_id"]: r for r in read_csv(folder / "findings.csv") if r["account_id"] == TUTORIAL}
    assert findings["groups-for-permissions"]["status"] == "FAIL"
    assert findings["groups-for-permissions"]["detail"] == GROUPS_DETAIL

    card = _scorecard((folder / "report.html").read_text(encoding="utf-8"), TUTORIAL)
    assert "iam-tutorial" in card
    assert f"FAIL Use groups to assign permissions \u2014 {GROUPS_DETAIL}" in card
    assert "jeff" in card and "AdministratorAccess" in card

    users = [(r["user"], r["status"], r["evidence"]) for r in read_csv(folder / "user_findings.csv")
             if r["account_id"] == TUTORIAL and r["check_id"] == "no-direct-user-policies"]
    assert users == [("jeff", "FAIL", "managed: AdministratorAccess")]
