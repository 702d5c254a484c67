"""Rules change between versions, evidence does not: a run folder written by an earlier orgscan still reports,
verifies by its hashes, and names the findings this version judges differently."""

from __future__ import annotations

import json
from pathlib import Path

from scanner import __version__
from scanner.audit.manifest import write_manifest
from scanner.rundir import RunFolder
from tests.integration.helpers import read_csv, run_cli

EARLIER = "0.1.0"


def _as_written_by(folder: Path, version: str) -> None:
    """Make the run folder what `version` wrote, as the earlier rules judged it, with a manifest to match."""
    run_json = folder / "run.json"
    info = json.loads(run_json.read_bytes())
    info["tool_version"] = version
    run_json.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    findings = folder / "findings.csv"
    rows = findings.read_bytes()
    # 0.1.0 passed root MFA on the credential report's row, and wrote "more than 45 days".
    prefix = b"210000000020,root-mfa-removed,Root/Prod/Web,root-mfa,"
    start = rows.index(prefix + b"FAIL,")
    end = rows.index(b"\r\n", start)
    rows = rows[:start] + prefix + b"PASS,MFA is active on the root user (credential report)." + rows[end:]
    rows = rows.replace(b"unused for 45 days or more", b"unused for more than 45 days")
    findings.write_bytes(rows)
    write_manifest(RunFolder(folder))


def test_a_run_of_an_earlier_version_is_intact_and_lists_what_is_judged_differently(run_copy: Path) -> None:
    _as_written_by(run_copy, EARLIER)
    result = run_cli(None, "verify", str(run_copy))
    assert result.code == 0, result.stdout
    lines = result.stdout.splitlines()
    heading = next(line for line in lines if line.startswith("judged differently since"))
    assert heading.startswith(f"judged differently since {EARLIER} (the rules changed; the evidence did not): ")
    assert "  finding  210000000020 root-mfa: findings.csv says PASS, raw evidence gives FAIL" in lines
    assert lines[-1].startswith("intact: ")


def test_the_same_differences_in_a_run_of_this_version_are_not_intact(run_copy: Path) -> None:
    _as_written_by(run_copy, __version__)
    result = run_cli(None, "verify", str(run_copy))
    assert result.code == 3
    assert "finding  210000000020 root-mfa: findings.csv says PASS, raw evidence gives FAIL" in result.stdout
    assert "judged differently" not in result.stdout


def test_a_changed_file_in_a_run_of_an_earlier_version_is_still_not_intact(run_copy: Path) -> None:
    _as_written_by(run_copy, EARLIER)
    (run_copy / "raw" / "210000000002" / "account_summary.json").write_text('{"SummaryMap": {}}\n')
    result = run_cli(None, "verify", str(run_copy))
    assert result.code == 3
    assert "changed  raw/210000000002/account_summary.json" in result.stdout


def test_the_bundle_of_an_earlier_run_verifies_the_same_way(run_copy: Path, tmp_path: Path) -> None:
    _as_written_by(run_copy, EARLIER)
    bundle = tmp_path / "evidence.zip"
    assert run_cli(None, "bundle", str(run_copy), "--out", str(bundle)).code == 0
    result = run_cli(None, "verify", str(bundle))
    assert result.code == 0 and f"judged differently since {EARLIER}" in result.stdout


def test_report_on_evidence_without_saml_providers_judges_individual_users_as_then(run_copy: Path) -> None:
    for path in (run_copy / "raw").glob("*/saml_providers.json"):
        path.unlink()
    _as_written_by(run_copy, EARLIER)
    assert run_cli(None, "report", str(run_copy)).code == 2
    rows = {(r["account_id"], r["check_id"]): (r["status"], r["detail"]) for r in read_csv(run_copy / "findings.csv")}
    assert rows[("210000000018", "individual-users")] == ("PASS", "People sign in as themselves: 2 identity providers.")
    assert rows[("210000000008", "individual-users")][0] == "FAIL"


def test_report_on_evidence_from_before_the_policy_certificate_and_organization_checks(run_copy: Path) -> None:
    """A run written before roles_and_policies.json, server_certificates.json and organization_features.json
    were collected still reports: those checks are ERROR, saying why, and never PASS."""
    raw = run_copy / "raw"
    for name in ("roles_and_policies.json", "server_certificates.json"):
        for path in raw.glob(f"*/{name}"):
            path.unlink()
    (raw / "organization_features.json").unlink()
    _as_written_by(run_copy, EARLIER)
    assert run_cli(None, "report", str(run_copy)).code == 2
    rows = {(r["account_id"], r["check_id"]): (r["status"], r["detail"]) for r in read_csv(run_copy / "findings.csv")}
    for check_id, evidence in (("no-full-admin-policies", "roles_and_policies.json"),
                               ("support-role", "roles_and_policies.json"),
                               ("expired-server-certificates", "server_certificates.json")):
        status, detail = rows[("210000000002", check_id)]
        assert status == "ERROR"
        assert f"{evidence} is not in this run (the version of orgscan that wrote it did not collect it)" in detail
    new_checks = ("no-full-admin-policies", "support-role", "expired-server-certificates", "cloudshell-full-access")
    assert {rows[(a, c)][0] for a, c in rows if c in new_checks} == {"ERROR"}  # never PASS on evidence not read
    status, detail = rows[("123456789012", "root-access-centralized")]
    assert status == "ERROR" and "organization_features.json is not in this run" in detail
    assert run_cli(None, "verify", str(run_copy)).code == 0
