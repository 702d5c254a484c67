"""Changes since the previous run: the comparison itself, and two scans with the posture changed between."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.audit.changes import BoxStatus, Change, box_rates, changes_view, compare
from scanner.derive import derive_outputs
from scanner.rundir import RunFolder
from scanner.simulation.rules import Deny
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import read_csv, read_json, run_cli
from tests.simulation.helpers import member_client

BOXES = ("root-access-keys", "root-mfa", "individual-users", "groups-for-permissions", "password-policy")
P, F, NA, E = "PASS", "FAIL", "NOT_APPLICABLE", "ERROR"


def _statuses(account_id: str, *statuses: str, accepted: str = "") -> list[BoxStatus]:
    return [BoxStatus(account_id, f"name-{account_id}", "Root", check, status, accepted)
            for check, status in zip(BOXES, statuses, strict=True)]


def test_every_kind_of_change_and_no_row_for_what_did_not_change() -> None:
    before = [*_statuses("111111111111", P, F, F, P, E), *_statuses("222222222222", F, P, NA, P, P),
              *_statuses("333333333333", P, P, P, P, P)]
    after = [*_statuses("111111111111", F, F, P, E, E, accepted=""),
             *_statuses("222222222222", NA, E, NA, P, P), *_statuses("444444444444", P, F, P, P, P)]
    rows = [(r.account_id, r.check_id, r.change, r.previous_status, r.status) for r in compare(before, after)]
    assert rows == [
        ("111111111111", "root-access-keys", Change.NEW_FAILURE, P, F),
        ("111111111111", "root-mfa", Change.STILL_FAILING, F, F),
        ("111111111111", "individual-users", Change.FIXED, F, P),
        ("111111111111", "groups-for-permissions", Change.NOT_ASSESSED, P, E),
        ("222222222222", "root-access-keys", Change.FIXED, F, NA),
        ("222222222222", "root-mfa", Change.NOT_ASSESSED, P, E),
        *(("333333333333", box, Change.ACCOUNT_GONE, P, "") for box in BOXES),
        *(("444444444444", box, Change.NEW_ACCOUNT, "", s) for box, s in zip(BOXES, (P, F, P, P, P), strict=True)),
    ]


def test_error_to_fail_is_a_new_failure_and_fail_to_error_is_not_a_fix() -> None:
    rows = compare(_statuses("111111111111", E, F, P, P, P), _statuses("111111111111", F, E, P, P, P))
    assert [(r.check_id, r.change) for r in rows] == [("root-access-keys", Change.NEW_FAILURE),
                                                      ("root-mfa", Change.NOT_ASSESSED)]


def test_pass_rates_count_error_as_applicable_and_never_accepted_fails_as_passes() -> None:
    rates = box_rates([*_statuses("1", P, F, NA, E, F, accepted="accepted until 2027-01-31 by a: b"),
                       *_statuses("2", P, P, P, P, F)])
    assert [(r.check_id, r.passed, r.applicable) for r in rates] == [
        ("root-access-keys", 2, 2), ("root-mfa", 1, 2), ("individual-users", 1, 1),
        ("groups-for-permissions", 1, 2), ("password-policy", 0, 2)]
    assert rates[2].rate == 1.0 and rates[4].rate == 0.0


EXCEPTIONS = """\
[[exception]]
account_id = "210000000004"
check_id = "root-mfa"
justification = "Break-glass account, token in the safe"
owner = "alice@example.com"
expires = 2099-12-31

[[exception]]
account_id = "*"
check_id = "root-access-keys"
justification = "Keys being rotated out"
owner = "bob@example.com"
expires = 2020-01-31
"""


def test_two_scans_with_the_posture_changed_between_give_exactly_the_expected_changes(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path, no_report: None) -> None:
    organization.install(sim.faults)
    out = tmp_path / "runs"
    assert run_cli(sim, "scan", "--out", str(out)).code == 2
    first = next(p for p in out.iterdir() if p.is_dir())
    assert read_csv(first / "changes.csv") == []
    assert read_json(first / "inputs" / "history.json") == {"previous": None, "trend": []}

    member_client(sim, "210000000005").update_account_password_policy(MinimumPasswordLength=14)  # fixed
    member_client(sim, "210000000001").delete_account_password_policy()  # new failure
    sim.faults.add(Deny(action="GetAccountPasswordPolicy", account_id="210000000004", via_scp=True))  # unknown now
    organizations = sim.client("organizations")
    organizations.close_account(AccountId="210000000009")  # gone
    created = organizations.create_account(AccountName="new-team", Email="aws+new-team@example.com")
    new_account = created["CreateAccountStatus"]["AccountId"]

    exceptions = tmp_path / "exceptions.toml"
    exceptions.write_text(EXCEPTIONS)
    result = run_cli(sim, "scan", "--out", str(out), "--exceptions", str(exceptions))
    assert result.code == 2, result.stderr
    second = max(p for p in out.iterdir() if p.is_dir())
    started_first = read_json(first / "run.json")["started_at"]  # type: ignore[index]
    assert f"changes since {started_first}: 1 new failure, 1 fixed, 11 still failing, 1 not assessed, " \
           "5 new account, 5 account gone (changes.csv)" in result.stdout
    assert "exception entry 2 (* root-access-keys, owner bob@example.com) expired on 2020-01-31" in result.stderr

    rows = read_csv(second / "changes.csv")
    assert list(rows[0]) == ["account_id", "account_name", "ou_path", "check_id", "change", "previous_status",
                             "status", "accepted"]
    new_statuses = {r["check_id"]: r["status"] for r in read_csv(second / "findings.csv")
                    if r["account_id"] == new_account}
    gone = dict(zip(BOXES, (P, NA, P, P, P), strict=True))
    expected = {
        ("210000000001", "password-policy", "new failure", P, F),
        ("210000000002", "root-access-keys", "still failing", F, F),
        ("210000000003", "root-access-keys", "still failing", F, F),
        ("210000000004", "root-mfa", "still failing", F, F),
        ("210000000004", "password-policy", "not assessed", P, E),
        ("210000000005", "password-policy", "fixed", F, P),
        ("210000000006", "groups-for-permissions", "still failing", F, F),
        ("210000000007", "groups-for-permissions", "still failing", F, F),
        ("210000000008", "root-mfa", "still failing", F, F),
        ("210000000008", "individual-users", "still failing", F, F),
        ("210000000008", "password-policy", "still failing", F, F),
        ("210000000018", "individual-users", "still failing", F, F),
        ("210000000020", "root-mfa", "still failing", F, F),
        ("210000000021", "groups-for-permissions", "still failing", F, F),
        *(("210000000009", box, "account gone", gone[box], "") for box in BOXES),
        *((new_account, box, "new account", "", new_statuses[box]) for box in BOXES),
    }
    actual = [(r["account_id"], r["check_id"], r["change"], r["previous_status"], r["status"]) for r in rows]
    assert set(actual) == expected and len(actual) == len(expected)
    assert actual == sorted(actual, key=lambda r: (r[0], BOXES.index(r[1])))
    accepted = {(r["account_id"], r["check_id"]): r["accepted"] for r in rows}
    assert accepted[("210000000004", "root-mfa")] == \
        "accepted until 2099-12-31 by alice@example.com: Break-glass account, token in the safe"
    assert accepted[("210000000002", "root-access-keys")] == ""  # expired: no longer accepted

    assert (second / "inputs" / "exceptions.toml").read_text() == EXCEPTIONS  # the register in force, kept
    trend = read_json(second / "trend.json")
    assert isinstance(trend, dict)
    assert trend["previous_started_at"] == started_first
    assert [run["run_id"] for run in trend["runs"]] == [first.name, second.name]
    assert trend["runs"][0]["boxes"]["password-policy"] == {"passed": 14, "applicable": 18}
    assert trend["runs"][1]["boxes"]["password-policy"]["applicable"] == 18  # 009 gone, the new account came

    diff = run_cli(None, "diff", str(first), str(second))
    assert diff.code == 0
    assert diff.stdout.splitlines()[0] == f"changes from {first.name} ({started_first}) to {second.name} " \
                                          f"({read_json(second / 'run.json')['started_at']})"  # type: ignore[index]
    table = diff.stdout.splitlines()[2:-1]  # after the title and the header, before the counts
    assert len(table) == len(expected) and sum(" still failing " in line for line in table) == 11
    assert diff.stdout.splitlines()[-1] == "1 new failure, 1 fixed, 11 still failing, 1 not assessed, " \
                                           "5 new account, 5 account gone"
    assert run_cli(None, "verify", str(second)).code == 0

    folder = RunFolder(second)  # what the report reads
    view = changes_view(folder, derive_outputs(folder).frames.findings)
    assert (view.previous_run_id, view.previous_started_at) == (first.name, started_first)
    assert [(r.account_id, r.check_id, r.change.value, r.previous_status, r.status) for r in view.rows] == actual
    assert dict(view.counts)[Change.STILL_FAILING] == 11 and [p.run_id for p in view.trend] == [first.name, second.name]
    assert json.loads((second / "inputs" / "history.json").read_bytes())["previous"]["run_id"] == first.name
