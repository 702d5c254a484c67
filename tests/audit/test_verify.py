"""`orgscan verify` and `orgscan bundle`: every kind of tampering is found; an untouched run is intact."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from scanner.audit.manifest import read_manifest
from tests.integration.helpers import run_cli

PASSWORD_POLICY = Path("raw/210000000001/password_policy.json")


def _verify(target: Path) -> tuple[int, list[str]]:
    result = run_cli(None, "verify", str(target))
    return result.code, result.stdout.splitlines()


def test_an_untouched_run_folder_is_intact_and_its_manifest_lists_every_file(reference_run: Path) -> None:
    code, lines = _verify(reference_run)
    assert code == 0, lines
    assert lines[-1].startswith("intact: ")
    manifest = read_manifest(reference_run)
    listed = {entry.path for entry in manifest.files}
    on_disk = {p.relative_to(reference_run).as_posix() for p in reference_run.rglob("*") if p.is_file()}
    assert listed == on_disk - {"manifest.json"}
    assert {"report.html", "report.pdf", "findings.csv", "changes.csv", "trend.json", "exceptions.csv",
            "inputs/scan.json", "inputs/history.json", "raw/discovery.json", "run.json"} <= listed
    assert [e.path for e in manifest.files] == sorted(listed)
    run = json.loads((reference_run / "run.json").read_bytes())
    assert manifest.run["started_at"] == run["started_at"] and manifest.run["config_digest"] == run["config_digest"]
    assert manifest.run["account_counts"] == {"discovered": 22, "scanned": 17, "error": 1, "skipped": 4}


def test_report_rewrites_the_manifest_with_identical_bytes(run_copy: Path) -> None:
    before = {p: p.read_bytes() for p in run_copy.rglob("*") if p.is_file()}
    assert run_cli(None, "report", str(run_copy)).code == 2
    after = {p: p.read_bytes() for p in run_copy.rglob("*") if p.is_file()}
    assert after == before


def test_one_changed_byte_of_raw_evidence_is_found_with_the_finding_it_changes(run_copy: Path) -> None:
    path = run_copy / PASSWORD_POLICY
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"MinimumPasswordLength": 14', b'"MinimumPasswordLength": 15'))
    assert len(path.read_bytes()) == len(data)
    code, lines = _verify(run_copy)
    assert code == 3
    assert f"changed  {PASSWORD_POLICY.as_posix()}: content differs from the manifest (SHA-256)" in lines
    assert lines[-1] == f"NOT INTACT: {len(lines) - 1} problems in {run_copy}"


def test_evidence_that_changes_a_status_names_the_finding(run_copy: Path) -> None:
    path = run_copy / PASSWORD_POLICY
    path.write_text(json.dumps({"Error": {"Code": "NoSuchEntity", "Message": "no policy"}}))
    code, lines = _verify(run_copy)
    assert code == 3
    assert "finding  210000000001 password-policy: findings.csv says PASS, raw evidence gives FAIL" in lines
    assert any(line.startswith("changed  raw/210000000001/password_policy.json: size ") for line in lines)


def test_a_deleted_file_is_missing(run_copy: Path) -> None:
    (run_copy / "raw" / "210000000002" / "account_summary.json").unlink()
    code, lines = _verify(run_copy)
    assert code == 3
    assert "missing  raw/210000000002/account_summary.json: listed in the manifest, not in the folder" in lines


def test_an_added_file_is_extra(run_copy: Path) -> None:
    (run_copy / "raw" / "210000000002" / "notes.txt").write_text("looks fine to me\n")
    code, lines = _verify(run_copy)
    assert code == 3
    assert lines[:-1] == ["extra    raw/210000000002/notes.txt: not listed in the manifest"]


def test_an_edited_findings_csv_is_changed_and_the_finding_named(run_copy: Path) -> None:
    path = run_copy / "findings.csv"
    text = path.read_bytes().decode()
    row = next(line for line in text.split("\r\n")
               if line.startswith("210000000005,") and ",password-policy,FAIL," in line)
    path.write_bytes(text.replace(row, row.replace(",FAIL,", ",PASS,")).encode())
    code, lines = _verify(run_copy)
    assert code == 3
    assert "changed  findings.csv: content differs from the manifest (SHA-256)" in lines
    assert "finding  210000000005 password-policy: findings.csv says PASS, raw evidence gives FAIL" in lines


def test_a_findings_csv_edited_along_with_its_manifest_still_fails_re_derivation(run_copy: Path) -> None:
    path = run_copy / "findings.csv"
    path.write_bytes(path.read_bytes().replace(b",root-mfa,FAIL,", b",root-mfa,PASS,"))
    assert run_cli(None, "verify", str(run_copy)).code == 3
    from scanner.audit.manifest import write_manifest
    from scanner.rundir import RunFolder

    write_manifest(RunFolder(run_copy))  # a forger who also rewrites the manifest
    code, lines = _verify(run_copy)
    assert code == 3
    assert [line for line in lines if line.startswith("changed")] == []
    assert "finding  210000000004 root-mfa: findings.csv says PASS, raw evidence gives FAIL" in lines


def test_a_missing_manifest_is_reported(run_copy: Path) -> None:
    (run_copy / "manifest.json").unlink()
    code, lines = _verify(run_copy)
    assert code == 3 and lines[0].startswith("manifest manifest.json: missing")


def test_verify_never_writes_to_the_folder_it_checks(run_copy: Path) -> None:
    (run_copy / "findings.csv").write_bytes(b"account_id\r\n")
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in run_copy.rglob("*")
              if p.is_file()}
    assert _verify(run_copy)[0] == 3
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in run_copy.rglob("*") if p.is_file()} == before


def test_usage_errors_exit_1(tmp_path: Path) -> None:
    assert run_cli(None, "verify", str(tmp_path / "nothing")).code == 1
    (tmp_path / "empty").mkdir()
    assert run_cli(None, "verify", str(tmp_path / "empty")).code == 1
    (tmp_path / "not.zip").write_text("hello")
    assert run_cli(None, "verify", str(tmp_path / "not.zip")).code == 1
    assert run_cli(None, "verify").code == 1


# Bundles


@pytest.fixture
def bundle(reference_run: Path, tmp_path: Path) -> Path:
    result = run_cli(None, "bundle", str(reference_run), "--out", str(tmp_path / "evidence.zip"))
    assert result.code == 0, result.stdout + result.stderr
    return tmp_path / "evidence.zip"


def test_a_bundle_is_the_whole_run_folder_plus_readme_and_sums_and_verifies(reference_run: Path, bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        stamps = {info.date_time for info in archive.infolist()}
    run = reference_run.name
    files = sorted(p.relative_to(reference_run).as_posix() for p in reference_run.rglob("*") if p.is_file())
    folders = sorted(p.relative_to(reference_run).as_posix() for p in reference_run.rglob("*") if p.is_dir())
    assert names == sorted(["README.txt", "SHA256SUMS", f"{run}/", *(f"{run}/{f}" for f in files),
                            *(f"{run}/{f}/" for f in folders)])
    finished = json.loads((reference_run / "run.json").read_bytes())["finished_at"]
    year, month, day, hour, minute, second = (int(x) for x in (finished[:4], finished[5:7], finished[8:10],
                                                                 finished[11:13], finished[14:16], finished[17:19]))
    assert stamps == {(year, month, day, hour, minute, second // 2 * 2)}  # zip times have 2-second steps
    code, lines = _verify(bundle)
    assert code == 0, lines


def test_bundling_twice_gives_the_same_bytes(reference_run: Path, bundle: Path, tmp_path: Path) -> None:
    assert run_cli(None, "bundle", str(reference_run), "--out", str(tmp_path / "again.zip")).code == 0
    assert (tmp_path / "again.zip").read_bytes() == bundle.read_bytes()


def test_sha256sum_checks_the_unzipped_bundle_without_orgscan(bundle: Path, tmp_path: Path) -> None:
    sha256sum = shutil.which("sha256sum")
    if sha256sum is None:
        pytest.skip("sha256sum is not installed")
    target = tmp_path / "unzipped"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(target)
    done = subprocess.run([sha256sum, "-c", "SHA256SUMS"], cwd=target, capture_output=True, text=True,  # noqa: S603
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK\n") == len((target / "SHA256SUMS").read_text().splitlines())
    readme = (target / "README.txt").read_text()
    assert "sha256sum -c SHA256SUMS" in readme and "orgscan verify" in readme
    assert read_manifest(next(p for p in target.iterdir() if p.is_dir())).files
    code, lines = _verify(target)  # the unzipped bundle verifies too
    assert code == 0, lines
    run_dir = next(p for p in target.iterdir() if p.is_dir())
    (run_dir / "raw" / "210000000001" / "meta.json").write_text("{}")
    failed = subprocess.run([sha256sum, "--quiet", "-c", "SHA256SUMS"], cwd=target, capture_output=True,  # noqa: S603
                            text=True, check=False)
    assert failed.returncode == 1 and "210000000001/meta.json: FAILED" in failed.stdout


def test_a_tampered_bundle_is_not_intact(bundle: Path, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("/findings.csv"):
                data = data.replace(b",password-policy,FAIL,", b",password-policy,PASS,", 1)
            target.writestr(info, data)
        target.writestr("extra.txt", "hello")
    code, lines = _verify(tampered)
    assert code == 3
    assert "changed  findings.csv: content differs from the manifest (SHA-256)" in lines
    assert "extra    extra.txt: not part of an orgscan bundle" in lines
    assert any(line.startswith("finding  ") for line in lines)


def test_bundle_refuses_a_folder_that_is_not_intact(run_copy: Path, tmp_path: Path) -> None:
    (run_copy / "raw" / "210000000002" / "notes.txt").write_text("x")
    result = run_cli(None, "bundle", str(run_copy), "--out", str(tmp_path / "b.zip"))
    assert result.code == 3 and "not bundled" in result.stdout
    assert not (tmp_path / "b.zip").exists()
    assert not list(tmp_path.glob(".b.zip*"))


def test_the_readme_describes_each_kind_of_file(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        readme = archive.read("README.txt").decode()
        sums = archive.read("SHA256SUMS").decode()
    for name in ("raw/<account_id>/credential_report.csv", "raw/<account_id>/access_error.json", "findings.csv",
                 "manifest.json", "inputs/history.json", "report.pdf"):
        assert f"  {name} " in readme
    manifest_line = next(line for line in sums.splitlines() if line.endswith("/manifest.json"))
    assert manifest_line.split()[0] in readme
