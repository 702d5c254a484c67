"""Damaged or hand-edited evidence: `orgscan report` says which source is unreadable, and never crashes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scanner.audit.checkpoint import read_discovery
from scanner.audit.manifest import write_manifest
from scanner.errors import RunFolderError
from scanner.rundir import RunFolder
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.faults.helpers import BOXES, WORKERS, findings
from tests.integration.helpers import run_cli, run_folder
from tests.integration.test_scan import EXPECTED
from tests.output.runs import SCANNED, make_run

# (account, evidence file, what it is replaced with, the box that must turn ERROR and what it must say)
TAMPERED = [
    ("210000000002", "authorization_details.json", b'{"UserDetailList": [1], "GroupDetailList": []}',
     "groups-for-permissions", "EvidenceUnreadable: authorization_details.json"),
    ("210000000003", "meta.json", b'{"account_id": "210000000003", "credential_report_generated_time": "soon"}',
     None, ""),
    ("210000000001", "virtual_mfa_devices.json", b'{"VirtualMFADevices": [{"User": "root", "SerialNumber": 1}]}',
     None, ""),
    ("210000000005", "password_policy.json", b'{"PasswordPolicy": "strict"}',
     "password-policy", "EvidenceUnreadable: password_policy.json"),
    ("210000000006", "account_summary.json", b'{"SummaryMap": {"Users": Infinity, "Groups": NaN}}',
     "individual-users", "lacks the Users count"),
    ("210000000007", "account_summary.json", b"[]",
     "individual-users", "EvidenceUnreadable: account_summary.json"),
    ("210000000008", "credential_report.csv", b"",
     None, ""),
    ("210000000009", "meta.json", b"\xff\xfe not json", None, ""),
]


@pytest.fixture
def scanned(sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> Path:
    organization.install(sim.faults)
    assert run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS).code == 2
    return run_folder(tmp_path)


def test_report_on_damaged_evidence_marks_the_sources_and_finishes(scanned: Path) -> None:
    for account_id, name, content, *_ in TAMPERED:
        (scanned / "raw" / account_id / name).write_bytes(content)
    result = run_cli(None, "report", str(scanned))

    assert result.code == 2 and result.stderr == "", result.stderr
    rows = findings(scanned)
    for account_id, _, _, box, says in TAMPERED:
        if box is not None:
            assert rows[(account_id, box)]["status"] == "ERROR", (account_id, box)
            assert says in rows[(account_id, box)]["detail"], rows[(account_id, box)]["detail"]
    assert "credential report is empty" in rows[("210000000008", "root-access-keys")]["detail"]
    untouched = set(EXPECTED) - {account_id for account_id, *_ in TAMPERED}
    assert all(tuple(rows[(a, b)]["status"] for b in BOXES) == EXPECTED[a] for a in untouched)


@pytest.mark.parametrize("content", [b"{}", b'[{"account_id": "1"}]', b"[1, 2]", b"\x00", b"null"])
def test_report_on_an_unreadable_account_list_is_one_line(scanned: Path, content: bytes) -> None:
    (scanned / "raw" / "accounts.json").write_bytes(content)
    result = run_cli(None, "report", str(scanned))
    assert result.code == 1
    assert result.stderr.startswith("orgscan: error: raw/accounts.json is unreadable: ")
    assert result.stderr.count("\n") == 1


# Account ids: a run folder names accounts in raw/accounts.json, raw/discovery.json, inputs/ and as folders
# under raw/. Anything but twelve ASCII digits is refused before any evidence is read.

OUTSIDE_USER = "read-from-outside-the-run-folder"


@pytest.fixture
def written(tmp_path: Path) -> Path:
    """A hand-written run folder with its derived files and manifest, and evidence outside it to be lured to."""
    folder = make_run(tmp_path / "runs").path
    assert run_cli(None, "report", str(folder)).code == 2
    outside = tmp_path / "elsewhere"
    shutil.copytree(folder / "raw" / SCANNED, outside)
    report = outside / "credential_report.csv"
    report.write_bytes(report.read_bytes().replace(b"\nalice,", f"\n{OUTSIDE_USER},".encode()))
    return folder


def _name_account(folder: Path, account_id: object) -> None:
    path = folder / "raw" / "accounts.json"
    records = json.loads(path.read_bytes())
    records[0]["account_id"] = account_id
    path.write_text(json.dumps(records, indent=2))


def _everything(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


HOSTILE_IDS = [
    pytest.param("{outside}", id="absolute path"),
    pytest.param("../../../elsewhere", id="relative path"),
    pytest.param("11111111111", id="eleven digits"),
    pytest.param("111111111111\n", id="trailing newline"),
    pytest.param("\uff11" * 12, id="fullwidth digits"),
    pytest.param(111111111111, id="a number"),
]


@pytest.mark.parametrize("account_id", HOSTILE_IDS)
def test_report_refuses_an_account_id_that_is_not_twelve_digits(written: Path, account_id: object) -> None:
    if account_id == "{outside}":
        account_id = str(written.parent.parent / "elsewhere")
    _name_account(written, account_id)
    result = run_cli(None, "report", str(written))
    assert result.code == 1, result.stdout + result.stderr
    assert result.stderr == f"orgscan: error: raw/accounts.json: {account_id!r} is not an account id (12 digits)\n"
    assert OUTSIDE_USER.encode() not in _everything(written)


@pytest.mark.parametrize("account_id", HOSTILE_IDS)
def test_verify_reports_an_account_id_that_is_not_twelve_digits(written: Path, account_id: object) -> None:
    if account_id == "{outside}":
        account_id = str(written.parent.parent / "elsewhere")
    _name_account(written, account_id)
    write_manifest(RunFolder(written))  # a forger who also rewrites the manifest
    result = run_cli(None, "verify", str(written))
    assert result.code == 3, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f"account  raw/accounts.json: {account_id!r} is not an account id (12 digits)" in lines
    assert result.stderr == ""


def test_report_refuses_an_account_folder_that_links_out_of_the_run_folder(written: Path) -> None:
    account = written / "raw" / SCANNED
    shutil.rmtree(account)
    account.symlink_to(written.parent.parent / "elsewhere", target_is_directory=True)
    result = run_cli(None, "report", str(written))
    assert result.code == 1, result.stdout + result.stderr
    assert result.stderr == (f"orgscan: error: raw/{SCANNED} is a symbolic link: evidence is read only from inside "
                             "the run folder\n")
    assert OUTSIDE_USER.encode() not in _everything(written)


@pytest.mark.parametrize("name", ["credential_report.csv", "account_summary.json"])
def test_an_evidence_file_that_links_out_of_the_run_folder_is_unreadable_evidence(written: Path, name: str) -> None:
    evidence = written / "raw" / SCANNED / name
    evidence.unlink()
    evidence.symlink_to(written.parent.parent / "elsewhere" / name)
    result = run_cli(None, "report", str(written))
    assert result.code == 2, result.stdout + result.stderr  # that source is an error, the report finishes
    outputs = b"".join((written / f).read_bytes() for f in ("users.csv", "findings.csv", "report.html"))
    assert OUTSIDE_USER.encode() not in outputs
    details = (written / "findings.csv").read_text()
    assert f"EvidenceUnreadable: {name}" in details


def test_verify_reports_folders_under_raw_that_are_not_account_ids(written: Path) -> None:
    shutil.copytree(written / "raw" / SCANNED, written / "raw" / "evidence")
    (written / "raw" / "notes").mkdir()
    (written / "raw" / "notes" / "deeper").mkdir()
    (written / "raw" / "notes" / "deeper" / "todo.txt").write_text("check later\n")
    write_manifest(RunFolder(written))
    result = run_cli(None, "verify", str(written))
    assert result.code == 3, result.stdout + result.stderr
    problems = result.stdout.splitlines()[:-1]
    assert problems == [
        "account  raw/evidence: 'evidence' is not an account id (12 digits): raw/ holds one folder per account",
        "account  raw/notes: 'notes' is not an account id (12 digits): raw/ holds one folder per account",
    ]


def test_verify_reports_account_ids_of_discovery_and_inputs_that_are_not_twelve_digits(written: Path) -> None:
    (written / "raw" / "discovery.json").write_text(json.dumps({
        "caller": {"account_id": "123456789012", "arn": "arn:aws:iam::123456789012:user/audit", "partition": "aws"},
        "organization": {"organization_id": "o-test", "management_account_id": "123456789012", "name": "Test org"},
        "accounts": [{"account_id": SCANNED, "account_name": "a", "email": "a@example.com", "status": "ACTIVE",
                      "ou_path": "Root"},
                     {"account_id": "/etc", "account_name": "b", "email": "b@example.com", "status": "ACTIVE",
                      "ou_path": "Root"}],
    }, indent=2))
    (written / "inputs").mkdir()
    (written / "inputs" / "history.json").write_text(json.dumps({
        "previous": {"run_id": "2026-06-01T000000Z", "started_at": "2026-06-01T00:00:00Z", "findings": [
            {"account_id": "../222222222222", "account_name": "x", "ou_path": "Root", "check_id": "root-mfa",
             "status": "PASS", "accepted": ""}]},
        "trend": [],
    }, indent=2))
    write_manifest(RunFolder(written))
    lines = run_cli(None, "verify", str(written)).stdout.splitlines()
    assert "account  raw/discovery.json: '/etc' is not an account id (12 digits)" in lines
    assert "account  inputs/history.json: '../222222222222' is not an account id (12 digits)" in lines


@pytest.mark.parametrize("account_id", ["111111111111\n", "\uff11" * 12, "../111111111111", 111111111111])
def test_resume_refuses_a_discovered_account_id_that_is_not_twelve_digits(written: Path, account_id: object) -> None:
    path = written / "raw" / "discovery.json"
    path.write_text(json.dumps({
        "caller": {"account_id": "123456789012", "arn": "arn:aws:iam::123456789012:user/audit", "partition": "aws"},
        "organization": {"organization_id": "o-test", "management_account_id": "123456789012", "name": "Test org"},
        "accounts": [{"account_id": account_id, "account_name": "a", "email": "a@example.com", "status": "ACTIVE",
                      "ou_path": "Root"}],
    }))
    with pytest.raises(RunFolderError) as refused:
        read_discovery(RunFolder(written))
    assert str(refused.value) == f"raw/discovery.json: {account_id!r} is not an account id (12 digits)"


def test_report_refuses_an_account_id_of_the_previous_run_that_is_not_twelve_digits(written: Path) -> None:
    (written / "inputs").mkdir()
    (written / "inputs" / "history.json").write_text(json.dumps({
        "previous": {"run_id": "2026-06-01T000000Z", "started_at": "2026-06-01T00:00:00Z", "findings": [
            {"account_id": "=HYPERLINK(\"http://x\")", "account_name": "x", "ou_path": "Root", "check_id": "root-mfa",
             "status": "PASS", "accepted": ""}]},
        "trend": [],
    }, indent=2))
    result = run_cli(None, "report", str(written))
    assert result.code == 1, result.stdout + result.stderr
    assert result.stderr == ("orgscan: error: inputs/history.json: '=HYPERLINK(\"http://x\")' is not an account id "
                             "(12 digits)\n")
