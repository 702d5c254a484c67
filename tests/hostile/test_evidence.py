"""Damaged or hand-edited evidence: `orgscan report` says which source is unreadable, and never crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.faults.helpers import BOXES, WORKERS, findings
from tests.integration.helpers import run_cli, run_folder
from tests.integration.test_scan import EXPECTED

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
     "individual-users", "lacks the Users or Providers count"),
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
