"""Answers cut off mid-body (a 200 whose body ends early): retried like a throttle, then that document's error."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.faults.helpers import BOXES, DERIVED_CSVS, WORKERS, accounts, box_statuses, findings, write_config
from tests.integration.helpers import read_json, run_cli, run_folder
from tests.integration.test_scan import EXPECTED, SKIPPED

CUT = "210000000006"  # a managed policy attached to a user: groups-for-permissions fails when it can be read


@pytest.mark.usefixtures("fast_backoff")
def test_answers_cut_off_at_random_give_the_findings_of_a_clean_run(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    clean = run_cli(sim, "scan", "--out", str(tmp_path / "clean"), *WORKERS)
    sim.faults.cut_off(0.1, seed=4, service="iam")
    sim.faults.cut_off(0.1, seed=5, service="sts")
    # A JSON answer cut short reads to botocore as an empty one: a ListAccounts page without accounts or token.
    sim.faults.cut_off(action="ListAccounts", limit=1)
    sim.faults.cut_off(0.3, seed=6, service="organizations")
    cut = run_cli(sim, "scan", "--out", str(tmp_path / "cut"), *WORKERS)

    assert (clean.code, cut.code) == (2, 2), cut.stderr
    before, after = run_folder(tmp_path / "clean"), run_folder(tmp_path / "cut")
    statuses = {a: r["scan_status"] for a, r in accounts(after).items()}
    assert statuses == {a: "error" if a == "210000000010" else "scanned" for a in EXPECTED} | {
        a: "skipped" for a in SKIPPED}
    assert box_statuses(after) == EXPECTED
    for name in DERIVED_CSVS:
        assert (after / name).read_bytes() == (before / name).read_bytes(), name

    injected = sim.faults.counter.faults()["cut_off"]
    assert injected >= 10
    api = read_json(after / "run.json")["api"]  # type: ignore[index]
    assert api["retries"] >= injected  # every cut-off answer was asked for again
    assert "MalformedResponse" not in (tmp_path / "cut" / "orgscan.log").read_text()


def test_a_document_cut_off_every_time_is_that_documents_error_alone(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    sim.faults.cut_off(action="GetAccountAuthorizationDetails", account_id=CUT)
    result = run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS, "--config", str(write_config(tmp_path)))

    assert result.code == 2, result.stderr
    folder = run_folder(tmp_path)
    assert accounts(folder)[CUT]["scan_status"] == "scanned"
    # Asked the configured 3 times for each of the two documents made of this call (users and groups; roles
    # and customer managed policies), then stored as the malformed answer it was, without its body.
    assert sim.faults.counter.calls_for(CUT, "GetAccountAuthorizationDetails") == 2 * 3
    stored = read_json(folder / "raw" / CUT / "authorization_details.json")
    assert list(stored) == ["Error"] and stored["Error"]["Code"] == "MalformedResponse"  # type: ignore[index]
    roles = read_json(folder / "raw" / CUT / "roles_and_policies.json")
    assert roles["Error"]["Code"] == "MalformedResponse"  # type: ignore[index]
    message = stored["Error"]["Message"]  # type: ignore[index]
    assert "HTTP 200" in message and "<" not in message
    assert (folder / "raw" / CUT / "meta.json").is_file()

    every = findings(folder)
    groups = every[(CUT, "groups-for-permissions")]
    assert groups["status"] == "ERROR" and "MalformedResponse" in groups["detail"]
    assert every[(CUT, "no-direct-user-policies")]["status"] == "ERROR"
    wanted = dict(zip(BOXES, EXPECTED[CUT], strict=True))
    for box in BOXES:
        if box != "groups-for-permissions":
            assert every[(CUT, box)]["status"] == wanted[box], box
    others = box_statuses(folder)
    assert {a: s for a, s in others.items() if a != CUT} == {a: s for a, s in EXPECTED.items() if a != CUT}
