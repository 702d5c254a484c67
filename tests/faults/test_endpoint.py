"""AWS that goes away mid-scan, answers 500 or drops connections: each failure recorded as itself, nothing lost."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.faults.helpers import (
    BOXES,
    DERIVED_CSVS,
    WORKERS,
    accounts,
    box_statuses,
    findings,
    temporary_files,
    write_config,
)
from tests.integration.helpers import read_json, run_cli, run_folder
from tests.integration.test_scan import EXPECTED, SKIPPED

CONNECTION_ERRORS = ("EndpointConnectionError", "ConnectionClosedError", "ConnectTimeoutError", "ReadTimeoutError")
EVIDENCE = {"credential_report.csv", "account_summary.json", "password_policy.json", "virtual_mfa_devices.json",
            "authorization_details.json", "meta.json"}


def _stop_once_collected(aws: SimulatedAws, out: Path, accounts: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(list(out.glob("*/raw/*/meta.json"))) < accounts:
        time.sleep(0.005)
    aws.stop()


def test_an_endpoint_that_goes_away_mid_scan_leaves_a_consistent_run_folder(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    out = tmp_path / "runs"
    with SimulatedAws() as aws:  # an endpoint of its own: the shared one must outlive this test
        organization.install(aws.faults)
        aws.faults.latency(0.02, 0.05)
        stopper = threading.Thread(target=_stop_once_collected, args=(aws, out, 3))
        stopper.start()
        settings = write_config(tmp_path, "max_attempts = 2\nconnect_timeout_s = 1.0\nread_timeout_s = 5.0\n")
        started = time.monotonic()
        result = run_cli(aws, "scan", "--out", str(out), "--workers", "2", "--config", str(settings))
        elapsed = time.monotonic() - started
        stopper.join()

    assert result.code == 2 and "Traceback" not in result.stderr, result.stderr
    assert elapsed < 30
    folder = run_folder(out)
    records = read_json(folder / "raw" / "accounts.json")
    assert isinstance(records, list)
    assert sorted(r["account_id"] for r in records) == sorted([*EXPECTED, *SKIPPED])
    for name in (*DERIVED_CSVS, "run.json"):
        assert (folder / name).is_file(), name
    assert temporary_files(out) == []
    for path in (folder / "raw").rglob("*.json"):
        json.loads(path.read_bytes())  # every file on disk is whole

    rows, every = accounts(folder), findings(folder)
    complete, lost = [], []
    for account_id, expected in EXPECTED.items():
        raw = folder / "raw" / account_id
        if rows[account_id]["scan_status"] == "error":
            assert any(code in rows[account_id]["error"] for code in (*CONNECTION_ERRORS, "AccessDenied"))
            assert not (raw / "meta.json").exists()
            lost.append(account_id)
            continue
        assert (raw / "meta.json").exists()
        assert {p.name for p in raw.iterdir()} >= EVIDENCE - {"credential_report.csv"}
        statuses = tuple(every[(account_id, box)]["status"] for box in BOXES)
        if statuses == expected:
            complete.append(account_id)
        for box, status, wanted in zip(BOXES, statuses, expected, strict=True):
            detail = every[(account_id, box)]["detail"]
            # A box is what it would have been, or an ERROR that names the connection failure.
            assert status == wanted or (status == "ERROR" and any(c in detail for c in CONNECTION_ERRORS)), \
                (account_id, box, status, detail)
    assert len(complete) >= 3  # collected before the endpoint went: on disk and judged as usual
    assert any(any(c in rows[a]["error"] for c in CONNECTION_ERRORS) for a in lost)
    info = read_json(folder / "run.json")
    assert info["api"]["connection_failures"] >= 1  # type: ignore[index]

    # With AWS back, resuming the run collects what was lost and keeps what was already on disk.
    kept = {a: (folder / "raw" / a / "meta.json").read_bytes() for a in complete}
    organization.install(sim.faults)
    resumed = run_cli(sim, "scan", "--resume", str(folder), *WORKERS)
    assert resumed.code == 2, resumed.stderr
    assert box_statuses(folder) == EXPECTED
    assert {a: (folder / "raw" / a / "meta.json").read_bytes() for a in complete} == kept
    assert sim.faults.counter.calls_for(complete[-1], "GetAccountSummary") == 0


def test_a_server_error_and_a_dropped_connection_are_recorded_as_that_calls_error(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    sim.faults.server_error("GetAccountSummary", "210000000002")
    sim.faults.drop_connection("GetAccountAuthorizationDetails", "210000000003")
    sim.faults.drop_connection("AssumeRole", "210000000004")
    result = run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS, "--config", str(write_config(tmp_path)))

    assert result.code == 2, result.stderr
    folder = run_folder(tmp_path)
    # HTTP 500, retried to the configured 3 attempts, then stored as what it is: not "no data".
    assert sim.faults.counter.calls_for("210000000002", "GetAccountSummary") == 3
    summary = read_json(folder / "raw" / "210000000002" / "account_summary.json")
    assert summary["Error"]["Code"] == "ServiceFailure"  # type: ignore[index]
    every = findings(folder)
    for box in ("individual-users", "groups-for-permissions"):
        assert every[("210000000002", box)]["status"] == "ERROR"
        assert "ServiceFailure" in every[("210000000002", box)]["detail"]
    assert every[("210000000002", "root-access-keys")]["status"] == "FAIL"  # the report still shows the key

    details = read_json(folder / "raw" / "210000000003" / "authorization_details.json")
    assert details["Error"]["Code"] == "ConnectionClosedError"  # type: ignore[index]
    assert sim.faults.counter.calls_for("210000000003", "GetAccountAuthorizationDetails") == 2 * 3  # two documents
    assert every[("210000000003", "groups-for-permissions")]["status"] == "ERROR"
    assert "ConnectionClosedError" in every[("210000000003", "groups-for-permissions")]["detail"]

    row = accounts(folder)["210000000004"]
    assert row["scan_status"] == "error" and row["error"].startswith("ConnectionClosedError")
    untouched = {a for a in EXPECTED if a not in ("210000000002", "210000000003", "210000000004")}
    assert all(tuple(every[(a, b)]["status"] for b in BOXES) == EXPECTED[a] for a in untouched)
