"""Bad settings, options or credentials: one line naming the problem, exit 1, nothing written, no AWS call."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import CliResult, run_cli

SETTINGS = {
    "unknown key": ("colour = 'red'\n", "unknown setting 'colour'"),
    "unknown key in a table": ("[log]\nlevel = 'debug'\n", "unknown setting 'log.level'"),
    "wrong type": ("workers = 'four'\n", "setting 'workers' must be of type int, got str: 'four'"),
    "float for an int": ("max_attempts = 2.5\n", "setting 'max_attempts' must be of type int"),
    "bool for a number": ("[credential_report]\ndeadline_s = true\n", "'credential_report.deadline_s'"),
    "nan deadline": ("[credential_report]\ndeadline_s = nan\n", "'credential_report.deadline_s' must be a finite"),
    "infinite timeout": ("read_timeout_s = inf\n", "'read_timeout_s' must be a finite number"),
    "scalar for a table": ("credential_report = 5\n", "setting 'credential_report' must be a table"),
    "out of range": ("workers = 0\n", "--workers must be between 1 and 256, got 0"),
    "negative deadline": ("[credential_report]\ndeadline_s = -1\n", "deadline and poll intervals must be positive"),
    "zero timeout": ("connect_timeout_s = 0\n", "connect_timeout_s and read_timeout_s must be positive"),
    "tiny log": ("[log]\nmax_bytes = 10\n", "log: max_bytes must be at least 1024"),
    "invalid account id in the file": ("accounts = ['12345']\n", "'12345' is not a 12-digit AWS account id"),
    "not TOML": ("workers = \n", "is not valid TOML"),
}


def _assert_refused(result: CliResult, out: Path, fragment: str) -> None:
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("orgscan: error: "), result.stderr
    assert fragment in result.stderr, result.stderr
    assert not out.exists(), sorted(out.rglob("*"))  # no run folder, and no log file either


@pytest.mark.parametrize("text, fragment", SETTINGS.values(), ids=SETTINGS.keys())
def test_a_bad_configuration_file_is_one_line_and_writes_nothing(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, text: str, fragment: str) -> None:
    settings = tmp_path / "orgscan.toml"
    settings.write_text(text)
    out = tmp_path / "runs"
    _assert_refused(run_cli(sim, "scan", "--out", str(out), "--config", str(settings)), out, fragment)
    assert sim.faults.counter.total == 0


def test_a_configuration_file_that_cannot_be_read_is_one_line(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    out = tmp_path / "runs"
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"workers = 4\n\xff\xfe\x00")
    cases = {
        str(tmp_path / "missing.toml"): "configuration file not found",
        str(tmp_path): "cannot read configuration file",  # a folder
        str(binary): "is not UTF-8 text",
    }
    for path, fragment in cases.items():
        _assert_refused(run_cli(sim, "scan", "--out", str(out), "--config", path), out, fragment)
    assert sim.faults.counter.total == 0


OPTIONS = {
    "workers 0": (("--workers", "0"), "--workers must be between 1 and 256, got 0"),
    "workers not a number": (("--workers", "many"), "argument --workers: not a whole number: 'many'"),
    "short account id": (("--accounts", "12345"), "--accounts: '12345' is not a 12-digit AWS account id"),
    "letters in an account id": (("--exclude", "21000000000x"), "--exclude: '21000000000x' is not a 12-digit"),
    "bad ou": (("--ou", "ou-x"), "--ou: 'ou-x' is not an organizational unit id"),
    "bad role": (("--role-name", "a role"), "--role-name: 'a role' is not a valid IAM role name"),
    "unknown profile": (("--profile", "no-such-profile"), "AWS profile not found: no-such-profile"),
    "account not in the organization": (("--accounts", "999999999999"),
                                        "999999999999 is not an account of this organization"),
    "ou not in the organization": (("--ou", "ou-zzzz-zzzzzzzz"), "is not an organizational unit of this organization"),
}


@pytest.mark.parametrize("args, fragment", OPTIONS.values(), ids=OPTIONS.keys())
def test_a_bad_option_is_one_line_and_writes_nothing(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, args: tuple[str, ...],
        fragment: str) -> None:
    out = tmp_path / "runs"
    _assert_refused(run_cli(sim, "scan", "--out", str(out), *args), out, fragment)
    if "organization" not in fragment:  # those two are only known once the organization is listed
        assert sim.faults.counter.total == 0


def test_missing_credentials_are_one_line_and_write_nothing(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", sim.endpoint_url)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    out = tmp_path / "runs"
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr), pytest.raises(SystemExit) as exited:
        main(["scan", "--out", str(out)])
    result = CliResult(int(exited.value.code or 0), stdout.getvalue(), stderr.getvalue())
    _assert_refused(result, out, "no AWS credentials found")
    assert sim.faults.counter.total == 0


def test_demo_with_too_few_accounts_is_one_line(tmp_path: Path) -> None:
    result = run_cli(None, "demo", "--out", str(tmp_path / "runs"), "--accounts", "3")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == "orgscan: error: --accounts: the simulated organization needs at least 22 accounts, got 3\n"
    assert not (tmp_path / "runs").exists()
