"""The seeded organization as a scanner sees it over HTTP: accounts, OUs and IAM posture."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from scanner.simulation.catalog import FIXED_ACCOUNT_COUNT, ORGANIZATION_ID, ROOT_ID
from scanner.simulation.credential_report import HEADER
from scanner.simulation.seed import SeededOrganization, ou_id_for
from scanner.simulation.server import SimulatedAws
from tests.simulation.helpers import member_client

MANAGEMENT = "123456789012"
ODD_NAME = '<script>alert("x")</script> Ops, \u202eevil'


def _report_rows(iam: object) -> tuple[list[list[str]], datetime]:
    iam.generate_credential_report()  # type: ignore[attr-defined]
    answer = iam.get_credential_report()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(answer["Content"].decode("utf-8"), newline="")))
    return rows, answer["GeneratedTime"]


def _iam(sim: SimulatedAws, account_id: str) -> object:
    return sim.client("iam") if account_id == MANAGEMENT else member_client(sim, account_id)


def test_organization_identity(sim: SimulatedAws, organization: SeededOrganization) -> None:
    described = sim.client("organizations").describe_organization()["Organization"]
    assert described["Id"] == ORGANIZATION_ID == organization.organization_id
    assert described["MasterAccountId"] == MANAGEMENT == organization.management_account_id
    roots = sim.client("organizations").list_roots()["Roots"]
    assert [r["Id"] for r in roots] == [ROOT_ID]


def test_list_accounts_paginates_over_fixed_ids(
    sim: SimulatedAws, seed_org: Callable[[int], SeededOrganization]
) -> None:
    seeded = seed_org(40)
    pages = list(sim.client("organizations").get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 20}))
    accounts = [a for page in pages for a in page["Accounts"]]
    assert len(pages) == 2
    assert [a["Id"] for a in accounts] == list(seeded.account_ids)
    assert len(set(seeded.account_ids)) == 40
    assert seeded.account_ids[:3] == (MANAGEMENT, "210000000001", "210000000002")
    assert seeded.account_ids[FIXED_ACCOUNT_COUNT:FIXED_ACCOUNT_COUNT + 2] == ("300000000001", "300000000002")
    by_id = {a["Id"]: a for a in accounts}
    assert by_id["210000000011"]["State"] == "SUSPENDED"  # State only, as AWS answers today
    assert by_id["210000000014"]["State"] == "PENDING_CLOSURE"
    assert all("Status" not in a for a in accounts)
    assert by_id["210000000013"]["Name"] == ODD_NAME
    assert by_id["210000000001"]["Email"] == "aws+security-audit@example.com"
    assert seeded.account("300000000018").ou_path == "Root/Scale/Batch-1"


def test_ou_tree_has_fixed_ids(sim: SimulatedAws, organization: SeededOrganization) -> None:
    orgs = sim.client("organizations")
    for account in organization.accounts[1:]:
        parents = orgs.list_parents(ChildId=account.account_id)["Parents"]
        assert parents == [{"Id": ou_id_for(account.ou_path), "Type": "ORGANIZATIONAL_UNIT"}]
    prod = ou_id_for("Root/Prod")
    children = orgs.list_organizational_units_for_parent(ParentId=prod)["OrganizationalUnits"]
    assert sorted(c["Name"] for c in children) == ["Payments", "Web"]
    assert organization.ou_ids["Root/Prod/Web"] == ou_id_for("Root/Prod/Web")


def test_seeding_is_repeatable(sim: SimulatedAws, seed_org: Callable[[int], SeededOrganization]) -> None:
    from scanner.simulation.server import reset_backends

    def snapshot() -> tuple[object, ...]:
        iam = member_client(sim, "210000000002")
        users = [(u["UserName"], u["UserId"], u["CreateDate"]) for u in iam.list_users()["Users"]]
        accounts = sim.client("organizations").list_accounts()["Accounts"]
        return users, accounts

    seed_org(FIXED_ACCOUNT_COUNT)
    first = snapshot()
    reset_backends()
    seed_org(FIXED_ACCOUNT_COUNT)
    assert snapshot() == first


@pytest.mark.parametrize(
    ("account_id", "mfa", "keys", "password", "users", "providers"),
    [
        (MANAGEMENT, 1, 0, 1, 3, 0),
        ("210000000001", 1, 0, 1, 0, 1),
        ("210000000002", 1, 1, 1, 3, 0),
        ("210000000003", 1, 1, 1, 3, 0),
        ("210000000004", 0, 0, 1, 3, 0),
        ("210000000007", 1, 0, 1, 2, 0),
        ("210000000008", 0, 0, 1, 0, 0),
        ("210000000009", 0, 0, 0, 3, 0),
    ],
)
def test_account_summary_follows_root_posture(
    sim: SimulatedAws,
    organization: SeededOrganization,
    account_id: str,
    mfa: int,
    keys: int,
    password: int,
    users: int,
    providers: int,
) -> None:
    summary = _iam(sim, account_id).get_account_summary()["SummaryMap"]  # type: ignore[attr-defined]
    assert summary["AccountMFAEnabled"] == mfa
    assert summary["AccountAccessKeysPresent"] == keys
    assert summary["AccountPasswordPresent"] == password
    assert summary["Users"] == users
    assert summary["Providers"] == providers


def test_credential_report_starts_with_a_wellformed_root_row(
    sim: SimulatedAws, organization: SeededOrganization
) -> None:
    rows, generated = _report_rows(_iam(sim, "210000000002"))
    assert tuple(rows[0]) == HEADER
    assert all(len(row) == 22 for row in rows)
    root = dict(zip(HEADER, rows[1], strict=True))
    assert root["user"] == "<root_account>"
    assert root["arn"] == "arn:aws:iam::210000000002:root"
    assert (
        root["password_enabled"] == root["password_last_changed"] == root["password_next_rotation"] == "not_supported"
    )
    assert root["mfa_active"] == "true"
    assert root["access_key_1_active"] == "true"
    assert root["access_key_1_last_rotated"] == "2025-03-04T10:00:00+00:00"
    assert root["access_key_2_active"] == "false"
    assert root["access_key_2_last_rotated"] == "N/A"
    assert [row[0] for row in rows[2:]] == ["alice.admin", "bob.dev", "ci-deployer"]
    assert abs(datetime.now(UTC) - generated) < timedelta(minutes=2)


def test_report_root_rows_per_posture(sim: SimulatedAws, organization: SeededOrganization) -> None:
    def root_of(account_id: str) -> dict[str, str]:
        rows, _ = _report_rows(_iam(sim, account_id))
        return dict(zip(HEADER, rows[1], strict=True))

    inactive = root_of("210000000003")
    assert (inactive["access_key_1_active"], inactive["access_key_1_last_rotated"]) == (
        "false",
        "2024-11-12T16:30:00+00:00",
    )
    assert root_of("210000000004")["mfa_active"] == "false"
    assert root_of("210000000007")["mfa_active"] == "true"
    rootless = root_of("210000000009")
    assert (rootless["mfa_active"], rootless["access_key_1_active"], rootless["cert_1_active"]) == (
        "false",
        "false",
        "false",
    )
    assert rootless["password_last_used"] == "N/A"


def test_hostile_names_keep_22_fields(sim: SimulatedAws, organization: SeededOrganization) -> None:
    rows, _ = _report_rows(_iam(sim, "210000000013"))
    assert all(len(row) == 22 for row in rows)
    assert [row[0] for row in rows[1:]] == ["<root_account>", "=1+2", "@ops-admin", "deploy,ci"]
    assert rows[4][1] == "arn:aws:iam::210000000013:user/deploy,ci"
    iam = _iam(sim, "210000000013")
    for user in ("=1+2", "@ops-admin", "deploy,ci"):
        assert iam.list_groups_for_user(UserName=user)["Groups"]  # type: ignore[attr-defined]


def test_report_before_generation_is_not_present(sim: SimulatedAws, organization: SeededOrganization) -> None:
    with pytest.raises(ClientError) as caught:
        _iam(sim, "210000000005").get_credential_report()  # type: ignore[attr-defined]
    assert caught.value.response["Error"]["Code"] == "ReportNotPresent"


def test_root_virtual_mfa_device_is_listed_by_arn(sim: SimulatedAws, organization: SeededOrganization) -> None:
    def root_devices(account_id: str) -> list[dict[str, object]]:
        devices = _iam(sim, account_id).list_virtual_mfa_devices()["VirtualMFADevices"]  # type: ignore[attr-defined]
        return [d for d in devices if d["User"]["Arn"].endswith(":root")]

    [device] = root_devices("210000000002")
    assert device["SerialNumber"] == "arn:aws:iam::210000000002:mfa/ops-root-token"
    assert "UserName" not in device["User"]  # type: ignore[operator]
    assert device["User"]["Arn"] == "arn:aws:iam::210000000002:root"  # type: ignore[index]
    assert root_devices("210000000004") == []
    # Hardware root MFA: summary and report say enabled, yet no virtual device for root.
    assert root_devices("210000000007") == []


def test_password_policies(sim: SimulatedAws, organization: SeededOrganization) -> None:
    policy = _iam(sim, "210000000002").get_account_password_policy()["PasswordPolicy"]  # type: ignore[attr-defined]
    assert policy["MinimumPasswordLength"] == 14
    assert policy["PasswordReusePrevention"] == 24
    assert all(
        policy[k]
        for k in ("RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters", "RequireLowercaseCharacters")
    )
    for account_id in ("210000000005", "210000000008"):
        with pytest.raises(ClientError) as caught:
            _iam(sim, account_id).get_account_password_policy()  # type: ignore[attr-defined]
        assert caught.value.response["Error"]["Code"] == "NoSuchEntity"


def test_permissions_postures(sim: SimulatedAws, organization: SeededOrganization) -> None:
    data = _iam(sim, "210000000006")
    attached = data.list_attached_user_policies(UserName="data-engineer")["AttachedPolicies"]  # type: ignore[attr-defined]
    assert [p["PolicyName"] for p in attached] == ["DataLakeReadOnly"]
    baseline = _iam(sim, "210000000002")
    groups = baseline.list_groups()["Groups"]  # type: ignore[attr-defined]
    assert {g["GroupName"] for g in groups} == {"Administrators", "Developers"}
    for user in baseline.list_users()["Users"]:  # type: ignore[attr-defined]
        assert baseline.list_attached_user_policies(UserName=user["UserName"])["AttachedPolicies"] == []  # type: ignore[attr-defined]
        assert baseline.list_user_policies(UserName=user["UserName"])["PolicyNames"] == []  # type: ignore[attr-defined]
    app = _iam(sim, "210000000007")
    assert app.list_groups()["Groups"] == []  # type: ignore[attr-defined]
    assert app.list_user_policies(UserName="app-deployer")["PolicyNames"] == ["deploy-inline"]  # type: ignore[attr-defined]
    empty = _iam(sim, "210000000008")
    assert empty.list_users()["Users"] == [] and empty.list_groups()["Groups"] == []  # type: ignore[attr-defined]
