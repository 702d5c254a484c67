"""Accepted risks: the register's validation, matching and expiry, and how every output shows them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scanner.audit.accepted_risks import AcceptedRisk, RiskState, assess, exceptions_view, parse_register
from scanner.derive import derive_outputs
from scanner.errors import ConfigError
from scanner.rundir import RunFolder
from tests.integration.helpers import csv_header, read_csv, read_json, run_cli

ENTRY = """\
[[exception]]
account_id = "{account}"
check_id = "{check}"
justification = "{why}"
owner = "{owner}"
expires = {expires}
"""


def _entry(account: str = "210000000004", check: str = "root-mfa", why: str = "Break-glass account",
           owner: str = "alice@example.com", expires: str = "2027-01-31") -> str:
    return ENTRY.format(account=account, check=check, why=why, owner=owner, expires=expires)


def _risk(entry: int, account_id: str, check_id: str, expires: date) -> AcceptedRisk:
    return AcceptedRisk(entry, 0, account_id, check_id, "reason", f"owner{entry}@example.com", expires)


def test_a_register_parses_into_entries_with_their_lines() -> None:
    text = "# accepted risks\n\n" + _entry() + "\n" + _entry(account="*", check="password-policy",
                                                               expires='"2026-12-01"')
    risks = parse_register(text.encode(), "exceptions.toml")
    assert [(r.entry, r.line, r.account_id, r.check_id, r.expires) for r in risks] == [
        (1, 3, "210000000004", "root-mfa", date(2027, 1, 31)),
        (2, 10, "*", "password-policy", date(2026, 12, 1)),
    ]
    assert risks[0].note == "accepted until 2027-01-31 by alice@example.com: Break-glass account"
    assert risks[0].label == "accepted until 2027-01-31, alice@example.com, Break-glass account"


@pytest.mark.parametrize(("text", "message"), [
    (_entry() + "\n" + _entry(account="21000000004"),
     "entry 2 (line 8): 'account_id' must be a 12-digit account id or \"*\", got '21000000004'"),
    (_entry().replace('"210000000004"', "210000000004"), "entry 1 (line 1): 'account_id' must be a quoted"),
    (_entry(check="root-mfaa"), "entry 1 (line 1): unknown check_id 'root-mfaa'"),
    (_entry(why=" "), "entry 1 (line 1): 'justification' must be a non-empty string"),
    (_entry(expires="2027-02-30"), "entry 1 (line 1): not valid TOML"),
    (_entry(expires='"31/01/2027"'), "entry 1 (line 1): 'expires' must be a date like 2027-01-31, got '31/01/2027'"),
    (_entry(expires="2027-01-31T00:00:00Z"), "'expires' must be a date like 2027-01-31, not a date and time"),
    (_entry() + 'reviewer = "carol"\n', "entry 1 (line 1): unknown key 'reviewer'"),
    (_entry().replace('owner = "alice@example.com"\n', ""), "entry 1 (line 1): missing 'owner'"),
    ('version = 2\n' + _entry(), "unknown top-level key 'version'"),
    ("[[exception]\n", "not valid TOML"),
])
def test_a_malformed_register_is_a_configuration_error_naming_the_entry(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_register(text.encode(), "config/exceptions.toml")
    assert str(error.value).startswith("config/exceptions.toml: ")
    if "not valid TOML" not in message:
        assert message in str(error.value)
    else:
        assert "not valid TOML" in str(error.value) and "line" in str(error.value)


def test_an_entry_applies_through_its_expiry_day_and_not_after() -> None:
    risks = [_risk(1, "210000000004", "root-mfa", date(2026, 11, 28))]
    failing = [("210000000004", "root-mfa")]
    on_the_day = assess(risks, failing, date(2026, 11, 28))
    assert on_the_day.accepted == {("210000000004", "root-mfa"): risks[0]}
    assert on_the_day.register[0].state is RiskState.ACTIVE
    after = assess(risks, failing, date(2026, 11, 29))
    assert after.accepted == {}
    assert [(r.state, r.matching_failures) for r in after.register] == [(RiskState.EXPIRED, 1)]
    assert after.expired == after.register


def test_an_entry_for_the_account_beats_a_wildcard_then_the_later_expiry_wins() -> None:
    wildcard = _risk(1, "*", "root-mfa", date(2030, 1, 1))
    specific = _risk(2, "210000000004", "root-mfa", date(2027, 1, 1))
    later = _risk(3, "210000000004", "root-mfa", date(2028, 1, 1))
    other_check = _risk(4, "210000000004", "password-policy", date(2030, 1, 1))
    failing = [("210000000004", "root-mfa"), ("210000000008", "root-mfa")]
    result = assess([wildcard, specific, later, other_check], failing, date(2026, 11, 28))
    assert result.accepted == {("210000000004", "root-mfa"): later, ("210000000008", "root-mfa"): wildcard}
    assert [r.matching_failures for r in result.register] == [2, 1, 1, 0]


def test_only_failures_are_accepted(run_copy: Path, no_report: None) -> None:
    register = (_entry(account="*", check="root-access-keys") + _entry(account="210000000010", check="root-mfa")
                + _entry(account="210000000009", check="root-mfa"))
    (run_copy / "inputs" / "exceptions.toml").write_text(register)
    assert run_cli(None, "report", str(run_copy)).code == 2
    accepted = {(r["account_id"], r["check_id"]): r["detail"] for r in read_csv(run_copy / "findings.csv")
                if r["detail"].startswith("FAIL (accepted until ")}
    assert sorted(accepted) == [("210000000002", "root-access-keys"), ("210000000003", "root-access-keys")]
    register_rows = read_csv(run_copy / "exceptions.csv")
    assert [r["matching_failures"] for r in register_rows] == ["2", "0", "0"]  # ERROR and NOT_APPLICABLE: none


def test_the_snapshot_in_the_run_folder_decides_and_expiry_is_judged_at_the_scan_start(
        run_copy: Path, no_report: None) -> None:
    started = str(read_json(run_copy / "run.json")["started_at"])  # type: ignore[index]
    day = started[:10]
    before = {r["account_id"]: r for r in read_csv(run_copy / "scorecard.csv")}
    register = (_entry(expires=day) + "\n"
                + _entry(account="210000000005", check="password-policy", owner="bob@example.com",
                         why="Federated, last IAM user leaving", expires="2020-01-31"))
    (run_copy / "inputs" / "exceptions.toml").write_text(register)
    result = run_cli(None, "report", str(run_copy))
    assert result.code == 2
    assert "1 failure accepted as a risk, still counted as FAIL (exceptions.csv)" in result.stdout
    assert result.stderr == ("orgscan: warning: exception entry 2 (210000000005 password-policy, owner "
                             "bob@example.com) expired on 2020-01-31; the failure it matches is no longer accepted\n")

    findings = {(r["account_id"], r["check_id"]): r for r in read_csv(run_copy / "findings.csv")}
    assert csv_header(run_copy / "findings.csv") == ["account_id", "account_name", "ou_path", "check_id", "status",
                                                     "detail"]  # the contract's columns, nothing added
    mfa = findings[("210000000004", "root-mfa")]
    assert mfa["status"] == "FAIL"  # never changed, never counted as a pass
    assert mfa["detail"].startswith(f"FAIL (accepted until {day} by alice@example.com: Break-glass account). ")
    assert not findings[("210000000005", "password-policy")]["detail"].startswith("FAIL (accepted")
    assert {r["status"] for r in findings.values()} <= {"PASS", "FAIL", "NOT_APPLICABLE", "ERROR"}

    scorecard = {r["account_id"]: r for r in read_csv(run_copy / "scorecard.csv")}
    assert scorecard["210000000004"]["root-mfa"] == "FAIL"
    assert scorecard["210000000004"]["passed"] == before["210000000004"]["passed"]
    assert "accepted" not in scorecard["210000000004"]  # scorecard.csv keeps exactly its contract columns

    register_rows = read_csv(run_copy / "exceptions.csv")
    assert [(r["entry"], r["state"], r["matching_failures"], r["expires"]) for r in register_rows] == [
        ("1", "active", "1", day), ("2", "expired", "1", "2020-01-31")]
    assert run_cli(None, "verify", str(run_copy)).code == 0  # report rewrote the manifest

    folder = RunFolder(run_copy)  # what the report reads
    view = exceptions_view(folder, derive_outputs(folder).frames.findings)
    assert view.accepted[("210000000004", "root-mfa")].label == \
        f"accepted until {day}, alice@example.com, Break-glass account"
    assert [line.state for line in view.register] == [RiskState.ACTIVE, RiskState.EXPIRED]

    (run_copy / "inputs" / "exceptions.toml").write_text(_entry(expires="2099-01-01"))  # extended, not re-derived
    lines = run_cli(None, "verify", str(run_copy)).stdout.splitlines()
    assert any(line.startswith("changed  inputs/exceptions.toml: size ") for line in lines)
    assert "finding  210000000004 root-mfa: detail differs from what raw evidence gives" in lines


def test_a_malformed_register_stops_the_scan_before_aws_is_called(tmp_path: Path) -> None:
    bad = tmp_path / "exceptions.toml"
    bad.write_text(_entry() + "\n" + _entry(check="root-mfaa"))
    result = run_cli(None, "scan", "--out", str(tmp_path / "runs"), "--exceptions", str(bad))
    assert result.code == 1
    assert result.stderr.startswith(f"orgscan: error: exceptions file {bad}: entry 2 (line 8): unknown check_id")
    assert not (tmp_path / "runs").exists() or not [p for p in (tmp_path / "runs").iterdir() if p.is_dir()]
    missing = run_cli(None, "scan", "--out", str(tmp_path / "runs"), "--exceptions", str(tmp_path / "none.toml"))
    assert missing.code == 1 and "exceptions file not found" in missing.stderr
