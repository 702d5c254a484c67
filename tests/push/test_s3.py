"""`orgscan push RUN_DIR --s3 s3://BUCKET/PREFIX`: the verified bundle, report.pdf and the manifest's SHA-256
into the simulated S3, each with a SHA-256 checksum read back afterwards."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner.rundir import RunFolder
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import run_cli
from tests.push.runs import pushable_run

PDF = b"%PDF-1.7\n% a report rendered elsewhere\n%%EOF\n"


@pytest.fixture
def run(tmp_path: Path) -> RunFolder:
    return pushable_run(tmp_path / "runs", report_pdf=PDF)


def keys(sim: SimulatedAws, bucket: str) -> list[str]:
    return [o["Key"] for o in sim.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_upload_of_bundle_report_and_manifest_digest_with_checksums(
    sim: SimulatedAws, organization: SeededOrganization, run: RunFolder, tmp_path: Path,
) -> None:
    s3 = sim.client("s3")
    s3.create_bucket(Bucket="evidence")
    result = run_cli(sim, "push", str(run.path), "--s3", "s3://evidence/audits/2026")
    assert result.code == 0, result.stderr
    name = run.path.name
    prefix = f"audits/2026/{name}"
    assert sorted(keys(sim, "evidence")) == sorted([f"{prefix}/{name}.zip", f"{prefix}/report.pdf",
                                                     f"{prefix}/manifest-sha256.json"])
    manifest_sha256 = hashlib.sha256((run.path / "manifest.json").read_bytes()).hexdigest()
    assert f"manifest.json sha256: {manifest_sha256}" in result.stdout
    for key in keys(sim, "evidence"):
        assert f"s3://evidence/{key}" in result.stdout

    assert run_cli(None, "bundle", str(run.path), "--out", str(tmp_path / "bundle.zip")).code == 0
    bundle = (tmp_path / "bundle.zip").read_bytes()
    stored = s3.get_object(Bucket="evidence", Key=f"{prefix}/{name}.zip")["Body"].read()
    assert stored == bundle  # the same bytes `orgscan bundle` writes
    assert s3.get_object(Bucket="evidence", Key=f"{prefix}/report.pdf")["Body"].read() == PDF
    for key, data in ((f"{prefix}/{name}.zip", bundle), (f"{prefix}/report.pdf", PDF)):
        head = s3.head_object(Bucket="evidence", Key=key, ChecksumMode="ENABLED")
        assert head["ChecksumSHA256"] == sha256_b64(data)
    digest = json.loads(s3.get_object(Bucket="evidence", Key=f"{prefix}/manifest-sha256.json")["Body"].read())
    assert digest["manifest_sha256"] == manifest_sha256
    assert digest["run_id"] == name
    assert digest["bundle"] == {"key": f"{prefix}/{name}.zip", "sha256": hashlib.sha256(bundle).hexdigest()}


def test_object_lock_keeps_each_object_in_compliance_retention(
    sim: SimulatedAws, organization: SeededOrganization, run: RunFolder,
) -> None:
    s3 = sim.client("s3")
    s3.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    before = datetime.now(UTC)
    result = run_cli(sim, "push", str(run.path), "--s3", "s3://locked/evidence", "--object-lock-days", "30")
    after = datetime.now(UTC)
    assert result.code == 0, result.stderr
    printed = re.search(r"COMPLIANCE retention until (\S+)", result.stdout)
    assert printed is not None
    until = datetime.fromisoformat(printed.group(1).replace("Z", "+00:00"))
    assert before + timedelta(days=30) - timedelta(seconds=1) <= until <= after + timedelta(days=30)
    for key in keys(sim, "locked"):
        head = s3.head_object(Bucket="locked", Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        assert head["ObjectLockRetainUntilDate"] == until


def test_a_bucket_without_object_lock_is_said_so_and_nothing_is_uploaded(
    sim: SimulatedAws, organization: SeededOrganization, run: RunFolder,
) -> None:
    sim.client("s3").create_bucket(Bucket="plain")
    result = run_cli(sim, "push", str(run.path), "--s3", "s3://plain/evidence", "--object-lock-days", "30")
    assert result.code == 2
    assert result.stderr.count("\n") == 1
    assert "Object Lock" in result.stderr and "s3://plain" in result.stderr
    assert keys(sim, "plain") == []
    assert "sha256" not in result.stdout


def test_a_kms_key_encrypts_every_object(
    sim: SimulatedAws, organization: SeededOrganization, run: RunFolder,
) -> None:
    s3 = sim.client("s3")
    s3.create_bucket(Bucket="evidence")
    key_arn = sim.client("kms").create_key(Description="evidence")["KeyMetadata"]["Arn"]
    result = run_cli(sim, "push", str(run.path), "--s3", "s3://evidence", "--kms-key-id", key_arn)
    assert result.code == 0, result.stderr
    assert len(keys(sim, "evidence")) == 3
    for key in keys(sim, "evidence"):
        assert key.startswith(f"{run.path.name}/")
        head = s3.head_object(Bucket="evidence", Key=key)
        assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key_arn)


def test_a_denied_upload_is_one_clear_line_exit_2_and_nothing_reported_as_done(
    sim: SimulatedAws, organization: SeededOrganization, run: RunFolder,
) -> None:
    sim.client("s3").create_bucket(Bucket="evidence")
    sim.faults.deny("PutObject")
    result = run_cli(sim, "push", str(run.path), "--s3", "s3://evidence/audits")
    assert result.code == 2
    assert result.stderr.count("\n") == 1 and "AccessDenied" in result.stderr
    assert "s3://evidence/audits" in result.stderr
    assert "s3://" not in result.stdout and "sha256" not in result.stdout
    assert keys(sim, "evidence") == []


def test_a_run_that_does_not_verify_is_refused(
    sim: SimulatedAws, organization: SeededOrganization, run: RunFolder,
) -> None:
    sim.client("s3").create_bucket(Bucket="evidence")
    findings = run.path / "findings.csv"
    findings.write_bytes(findings.read_bytes().replace(b"FAIL", b"PASS", 1))
    result = run_cli(sim, "push", str(run.path), "--s3", "s3://evidence")
    assert result.code == 3
    assert "findings.csv" in result.stdout and "not pushed" in result.stdout
    assert keys(sim, "evidence") == []


@pytest.mark.parametrize(("args", "message"), [
    (("--s3", "evidence/audits"), "s3://BUCKET/PREFIX"),
    (("--s3", "s3://"), "s3://BUCKET/PREFIX"),
    (("--s3", "s3://evidence", "--object-lock-days", "0"), "--object-lock-days"),
    (("--securityhub", "--object-lock-days", "3"), "--object-lock-days"),
])
def test_bad_options_are_one_line_and_exit_1(run: RunFolder, args: tuple[str, ...], message: str) -> None:
    result = run_cli(None, "push", str(run.path), *args)
    assert result.code == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_the_bundles_readme_says_what_the_exchange_files_are(run: RunFolder, tmp_path: Path) -> None:
    assert run_cli(None, "bundle", str(run.path), "--out", str(tmp_path / "bundle.zip")).code == 0
    readme = zipfile.ZipFile(tmp_path / "bundle.zip").read("README.txt").decode()
    assert re.search(r"findings\.ocsf\.json +findings\.csv as OCSF", readme)
    assert re.search(r"findings\.asff\.json +findings\.csv in the AWS Security Finding Format", readme)
