"""Hostile account and user names: neutralized in every CSV, kept byte for byte in raw/, escaped in the report."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from moto.organizations.models import organizations_backends

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.faults.helpers import DERIVED_CSVS, WORKERS, every_file, report_html
from tests.integration.helpers import MANAGEMENT, read_csv, read_json, run_cli, run_folder
from tests.simulation.helpers import member_client

HOSTILE = "210000000013"  # seeded as '<script>alert("x")</script> Ops, \u202eevil', users =1+2, @ops-admin, deploy,ci
NAMES = {
    "210000000002": '=HYPERLINK("http://example.com/x","click")',
    "210000000003": "+1+2",
    "210000000004": "-2+3",
    "210000000005": "@SUM(A1:A9)",
    "210000000006": 'two\nlines, a "quote" and a comma',
    "210000000007": "\tled by a tab\rand a carriage return",
    "210000000009": "'=already quoted",
}
EXTRA_USERS = ("+plus", "-minus")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _rename_accounts() -> dict[str, str]:
    orgs = organizations_backends[MANAGEMENT]["aws"]
    for account in orgs.accounts:
        if account.id in NAMES:
            account.name = NAMES[account.id]
    return {a.id: a.name for a in orgs.accounts}


def _cells(path: Path) -> list[list[str]]:
    with io.StringIO(path.read_bytes().decode("utf-8"), newline="") as handle:
        return list(csv.reader(handle))


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in every_file(folder)}


def test_hostile_names_are_neutralized_in_csv_and_kept_verbatim_in_raw(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    names = _rename_accounts()
    iam = member_client(sim, HOSTILE)
    for user in EXTRA_USERS:
        iam.create_user(UserName=user)
        iam.add_user_to_group(GroupName="Developers", UserName=user)
    result = run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS)
    assert result.code == 2, result.stderr
    folder = run_folder(tmp_path)

    # raw/ holds what AWS said, unaltered.
    listed = read_json(folder / "raw" / "accounts.json")
    assert isinstance(listed, list)
    records = {r["account_id"]: r for r in listed}
    assert {a: records[a]["account_name"] for a in names} == names
    report = (folder / "raw" / HOSTILE / "credential_report.csv").read_bytes()
    for user in ("=1+2", "@ops-admin", "+plus", "-minus"):
        assert f"\n{user},arn:aws:iam::{HOSTILE}:user/{user},".encode() in report
    assert b'\n"deploy,ci",' in report

    # Every CSV: whole rows, and no cell a spreadsheet would run as a formula.
    for name in DERIVED_CSVS:
        rows = _cells(folder / name)
        assert all(len(row) == len(rows[0]) for row in rows), name
        assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_START)], name
    shown = {r["account_id"]: r["account_name"] for r in read_csv(folder / "accounts.csv")}
    for account_id, original in names.items():
        expected = "'" + original if original.startswith(FORMULA_START) else original
        assert shown[account_id] == expected, account_id
    assert shown[HOSTILE] == names[HOSTILE]  # starts with "<": not a formula, kept as is
    assert len(read_csv(folder / "accounts.csv")) == 22  # the newline stayed inside its quoted cell
    users = {r["user"] for r in read_csv(folder / "users.csv") if r["account_id"] == HOSTILE}
    assert users == {"'=1+2", "'@ops-admin", "deploy,ci", "'+plus", "'-minus"}
    finding_names = {r["account_name"] for r in read_csv(folder / "findings.csv") if r["account_id"] == "210000000003"}
    assert finding_names == {"'+1+2"}

    # `orgscan report` re-derives from raw/ without touching it, to the same bytes.
    raw_before = _digests(folder / "raw")
    derived_before = {name: (folder / name).read_bytes() for name in DERIVED_CSVS}
    assert run_cli(None, "report", str(folder)).code == 2
    assert _digests(folder / "raw") == raw_before
    assert {name: (folder / name).read_bytes() for name in DERIVED_CSVS} == derived_before

    # The HTML report shows the name as text, never as markup.
    page = report_html(folder)
    assert '<script>alert("x")</script>' not in page and "<script>alert" not in page
    assert "&lt;script&gt;alert(" in page
