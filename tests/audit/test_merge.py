"""`orgscan merge`: the simulated organization scanned in parts over HTTP (`--ou`, `--accounts`), merged into
one run folder that says the same as one scan of the whole and verifies like one."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from scanner.audit.manifest import parse_manifest
from scanner.simulation.server import SimulatedAws
from tests.audit.conftest import seeded_organization_cli
from tests.integration.helpers import MANAGEMENT, read_csv, read_json, run_cli, run_folder

PARTS_A = ("Root/Prod", "Root/Security")
PARTS_B = ("Root/Dev", "Root/Sandbox", "Root/Suspended")


@dataclass(frozen=True)
class Scans:
    prod: Path  # --ou Prod,Security
    rest: Path  # --ou Dev,Sandbox,Suspended
    management: Path  # --accounts <the management account>, the one account at the root
    whole: Path  # one scan of every account
    overlapping: Path  # --accounts of one account of `prod`


@pytest.fixture(scope="module")
def scans(sim: SimulatedAws, tmp_path_factory: pytest.TempPathFactory) -> Scans:
    """The parts and the whole, each scanned once through the CLI over HTTP; tests copy what they alter."""
    base = tmp_path_factory.mktemp("merge")
    folders: dict[str, Path] = {}
    with seeded_organization_cli(sim, base) as organization:
        selections = {
            "prod": ("--ou", ",".join(organization.ou_ids[p] for p in PARTS_A)),
            "rest": ("--ou", ",".join(organization.ou_ids[p] for p in PARTS_B)),
            "management": ("--accounts", MANAGEMENT),
            "whole": (),
            "overlapping": ("--accounts", "210000000004"),
        }
        for name, selection in selections.items():
            out = base / name
            result = run_cli(sim, "scan", "--out", str(out), *selection)
            assert result.code in (0, 2), result.stderr
            folders[name] = run_folder(out)
    return Scans(**folders)


def _parts(scans: Scans) -> list[str]:
    return [str(scans.prod), str(scans.rest), str(scans.management)]


@pytest.fixture(scope="module")
def merged(scans: Scans, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("merged") / "runs"
    result = run_cli(None, "merge", *_parts(scans), "--out", str(out))
    assert result.code == 2, result.stderr  # the denied account of the whole organization is in a part
    assert "merged 3 parts" in result.stdout
    assert result.stderr == ""
    return run_folder(out)


def _copy(folder: Path, to: Path) -> Path:
    target = to / folder.name
    shutil.copytree(folder, target)
    return target


def test_the_parts_cover_the_organization_without_overlap(scans: Scans) -> None:
    ids = [sorted(r["account_id"] for r in read_csv(folder / "accounts.csv"))
           for folder in (scans.prod, scans.rest, scans.management)]
    assert all(ids) and len(set().union(*ids)) == sum(len(i) for i in ids)
    assert sorted(set().union(*ids)) == sorted(r["account_id"] for r in read_csv(scans.whole / "accounts.csv"))


def test_merged_findings_are_those_of_one_scan_of_the_whole(scans: Scans, merged: Path) -> None:
    for name in ("findings.csv", "accounts.csv", "scorecard.csv", "users.csv", "user_findings.csv"):
        assert read_csv(merged / name) == read_csv(scans.whole / name), name
    statuses = {(r["account_id"], r["check_id"]): r["status"] for r in read_csv(merged / "findings.csv")}
    assert statuses[(MANAGEMENT, "root-access-centralized")]  # the organization's finding, from its part


def test_merged_folder_verifies_and_says_what_it_merged(scans: Scans, merged: Path) -> None:
    result = run_cli(None, "verify", str(merged))
    assert result.code == 0, result.stdout
    info = read_json(merged / "run.json")
    assert isinstance(info, dict)
    parts = info["merged_from"]
    assert [p["run_id"] for p in parts] == [Path(p).name for p in _parts(scans)]  # oldest first: scanned in order
    for part, folder in zip(parts, _parts(scans), strict=True):
        assert part["manifest_sha256"] == hashlib.sha256((Path(folder) / "manifest.json").read_bytes()).hexdigest()
        scan_json = read_json(Path(folder) / "inputs" / "scan.json")
        assert isinstance(scan_json, dict)
        assert part["started_at"] == scan_json["started_at"]
    assert parts[0]["selection"]["ous"] and parts[2]["selection"]["accounts"] == [MANAGEMENT]
    assert info["started_at"] == parts[0]["started_at"] and info["finished_at"] == parts[-1]["finished_at"]
    assert info["account_counts"] == read_json(scans.whole / "run.json")["account_counts"]  # type: ignore[index]
    assert "merge_notes" not in info  # the parts started seconds apart
    summary = (merged / "report.html").read_text(encoding="utf-8")
    ids = ", ".join(p["run_id"] for p in parts)
    assert f"<th>Scanned in parts</th><td>3 run folders merged by orgscan merge: {ids}</td>" in summary


def test_merged_evidence_is_the_parts_evidence_byte_for_byte(scans: Scans, merged: Path) -> None:
    copied = 0
    for folder in map(Path, _parts(scans)):
        manifest = {f.path: f for f in parse_manifest((folder / "manifest.json").read_bytes()).files}
        for account in (folder / "raw").iterdir():
            if not account.is_dir():
                continue
            for file in account.iterdir():
                relative = file.relative_to(folder).as_posix()
                data = (merged / relative).read_bytes()
                assert data == file.read_bytes()
                assert hashlib.sha256(data).hexdigest() == manifest[relative].sha256
                copied += 1
    assert copied > 20


def test_merged_folder_is_private(merged: Path) -> None:
    for path in [merged, *merged.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_tampered_evidence_of_the_merged_folder_fails_verify(merged: Path, tmp_path: Path) -> None:
    copy = _copy(merged, tmp_path)
    summary = copy / "raw" / "210000000004" / "account_summary.json"
    summary.write_bytes(summary.read_bytes().replace(b'"Users": ', b'"Users": 1'))
    result = run_cli(None, "verify", str(copy))
    assert result.code == 3
    assert "raw/210000000004/account_summary.json" in result.stdout


def test_report_of_the_merged_folder_keeps_its_bytes(merged: Path, tmp_path: Path) -> None:
    copy = _copy(merged, tmp_path)
    before = (copy / "manifest.json").read_bytes()
    assert run_cli(None, "report", str(copy)).code == 2
    assert (copy / "manifest.json").read_bytes() == before


def test_an_account_in_two_parts_is_refused(scans: Scans, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(None, "merge", str(scans.prod), str(scans.overlapping), "--out", str(out))
    assert result.code == 1
    assert result.stderr.count("\n") == 1
    assert "account 210000000004" in result.stderr
    assert str(scans.prod) in result.stderr and str(scans.overlapping) in result.stderr
    assert not out.exists()


def test_a_tampered_part_is_refused_as_verify_refuses_it(scans: Scans, tmp_path: Path) -> None:
    part = _copy(scans.rest, tmp_path / "parts")
    report = next((part / "raw").glob("*/credential_report.csv"))
    report.write_bytes(report.read_bytes() + b"x")
    out = tmp_path / "out"
    result = run_cli(None, "merge", str(scans.prod), str(part), "--out", str(out))
    assert result.code == 3
    assert result.stderr.count("\n") == 1
    assert str(part) in result.stderr and "not intact" in result.stderr
    assert not out.exists()


def _rewrite(part: Path, change: dict[str, object], discovery: dict[str, object] | None = None) -> None:
    """Change what a run records, then let `orgscan report` re-derive it: an intact run of other facts."""
    info = json.loads((part / "run.json").read_bytes())
    info.update(change)
    (part / "run.json").write_text(json.dumps(info))
    if discovery is not None:
        document = json.loads((part / "raw" / "discovery.json").read_bytes())
        document["organization"].update(discovery)
        (part / "raw" / "discovery.json").write_text(json.dumps(document))
    assert run_cli(None, "report", str(part)).code in (0, 2)
    assert run_cli(None, "verify", str(part)).code == 0


def test_a_part_of_another_organization_is_refused(scans: Scans, tmp_path: Path) -> None:
    part = _copy(scans.rest, tmp_path / "parts")
    _rewrite(part, {"organization_id": "o-another0001"}, {"organization_id": "o-another0001"})
    out = tmp_path / "out"
    result = run_cli(None, "merge", str(scans.prod), str(part), "--out", str(out))
    assert result.code == 1
    assert result.stderr.count("\n") == 1
    assert "o-another0001" in result.stderr and "one organization" in result.stderr
    assert not out.exists()


def test_a_part_in_another_framework_is_refused(scans: Scans, tmp_path: Path) -> None:
    part = _copy(scans.rest, tmp_path / "parts")
    assert run_cli(None, "report", str(part), "--framework", "cis-v5").code == 2
    result = run_cli(None, "merge", str(scans.prod), str(part), "--out", str(tmp_path / "out"))
    assert result.code == 1
    assert "cis-v5" in result.stderr


def test_parts_started_far_apart_are_said_to_be(scans: Scans, tmp_path: Path) -> None:
    part = _copy(scans.rest, tmp_path / "parts")
    scan_json = part / "inputs" / "scan.json"
    document = json.loads(scan_json.read_bytes())
    document["started_at"] = "2030-01-01T00:00:00Z"
    scan_json.write_text(json.dumps(document))
    _rewrite(part, {"started_at": "2030-01-01T00:00:00Z", "finished_at": "2030-01-01T00:01:00Z"})
    out = tmp_path / "out"
    result = run_cli(None, "merge", str(scans.prod), str(part), "--out", str(out))
    assert result.code == 2, result.stderr
    assert "hours apart" in result.stderr
    info = read_json(run_folder(out) / "run.json")
    assert isinstance(info, dict)
    assert "hours apart" in info["merge_notes"][0]
    assert run_cli(None, "verify", str(run_folder(out))).code == 0
    summary = (run_folder(out) / "report.html").read_text(encoding="utf-8")
    assert f'<span class="note">{info["merge_notes"][0]}</span>' in summary


@pytest.mark.parametrize("arguments", [
    ["only-one"],
    ["missing-a", "missing-b"],
])
def test_bad_arguments_get_one_line(arguments: list[str], tmp_path: Path) -> None:
    result = run_cli(None, "merge", *(str(tmp_path / a) for a in arguments), "--out", str(tmp_path / "out"))
    assert result.code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("orgscan: error: ")


def test_the_same_part_twice_and_an_out_inside_a_part_are_refused(scans: Scans, tmp_path: Path) -> None:
    twice = run_cli(None, "merge", str(scans.prod), str(scans.prod), "--out", str(tmp_path / "out"))
    assert twice.code == 1 and "given twice" in twice.stderr
    inside = run_cli(None, "merge", str(scans.prod), str(scans.rest), "--out", str(scans.prod / "merged"))
    assert inside.code == 1 and "inside the part" in inside.stderr
    assert not (scans.prod / "merged").exists()


@pytest.mark.parametrize(("version", "why"), [("9.9.0", "its own or earlier versions"),
                                              ("0.1.4", "one release series")])
def test_a_part_of_another_orgscan_version_is_refused(scans: Scans, tmp_path: Path, version: str, why: str) -> None:
    part = _copy(scans.rest, tmp_path / "parts")
    _rewrite(part, {"tool_version": version})
    result = run_cli(None, "merge", str(scans.prod), str(part), "--out", str(tmp_path / "out"))
    assert result.code == 1
    assert f"orgscan {version}" in result.stderr and why in result.stderr
