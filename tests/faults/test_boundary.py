"""Whatever a collector trips on is the error of that document, or of that account, never more."""

from __future__ import annotations

from pathlib import Path

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.faults.helpers import BOXES, WORKERS, accounts, box_statuses, findings, write_config
from tests.integration.helpers import read_json, run_cli, run_folder
from tests.integration.test_scan import EXPECTED

NO_SUMMARY = "210000000002"  # active root access key: the credential report alone still shows it
NO_CREDENTIALS = "210000000003"


def test_a_field_missing_from_an_answer_is_that_documents_error_alone(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    sim.faults.missing_field("SummaryMap", action="GetAccountSummary", account_id=NO_SUMMARY)
    sim.faults.missing_field("Credentials", action="AssumeRole", account_id=NO_CREDENTIALS)
    result = run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS, "--config", str(write_config(tmp_path)))

    assert result.code == 2 and "Traceback" not in result.stderr, result.stderr
    folder = run_folder(tmp_path)
    rows, every = accounts(folder), findings(folder)
    assert rows[NO_SUMMARY]["scan_status"] == "scanned"
    stored = read_json(folder / "raw" / NO_SUMMARY / "account_summary.json")
    assert stored == {"Error": {"Code": "KeyError", "Message": "'SummaryMap'"}}
    for box in ("individual-users", "groups-for-permissions"):
        assert every[(NO_SUMMARY, box)]["status"] == "ERROR" and "KeyError" in every[(NO_SUMMARY, box)]["detail"]
    assert every[(NO_SUMMARY, "root-access-keys")]["status"] == "FAIL"  # read from the credential report
    assert every[(NO_SUMMARY, "password-policy")]["status"] == "PASS"

    # An AssumeRole answer without credentials: the account could not be entered, and says why.
    assert rows[NO_CREDENTIALS]["scan_status"] == "error"
    assert rows[NO_CREDENTIALS]["error"] == "KeyError: 'Credentials'"
    access = read_json(folder / "raw" / NO_CREDENTIALS / "access_error.json")
    assert access == {"Error": {"Code": "KeyError", "Message": "'Credentials'"}}
    log = (tmp_path / "orgscan.log").read_text()
    assert f"account {NO_CREDENTIALS}: cannot access: KeyError: 'Credentials'" in log
    assert "unexpected failure" not in log

    untouched = {a: s for a, s in box_statuses(folder).items() if a not in (NO_SUMMARY, NO_CREDENTIALS)}
    assert untouched == {a: s for a, s in EXPECTED.items() if a not in (NO_SUMMARY, NO_CREDENTIALS)}
    assert all(every[(NO_CREDENTIALS, box)]["status"] == "ERROR" for box in BOXES)
