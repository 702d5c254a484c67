"""Throttling, from a fifth of every call to a throttled page of ListAccounts: nothing is lost, nothing changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.faults.helpers import DERIVED_CSVS, WORKERS, accounts
from tests.integration.helpers import MANAGEMENT, read_csv, read_json, run_cli, run_folder
from tests.integration.test_scan import EXPECTED, SKIPPED

ISO_TIME = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@pytest.mark.usefixtures("fast_backoff")
def test_a_fifth_of_all_calls_throttled_gives_the_findings_of_a_clean_run(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    clean = run_cli(sim, "scan", "--out", str(tmp_path / "clean"), *WORKERS)
    sim.faults.throttle(0.2, seed=11)
    throttled = run_cli(sim, "scan", "--out", str(tmp_path / "throttled"), *WORKERS)

    assert (clean.code, throttled.code) == (2, 2), throttled.stderr
    before, after = run_folder(tmp_path / "clean"), run_folder(tmp_path / "throttled")
    # findings.csv carries no time, so report generation times that differ between runs cannot matter.
    assert not ISO_TIME.search((after / "findings.csv").read_bytes())
    for name in DERIVED_CSVS:
        assert (after / name).read_bytes() == (before / name).read_bytes(), name
    statuses = {a: r["scan_status"] for a, r in accounts(after).items()}
    assert statuses == {a: "error" if a == "210000000010" else "scanned" for a in EXPECTED} | {
        a: "skipped" for a in SKIPPED}

    api = read_json(after / "run.json")["api"]  # type: ignore[index]
    injected = sim.faults.counter.faults()["throttle"]
    assert injected >= 10
    assert api["throttles"] == injected  # every throttle the server sent was seen and counted
    assert api["retries"] >= api["throttles"]
    assert f"; {api['retries']} retries, {api['throttles']} throttled calls" in throttled.stdout
    assert "; 0 retries, 0 throttled calls" in clean.stdout


@pytest.mark.usefixtures("fast_backoff")
def test_list_accounts_throttled_on_page_two_of_three_still_discovers_every_account(
        sim: SimulatedAws, seed_org: Callable[[int], SeededOrganization], tmp_path: Path) -> None:
    organization = seed_org(45)
    organization.install(sim.faults)
    sim.faults.throttle(1.0, action="ListAccounts", paginated_only=True, limit=2)
    last = organization.account_ids[-1]  # listed on page 3: selectable only if every page was read
    result = run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS, "--accounts", last)

    assert result.code == 0, result.stderr
    assert [(r["account_id"], r["scan_status"]) for r in read_csv(run_folder(tmp_path) / "accounts.csv")] == [
        (last, "scanned")]
    assert "scanner.discovery discovered 45 accounts in o-orgscan042" in (tmp_path / "orgscan.log").read_text()
    assert sim.faults.counter.faults() == {"throttle": 2}
    # Pages 1, 2 and 3, plus the two refused attempts at page 2.
    assert sim.faults.counter.calls_for(MANAGEMENT, "ListAccounts") == 5
    assert "; 2 retries, 2 throttled calls" in result.stdout
