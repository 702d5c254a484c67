"""`orgscan scan --resume`: an interrupted run is completed in its own folder, finished accounts untouched."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from scanner.audit.checkpoint import ScanStart, resume_config
from scanner.config import Config
from scanner.errors import ConfigError
from scanner.simulation.rules import Latency
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import aws_env, read_csv, read_json, run_cli, run_folder

DERIVED = ("accounts.csv", "findings.csv", "scorecard.csv", "users.csv", "user_findings.csv", "changes.csv",
           "exceptions.csv")
SCANNABLE = 13  # 15 accounts, 2 suspended or closing


def _finished(folder: Path) -> set[str]:
    return {p.parent.name for p in (folder / "raw").glob("*/meta.json")}


def _kill_after(out: Path, process: subprocess.Popen[bytes], accounts: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            folders = [p for p in out.glob("*") if p.is_dir()]
            if folders and len(_finished(folders[0])) >= accounts:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
                return
            if process.poll() is not None:
                pytest.fail(f"the scan ended by itself (exit {process.returncode}) before it could be killed")
            time.sleep(0.02)
        pytest.fail("no account finished in time")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_a_killed_scan_resumes_to_the_same_results_without_touching_finished_accounts(
        sim: SimulatedAws, organization: SeededOrganization, reference_run: Path, tmp_path: Path,
        no_report: None) -> None:
    organization.install(sim.faults)
    sim.faults.add(Latency(action="GetAccountAuthorizationDetails", min_s=0.4, max_s=0.4))
    out = tmp_path / "runs"
    with aws_env(sim) as env:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "scanner", "scan", "--out", str(out), "--workers", "2"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    _kill_after(out, process, accounts=3)
    folder = run_folder(out)

    finished = _finished(folder)
    assert 3 <= len(finished) < SCANNABLE - 1
    for name in ("run.json", "findings.csv", "manifest.json", "raw/accounts.json"):
        assert not (folder / name).exists(), name  # written only when the run completes
    for path in (folder / "raw").rglob("*.json"):
        if not path.name.startswith("."):
            json.loads(path.read_bytes())  # nothing half-written
    assert read_json(folder / "raw" / "discovery.json")["organization"]["organization_id"] == "o-orgscan042"

    sim.faults.clear()
    organization.install(sim.faults)
    sim.faults.counter.reset()
    result = run_cli(sim, "scan", "--resume", str(folder))
    assert result.code == 2, result.stderr
    assert result.stderr == ""  # same settings: nothing to report
    for account_id in finished:
        assert sim.faults.counter.calls_for(account_id) == 0, account_id
    assert not list(folder.rglob(".*.tmp"))
    for name in DERIVED:
        assert (folder / name).read_bytes() == (reference_run / name).read_bytes(), name
    info = read_json(folder / "run.json")
    assert isinstance(info, dict)
    assert info["account_counts"] == {"discovered": 15, "scanned": 12, "error": 1, "skipped": 2}
    assert [r["accounts"] for r in info["resumed"]] == [SCANNABLE - len(finished)]
    assert info["config_digest"] == read_json(folder / "inputs" / "scan.json")["config_digest"]  # type: ignore[index]
    assert info["started_at"] < info["resumed"][0]["at"] <= info["finished_at"]
    assert run_cli(None, "verify", str(folder)).code == 0
    history = run_cli(None, "history", "--out", str(out))
    assert history.code == 0 and history.stdout.count(folder.name) == 1


def test_resuming_a_finished_run_retries_only_the_accounts_that_could_not_be_accessed(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, no_report: None) -> None:
    organization.install(sim.faults)
    out = tmp_path / "runs"
    assert run_cli(sim, "scan", "--out", str(out)).code == 2
    folder = run_folder(out)
    denied = folder / "raw" / "210000000010"
    assert [p.name for p in denied.iterdir()] == ["access_error.json"]
    first = read_json(folder / "run.json")
    assert isinstance(first, dict)

    sim.faults.clear()  # the role was fixed (and the SCP lifted: finished accounts keep their evidence)
    sim.faults.counter.reset()
    result = run_cli(sim, "scan", "--resume", str(folder), "--workers", "3")
    assert result.code == 2, result.stderr
    assert "settings that differ from the run's start: workers" in result.stderr
    assert sorted(sim.faults.counter.by_account()) == ["210000000010"]
    assert (denied / "meta.json").is_file() and not (denied / "access_error.json").exists()
    info = read_json(folder / "run.json")
    assert isinstance(info, dict)
    assert info["account_counts"] == {"discovered": 15, "scanned": 13, "error": 0, "skipped": 2}
    assert info["config_digest"] == first["config_digest"] and info["started_at"] == first["started_at"]
    assert info["resumed"][0]["accounts"] == 1 and info["resumed"][0]["config_digest"] != first["config_digest"]
    statuses = {(r["account_id"], r["check_id"]): r["status"] for r in read_csv(folder / "findings.csv")}
    assert statuses[("210000000010", "root-mfa")] == "PASS"
    assert statuses[("210000000012", "password-policy")] == "ERROR"  # finished: not collected again
    assert run_cli(None, "verify", str(folder)).code == 0
    listing = run_cli(None, "history", "--out", str(out)).stdout
    assert listing.count(folder.name) == 1 and " 13/15 " in listing  # the run's record was replaced


def test_resume_refuses_options_that_would_change_what_the_run_looks_at(run_copy: Path) -> None:
    result = run_cli(None, "scan", "--resume", str(run_copy), "--role-name", "Other")
    assert result.code == 1
    assert result.stderr == "orgscan: error: --role-name: --resume re-uses the run's own settings, which cannot " \
                            "be changed\n"
    assert run_cli(None, "scan", "--resume", str(run_copy), "--exceptions", "x.toml").code == 1
    assert run_cli(None, "scan", "--resume", str(run_copy.parent / "nothing")).code == 1
    (run_copy / "inputs" / "scan.json").unlink()
    missing = run_cli(None, "scan", "--resume", str(run_copy))
    assert missing.code == 1 and "inputs/scan.json is missing" in missing.stderr


def _start(config: Config) -> ScanStart:
    settings = json.loads(json.dumps(asdict(config), default=list))
    settings["external_id"] = ""
    return ScanStart("2026-11-28T031500Z", "2026-11-28T03:15:00Z", "0.1.0", config.digest(),
                     bool(config.external_id), settings)


def test_resume_settings_are_the_runs_own_and_differences_are_named() -> None:
    original = Config(role_name="SecurityAudit", accounts=("210000000004",), workers=8, external_id="ext-1234")
    start = _start(original)
    with pytest.raises(ConfigError, match="pass --external-id again"):
        resume_config(start, {})
    config, differences = resume_config(start, {"external_id": "ext-1234"})
    assert config == original and differences == ()
    config, differences = resume_config(start, {"external_id": "other", "workers": 2})
    assert (config.role_name, config.accounts, config.workers) == ("SecurityAudit", ("210000000004",), 2)
    assert differences == ("workers", "external_id")
    with pytest.raises(ConfigError, match="'role_name' cannot be changed"):
        resume_config(start, {"role_name": "Admin"})

