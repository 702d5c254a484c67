"""`orgscan scan --resume`: an interrupted run is completed in its own folder, finished accounts untouched."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
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
from tests.simulation.helpers import member_session

DERIVED = ("accounts.csv", "findings.csv", "scorecard.csv", "users.csv", "user_findings.csv", "changes.csv",
           "exceptions.csv")


# What a scan asks as the caller about itself, not about any account it collects.
CALLER_QUESTIONS = ("GetCallerIdentity", "DescribeOrganization", "ListOrganizationsFeatures")


def _collected(sim: SimulatedAws) -> list[str]:
    """The accounts the scan collected from (any call but the caller's questions about itself)."""
    return sorted({account for (account, action), n in sim.faults.counter.calls().items()
                   if n and action not in CALLER_QUESTIONS})


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
    reference = read_json(reference_run / "run.json")["account_counts"]  # type: ignore[index]
    scannable = reference["scanned"] + reference["error"]
    assert 3 <= len(finished) < scannable - 1
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
    assert not finished & set(_collected(sim))
    assert not list(folder.rglob(".*.tmp"))
    for name in DERIVED:
        assert (folder / name).read_bytes() == (reference_run / name).read_bytes(), name
    info = read_json(folder / "run.json")
    assert isinstance(info, dict)
    assert info["account_counts"] == reference
    assert [r["accounts"] for r in info["resumed"]] == [scannable - len(finished)]
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
    assert _collected(sim) == ["210000000010"]
    assert (denied / "meta.json").is_file() and not (denied / "access_error.json").exists()
    info = read_json(folder / "run.json")
    assert isinstance(info, dict)
    counts = first["account_counts"]
    assert info["account_counts"] == {**counts, "scanned": counts["scanned"] + 1, "error": counts["error"] - 1}
    assert info["config_digest"] == first["config_digest"] and info["started_at"] == first["started_at"]
    assert info["resumed"][0]["accounts"] == 1 and info["resumed"][0]["config_digest"] != first["config_digest"]
    statuses = {(r["account_id"], r["check_id"]): r["status"] for r in read_csv(folder / "findings.csv")}
    assert statuses[("210000000010", "root-mfa")] == "PASS"
    assert statuses[("210000000012", "password-policy")] == "ERROR"  # finished: not collected again
    assert run_cli(None, "verify", str(folder)).code == 0
    listing = run_cli(None, "history", "--out", str(out)).stdout
    assert listing.count(folder.name) == 1  # the run's record was replaced
    assert f" {info['account_counts']['scanned']}/{info['account_counts']['discovered']} " in listing


def test_resume_refuses_options_that_would_change_what_the_run_looks_at(run_copy: Path) -> None:
    result = run_cli(None, "scan", "--resume", str(run_copy), "--role-name", "Other")
    assert result.code == 1
    assert result.stderr == "orgscan: error: --role-name: --resume re-uses the run's own settings, which cannot " \
                            "be changed\n"
    assert run_cli(None, "scan", "--resume", str(run_copy), "--exceptions", "x.toml").code == 1
    refused = run_cli(None, "scan", "--resume", str(run_copy), "--access-analyzer")
    assert refused.code == 1 and refused.stderr.startswith("orgscan: error: --access-analyzer: --resume re-uses")
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
    assert differences == ("workers",)  # no run records its external id, not even as a digest
    with pytest.raises(ConfigError, match="'role_name' cannot be changed"):
        resume_config(start, {"role_name": "Admin"})



# Who resumes: the run's own caller account, partition and organization, or nobody


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _profile(sim: SimulatedAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, account_id: str) -> str:
    """A profile named `member` whose credentials are the access role's in `account_id`."""
    credentials = member_session(sim, account_id)
    path = tmp_path / "credentials"
    path.write_text("[member]\n" + "".join(f"{key} = {value}\n" for key, value in credentials.items()))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(path))
    return "member"


def test_resume_with_credentials_of_another_account_is_refused_before_anything_is_collected(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        no_report: None) -> None:
    organization.install(sim.faults)
    out = tmp_path / "runs"
    assert run_cli(sim, "scan", "--out", str(out)).code == 2
    folder = run_folder(out)
    caller = read_json(folder / "raw" / "discovery.json")["caller"]  # type: ignore[index]
    # The caller's own account is scanned with the caller's credentials: unfinished, it would be collected with
    # whatever credentials resume is given, and another account's IAM filed under this account's id.
    (folder / "raw" / caller["account_id"] / "meta.json").unlink()
    before = _snapshot(out)
    profile = _profile(sim, tmp_path, monkeypatch, "210000000005")
    sim.faults.counter.reset()

    result = run_cli(sim, "scan", "--resume", str(folder), "--profile", profile)

    assert result.code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"orgscan: error: cannot resume {folder}: ")
    assert "account 210000000005" in result.stderr and f"account {caller['account_id']}" in result.stderr
    assert _snapshot(out) == before  # nothing discarded, collected, logged or recorded
    assert _collected(sim) == []


@pytest.mark.parametrize(("part", "key", "value", "named"), [
    ("organization", "organization_id", "o-elsewhere01", "organization o-elsewhere01"),
    ("caller", "partition", "aws-us-gov", "partition aws-us-gov"),
    ("caller", "account_id", "999999999999", "account 999999999999"),
])
def test_resume_refuses_a_run_recorded_for_another_organization_partition_or_account(
        sim: SimulatedAws, organization: SeededOrganization, run_copy: Path, part: str, key: str, value: str,
        named: str) -> None:
    organization.install(sim.faults)
    discovery = read_json(run_copy / "raw" / "discovery.json")
    assert isinstance(discovery, dict)
    discovery[part][key] = value
    (run_copy / "raw" / "discovery.json").write_text(json.dumps(discovery))
    (run_copy / "raw" / "210000000005" / "meta.json").unlink()
    before = _snapshot(run_copy.parent)
    sim.faults.counter.reset()

    result = run_cli(sim, "scan", "--resume", str(run_copy))

    assert result.code == 1, result.stderr
    assert result.stderr.count("\n") == 1 and named in result.stderr, result.stderr
    assert _snapshot(run_copy.parent) == before  # no history database, no log, nothing discarded
    assert _collected(sim) == []


# One writer per run folder


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the scan ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.02)


def test_a_run_folder_being_written_cannot_be_resumed_by_a_second_orgscan(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, no_report: None) -> None:
    organization.install(sim.faults)
    sim.faults.add(Latency(action="GetAccountAuthorizationDetails", min_s=0.3, max_s=0.3))
    out = tmp_path / "runs"
    command = [sys.executable, "-m", "scanner", "scan", "--workers", "2"]
    with aws_env(sim) as env:
        scanning = subprocess.Popen([*command, "--out", str(out)], env=env,  # noqa: S603 - our own CLI
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: any(out.glob("*/raw/*/meta.json")), scanning, "an account was collected")
        folder = run_folder(out)
        while_scanning = run_cli(sim, "scan", "--resume", str(folder))
        scanning.send_signal(signal.SIGKILL)
        scanning.wait(timeout=10)
    finally:
        if scanning.poll() is None:
            scanning.kill()
            scanning.wait(timeout=10)
    assert while_scanning.code == 1
    assert while_scanning.stderr == (f"orgscan: error: cannot resume {folder}: another orgscan is writing it "
                                     "(wait for it to end)\n")

    finished = _finished(folder)
    with aws_env(sim) as env:
        resuming = subprocess.Popen([*command, "--resume", str(folder)], env=env,  # noqa: S603 - our own CLI
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: len(_finished(folder)) > len(finished), resuming, "the resumed scan collected an account")
        twice = run_cli(sim, "scan", "--resume", str(folder))
        _, errors = resuming.communicate(timeout=120)
    finally:
        if resuming.poll() is None:
            resuming.kill()
            resuming.wait(timeout=10)
    assert twice.code == 1
    assert twice.stderr == (f"orgscan: error: cannot resume {folder}: another orgscan is writing it "
                            "(wait for it to end)\n")
    assert resuming.returncode == 2, errors
    assert run_cli(None, "verify", str(folder)).code == 0  # the lock left nothing in the folder
