"""`orgscan push` calls only the actions its modules declare, and `orgscan policy --push` prints exactly those."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from scanner.config import load_config
from scanner.demo import DEMO_CREDENTIALS
from scanner.permissions import push_permissions_markdown, push_policy
from scanner.push.s3 import (
    CALL_ACTIONS,
    KMS_PERMISSIONS,
    OBJECT_LOCK_PERMISSIONS,
    S3_PERMISSIONS,
    S3Destination,
    push_evidence,
)
from scanner.push.securityhub import SECURITYHUB_PERMISSIONS, import_findings
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.integration.helpers import run_cli
from tests.output.runs import NO_REPORT
from tests.policy.recording import RecordingFactory
from tests.push.runs import later_run, pushable_run

NEEDS_NO_PERMISSION = {"sts:GetCallerIdentity"}  # AWS answers it whatever the policies say


def _factory(sim: SimulatedAws) -> RecordingFactory:
    config = replace(load_config(None, {}), endpoint_url=sim.endpoint_url, region="us-east-1")
    return RecordingFactory(config, static_credentials=DEMO_CREDENTIALS)


def test_every_call_of_a_security_hub_push_is_declared(
    sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path,
) -> None:
    run = pushable_run(tmp_path / "first")
    factory = _factory(sim)
    assert import_findings(factory, run.path).complete
    later = later_run(run, tmp_path / "later", without=NO_REPORT, finished_at="2026-07-30T11:59:00Z")
    assert import_findings(factory, later.path).archived  # the archiving path too
    called = factory.called - NEEDS_NO_PERMISSION
    assert called - set(SECURITYHUB_PERMISSIONS) == set(), "push calls actions it does not declare"
    assert set(SECURITYHUB_PERMISSIONS) - called == set(), "declared actions that push never calls"


def test_every_call_of_an_s3_push_is_declared(
    sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path,
) -> None:
    run = pushable_run(tmp_path / "run", report_pdf=b"%PDF-1.7\n%%EOF\n")
    sim.client("s3").create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    key = sim.client("kms").create_key()["KeyMetadata"]["Arn"]
    factory = _factory(sim)
    push_evidence(factory, run.path, S3Destination.parse("s3://locked/audits"), object_lock_days=1, kms_key_id=key)
    called = factory.called - NEEDS_NO_PERMISSION
    assert called - set(CALL_ACTIONS) == set(), "push calls S3 operations it does not declare"
    assert {CALL_ACTIONS[c] for c in called} == set(S3_PERMISSIONS)


def test_policy_push_prints_the_declared_actions() -> None:
    result = run_cli(None, "policy", "--push")
    assert result.code == 0
    document = json.loads(result.stdout)
    assert document == push_policy()
    actions = {a for statement in document["Statement"] for a in statement["Action"]}
    assert actions == {*SECURITYHUB_PERMISSIONS, *S3_PERMISSIONS, *OBJECT_LOCK_PERMISSIONS}  # no key, no KMS


def test_policy_push_scopes_s3_to_the_prefix_and_adds_kms_for_a_key() -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    result = run_cli(None, "policy", "--push", "--s3", "s3://evidence/audits/", "--kms-key-id", key)
    assert result.code == 0
    statements = {s["Sid"]: s for s in json.loads(result.stdout)["Statement"]}
    assert statements["OrgscanPushS3"]["Resource"] == "arn:*:s3:::evidence/audits/*"
    assert statements["OrgscanPushKms"] == {"Sid": "OrgscanPushKms", "Effect": "Allow",
                                            "Action": list(KMS_PERMISSIONS), "Resource": key}
    assert run_cli(None, "policy", "--kms-key-id", key).code == 1


def test_the_readme_lists_what_push_declares() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- push-permissions:start -->\n", 1)[1].split("<!-- push-permissions:end -->", 1)[0]
    assert block == push_permissions_markdown()
