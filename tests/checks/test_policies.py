"""Managed policies, server certificates and centralized root access, from evidence written by hand in the
formats AWS returns (GetAccountAuthorizationDetails, ListServerCertificates, ListOrganizationsFeatures) and
read by the real loaders."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from scanner.checks.certificates import expired_server_certificates
from scanner.checks.organization import evaluate_organization, root_access_centralized
from scanner.checks.policies import allows_everything, cloudshell_full_access, no_full_admin_policies, support_role
from scanner.models import Account, AccountResult, ApiError, ScanStatus, Status
from scanner.normalize.evidence import AccountFacts, OrganizationFeatures
from scanner.normalize.policies import load_certificates, load_policy_evidence
from tests.checks.reports import ACCOUNT, GENERATED_TEXT

ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*"], "Resource": "*"}]}
SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
CLOUDSHELL = "arn:aws:iam::aws:policy/AWSCloudShellFullAccess"
DENIED = {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform iam:GetAccountAuthorizationDetails"}}


def policy_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/{name}"


def attached(*arns: str) -> list[dict[str, str]]:
    return [{"PolicyArn": arn, "PolicyName": arn.rpartition("/")[2]} for arn in arns]


def customer_policy(name: str, document: Any, attachments: int) -> dict[str, Any]:
    return {"PolicyName": name, "PolicyId": "ANPA" + name.upper(), "Arn": policy_arn(name), "Path": "/",
            "DefaultVersionId": "v2", "AttachmentCount": attachments, "IsAttachable": True,
            "PolicyVersionList": [
                {"Document": READ_ONLY, "VersionId": "v1", "IsDefaultVersion": False},
                {"Document": document, "VersionId": "v2", "IsDefaultVersion": True},
            ]}


def write(folder: Path, name: str, document: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(document))


def facts(folder: Path, *, users: dict[str, list[str]] | None = None, groups: dict[str, list[str]] | None = None,
          roles: dict[str, list[str]] | None = None, policies: list[dict[str, Any]] | None = None,
          roles_document: Any = None, people_document: Any = None) -> AccountFacts:
    """An account whose evidence holds these users, groups and roles (name -> attached policy ARNs)."""
    write(folder, "authorization_details.json", people_document or {
        "UserDetailList": [{"UserName": n, "AttachedManagedPolicies": attached(*a), "UserPolicyList": []}
                           for n, a in (users or {}).items()],
        "GroupDetailList": [{"GroupName": n, "AttachedManagedPolicies": attached(*a), "GroupPolicyList": []}
                            for n, a in (groups or {}).items()],
    })
    if roles_document is not False:
        write(folder, "roles_and_policies.json", roles_document or {
            "RoleDetailList": [{"RoleName": n, "AttachedManagedPolicies": attached(*a), "RolePolicyList": []}
                               for n, a in (roles or {}).items()],
            "Policies": policies or [],
        })
    return AccountFacts(ACCOUNT, report_generated=GENERATED_TEXT, policies=load_policy_evidence(folder),
                        certificates=load_certificates(folder))


# no-full-admin-policies


def test_an_attached_star_policy_fails_naming_it_and_each_holder(tmp_path: Path) -> None:
    outcome = no_full_admin_policies(facts(
        tmp_path, users={"jeff": [policy_arn("Everything")]}, groups={"Admins": [policy_arn("Everything")]},
        roles={"deployer": [policy_arn("Everything")], "reader": [policy_arn("ReadOnly")]},
        policies=[customer_policy("Everything", ADMIN, 4), customer_policy("ReadOnly", READ_ONLY, 1)]))
    assert outcome.status is Status.FAIL
    assert outcome.detail == ('1 customer managed policy allows "*" on "*" and is attached: Everything (group '
                              'Admins, role deployer, user jeff and 1 more).')


def test_an_unattached_star_policy_passes_and_is_named(tmp_path: Path) -> None:
    outcome = no_full_admin_policies(facts(tmp_path, policies=[customer_policy("Spare", ADMIN, 0),
                                                               customer_policy("ReadOnly", READ_ONLY, 2)]))
    assert outcome.status is Status.PASS
    assert outcome.detail == ('No attached customer managed policy allows "*" on "*" (2 read). Spare allows it but '
                              'is attached to no one.')


def test_no_customer_policies_pass(tmp_path: Path) -> None:
    outcome = no_full_admin_policies(facts(tmp_path))
    assert (outcome.status, outcome.detail) == (Status.PASS, "The account has no customer managed policies.")


def test_only_the_default_version_counts(tmp_path: Path) -> None:
    old_admin = customer_policy("Narrowed", READ_ONLY, 1)
    old_admin["PolicyVersionList"][0]["Document"] = ADMIN  # v1, no longer the default
    assert no_full_admin_policies(facts(tmp_path, policies=[old_admin])).status is Status.PASS


def test_a_url_encoded_document_is_read_as_aws_sends_it(tmp_path: Path) -> None:
    encoded = customer_policy("Encoded", quote(json.dumps(ADMIN)), 1)
    assert no_full_admin_policies(facts(tmp_path, policies=[encoded])).status is Status.FAIL


@pytest.mark.parametrize(("statement", "full"), [
    ({"Effect": "Allow", "Action": "*", "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": ["arn:aws:s3:::b", "*"]}, True),
    ({"Effect": "Allow", "Action": "*:*", "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
     True),
    ({"Effect": "Deny", "Action": "*", "Resource": "*"}, False),
    ({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, False),
    ({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"}, False),
    ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, False),
])
def test_what_counts_as_star_on_star(statement: dict[str, Any], full: bool) -> None:
    assert allows_everything({"Statement": statement}) is full
    assert allows_everything({"Statement": [statement]}) is full


def test_a_default_version_that_cannot_be_read_is_an_error_unless_another_policy_fails(tmp_path: Path) -> None:
    broken = customer_policy("Broken", "%7Bnot json", 1)
    outcome = no_full_admin_policies(facts(tmp_path, policies=[broken]))
    assert outcome.status is Status.ERROR and "Broken" in outcome.detail
    failing = no_full_admin_policies(facts(tmp_path, policies=[broken, customer_policy("Everything", ADMIN, 1)]))
    assert failing.status is Status.FAIL


def test_users_and_groups_unreadable_still_fail_on_a_role_and_say_so(tmp_path: Path) -> None:
    outcome = no_full_admin_policies(facts(tmp_path, people_document=DENIED,
                                           roles={"deployer": [policy_arn("Everything")]},
                                           policies=[customer_policy("Everything", ADMIN, 3)]))
    assert outcome.status is Status.FAIL
    assert "Everything (role deployer and 2 more)" in outcome.detail
    assert "Users and groups holding them could not be read (AccessDenied" in outcome.detail


def test_policies_not_collected_by_the_version_that_wrote_the_run_are_an_error(tmp_path: Path) -> None:
    account = facts(tmp_path, roles_document=False)
    for check in (no_full_admin_policies, support_role, cloudshell_full_access):
        outcome = check(account)
        assert outcome.status is Status.ERROR
        assert "roles_and_policies.json is not in this run (the version of orgscan that wrote it did not collect " \
               "it)" in outcome.detail


def test_policies_denied_are_an_error_with_the_reason(tmp_path: Path) -> None:
    outcome = no_full_admin_policies(facts(tmp_path, roles_document=DENIED))
    assert outcome.status is Status.ERROR and "AccessDenied" in outcome.detail


def test_a_damaged_document_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    damaged = facts(tmp_path, roles_document={"RoleDetailList": [{"RoleName": "r", "AttachedManagedPolicies": "x"}],
                                              "Policies": []})
    assert damaged.policies.roles_error == ApiError(
        "EvidenceUnreadable", "roles_and_policies.json: AttachedManagedPolicies is not a list of objects")
    no_list = facts(tmp_path, roles_document={"RoleDetailList": {}, "Policies": []})
    assert no_list.policies.roles_error is not None and no_list.policies.roles_error.code == "EvidenceUnreadable"
    assert support_role(no_list).status is Status.ERROR


# support-role


def test_a_role_with_aws_support_access_passes(tmp_path: Path) -> None:
    outcome = support_role(facts(tmp_path, roles={"aws-support": [SUPPORT], "other": []}))
    assert (outcome.status, outcome.detail) == (Status.PASS, "AWSSupportAccess is attached to role aws-support.")


def test_support_access_held_by_a_user_only_does_not_count(tmp_path: Path) -> None:
    outcome = support_role(facts(tmp_path, users={"helpdesk": [SUPPORT]}, roles={"other": []}))
    assert outcome.status is Status.FAIL
    assert outcome.detail.startswith("No role has AWSSupportAccess attached (1 role read)")


def test_support_access_is_recognised_in_any_partition(tmp_path: Path) -> None:
    outcome = support_role(facts(tmp_path, roles={"gov": ["arn:aws-us-gov:iam::aws:policy/AWSSupportAccess"]}))
    assert outcome.status is Status.PASS
    lookalike = support_role(facts(tmp_path, roles={"mine": [policy_arn("AWSSupportAccess")]}))
    assert lookalike.status is Status.FAIL  # a customer policy of the same name is not AWS's


# cloudshell-full-access


def test_cloudshell_full_access_fails_naming_every_holder(tmp_path: Path) -> None:
    outcome = cloudshell_full_access(facts(tmp_path, users={"ana": [CLOUDSHELL]}, groups={"Ops": [CLOUDSHELL]},
                                           roles={"shell": [CLOUDSHELL]}))
    assert (outcome.status, outcome.detail) == (
        Status.FAIL, "AWSCloudShellFullAccess is attached to group Ops, role shell, user ana.")


def test_cloudshell_full_access_attached_to_no_one_passes(tmp_path: Path) -> None:
    outcome = cloudshell_full_access(facts(tmp_path, users={"ana": [SUPPORT]}, roles={"shell": []}))
    assert outcome.status is Status.PASS


def test_cloudshell_with_a_source_missing_is_an_error_unless_what_was_read_fails(tmp_path: Path) -> None:
    no_people = cloudshell_full_access(facts(tmp_path, people_document=DENIED, roles={"shell": []}))
    assert no_people.status is Status.ERROR and "users' and groups' policies could not be read" in no_people.detail
    assert cloudshell_full_access(facts(tmp_path, people_document=DENIED,
                                        roles={"shell": [CLOUDSHELL]})).status is Status.FAIL
    no_roles = cloudshell_full_access(facts(tmp_path, users={"ana": []}, roles_document=DENIED))
    assert no_roles.status is Status.ERROR and "roles' policies could not be read" in no_roles.detail


# expired-server-certificates


def certificates(folder: Path, *entries: tuple[str, str | None]) -> AccountFacts:
    write(folder, "server_certificates.json", {"ServerCertificateMetadataList": [
        {"ServerCertificateName": name, "Path": "/", "ServerCertificateId": "ASCA" + name.upper(),
         "Arn": f"arn:aws:iam::{ACCOUNT}:server-certificate/{name}", "UploadDate": "2024-01-15T09:00:00Z",
         **({"Expiration": expires} if expires is not None else {})}
        for name, expires in entries]})
    return facts(folder)


def test_no_stored_certificate_passes(tmp_path: Path) -> None:
    outcome = expired_server_certificates(certificates(tmp_path))
    assert (outcome.status, outcome.detail) == (Status.PASS, "IAM stores no server certificates.")


def test_an_expired_certificate_fails_against_the_report_time(tmp_path: Path) -> None:
    # GENERATED_TEXT is 2026-06-30T12:00:00Z.
    outcome = expired_server_certificates(certificates(tmp_path, ("old", "2026-06-20T11:00:00Z"),
                                                       ("current", "2027-01-01T00:00:00Z")))
    assert outcome.status is Status.FAIL
    assert outcome.detail == ("1 of 2 server certificates stored had expired when the credential report was "
                              "generated: old (expired 2026-06-20, 10 days before the report).")


def test_a_certificate_expiring_after_the_report_passes_whatever_the_clock(tmp_path: Path) -> None:
    outcome = expired_server_certificates(certificates(tmp_path, ("edge", "2026-06-30T12:00:00Z")))
    assert outcome.status is Status.PASS  # not past its expiry at the report's time
    assert outcome.detail == ("No server certificate had expired when the credential report was generated (1 stored): "
                              "edge (expires 2026-06-30).")


def test_certificates_without_a_report_time_or_an_expiry_are_errors(tmp_path: Path) -> None:
    stored = certificates(tmp_path, ("edge", "2030-01-01T00:00:00Z"))
    no_time = expired_server_certificates(replace(stored, report_generated=None))
    assert no_time.status is Status.ERROR and "generation time is unknown" in no_time.detail
    unknown = expired_server_certificates(certificates(tmp_path, ("blank", None)))
    assert (unknown.status, unknown.detail) == (Status.ERROR, "The expiry of blank could not be read.")
    mixed = expired_server_certificates(certificates(tmp_path, ("blank", None), ("old", "2020-01-01T00:00:00Z")))
    assert mixed.status is Status.FAIL


def test_certificates_not_collected_or_denied_are_errors(tmp_path: Path) -> None:
    missing = expired_server_certificates(facts(tmp_path))
    assert missing.status is Status.ERROR and "server_certificates.json is not in this run" in missing.detail
    write(tmp_path, "server_certificates.json", DENIED)
    denied = expired_server_certificates(facts(tmp_path))
    assert denied.status is Status.ERROR and "AccessDenied" in denied.detail


# root-access-centralized (organization level)


@pytest.mark.parametrize(("features", "status", "words"), [
    (OrganizationFeatures(True, True, True), Status.PASS, "Root credentials management is on"),
    (OrganizationFeatures(True, False, False), Status.FAIL, "Root credentials management is off"),
    (OrganizationFeatures(True, error=ApiError("ServiceAccessNotEnabledException", "trusted access off")),
     Status.FAIL, "trusted access with AWS Organizations is off"),
    (OrganizationFeatures(True, error=ApiError("OrganizationNotFoundException", "no organization")),
     Status.NOT_APPLICABLE, "in no organization"),
    (OrganizationFeatures(True, error=ApiError("AccountNotManagementOrDelegatedAdministratorException", "member")),
     Status.ERROR, "could not be read (AccountNotManagementOrDelegatedAdministratorException"),
    (OrganizationFeatures(False), Status.ERROR, "organization_features.json is not in this run"),
])
def test_centralized_root_access(features: OrganizationFeatures, status: Status, words: str) -> None:
    outcome = root_access_centralized(features)
    assert outcome.status is status and words in outcome.detail


def _result(account_id: str, scan_status: ScanStatus) -> AccountResult:
    return AccountResult(Account(account_id, "n", "e@example.com", "ACTIVE", "Root"), scan_status)


def test_one_organization_finding_on_the_management_account_even_when_it_could_not_be_entered() -> None:
    on = OrganizationFeatures(True, True, False)
    results = [_result("111111111111", ScanStatus.ERROR), _result("222222222222", ScanStatus.SCANNED)]
    found = evaluate_organization(results, {"management_account_id": "111111111111"}, on)
    assert [(f.account_id, f.check_id, f.status) for f in found] == [
        ("111111111111", "root-access-centralized", Status.PASS)]
    # Outside any organization the caller's own account carries it; an account not in the run gets none.
    alone = evaluate_organization(results[1:], {"management_account_id": "", "caller_account_id": "222222222222"}, on)
    assert [f.account_id for f in alone] == ["222222222222"]
    assert evaluate_organization(results[1:], {"management_account_id": "111111111111"}, on) == []
    skipped = [_result("111111111111", ScanStatus.SKIPPED)]
    assert evaluate_organization(skipped, {"management_account_id": "111111111111"}, on) == []
    assert evaluate_organization(results, {}, on) == []
