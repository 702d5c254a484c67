"""A real scan of the simulated organization writes both exchange files, and can push them when it ends."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import MANAGEMENT, read_csv, run_cli, run_folder


def test_a_scan_writes_ocsf_and_asff_for_every_finding(
    sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path,
) -> None:
    organization.install(sim.faults)
    scan = run_cli(sim, "scan", "--out", str(tmp_path / "runs"))
    assert scan.code == 2, scan.stderr  # the seeded organization has a denied account
    folder = run_folder(tmp_path / "runs")
    rows = read_csv(folder / "findings.csv")
    ocsf = json.loads((folder / "findings.ocsf.json").read_bytes())
    asff = json.loads((folder / "findings.asff.json").read_bytes())
    assert len(ocsf) == len(asff) == len(rows)
    schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version="1.5.0")).get_class_schema("compliance_finding", ["cloud"])
    validator = jsonschema.Draft202012Validator(schema)
    assert [e.message for record in ocsf for e in validator.iter_errors(record)] == []
    product = f"arn:aws:securityhub:us-east-1:{MANAGEMENT}:product/{MANAGEMENT}/default"
    assert {(f["ProductArn"], f["AwsAccountId"]) for f in asff} == {(product, MANAGEMENT)}
    manifest = {entry["path"] for entry in json.loads((folder / "manifest.json").read_bytes())["files"]}
    assert {"findings.ocsf.json", "findings.asff.json"} <= manifest
    assert run_cli(None, "verify", str(folder)).code == 0


def test_scan_pushes_to_security_hub_and_s3_when_it_ends(
    sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path,
) -> None:
    organization.install(sim.faults)
    sim.client("s3").create_bucket(Bucket="evidence")
    scan = run_cli(sim, "scan", "--out", str(tmp_path / "runs"), "--push-securityhub",
                   "--push-s3", "s3://evidence/orgscan")
    assert scan.code == 2, scan.stderr  # the denied account, as without pushing
    folder = run_folder(tmp_path / "runs")
    findings = len(read_csv(folder / "findings.csv"))
    assert f"{findings} imported, 0 failed, 0 archived" in scan.stdout
    assert f"s3://evidence/orgscan/{folder.name}/{folder.name}.zip" in scan.stdout
    hub = sim.client("securityhub")
    assert sum(len(p["Findings"]) for p in hub.get_paginator("get_findings").paginate()) == findings
    listed = sim.client("s3").list_objects_v2(Bucket="evidence")["Contents"]
    assert len(listed) == 3


def test_scan_push_options_are_checked_before_aws_is_called(
    sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path,
) -> None:
    result = run_cli(sim, "scan", "--out", str(tmp_path / "runs"), "--push-s3", "evidence")
    assert result.code == 1 and "--push-s3: expected s3://BUCKET/PREFIX" in result.stderr
    assert not (tmp_path / "runs").exists()
    assert sim.faults.counter.total == 0
