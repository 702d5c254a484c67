"""`orgscan policy --cloudformation`: a StackSet-ready template built from the collectors' declarations."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scanner.cli import main
from scanner.collect import ACCOUNT_PERMISSIONS
from scanner.errors import ConfigError
from scanner.policy_cfn import member_role_template


def print_template(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["policy", "--cloudformation", *args]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_template_creates_the_member_role_with_the_declared_actions(capsys: pytest.CaptureFixture[str]) -> None:
    template = print_template(capsys)
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    resources = template["Resources"]
    assert list(resources) == ["OrgscanMemberRole"]
    role = resources["OrgscanMemberRole"]
    assert role["Type"] == "AWS::IAM::Role"
    properties = role["Properties"]
    assert properties["RoleName"] == {"Ref": "RoleName"}
    [policy] = properties["Policies"]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == list(ACCOUNT_PERMISSIONS) and statement["Effect"] == "Allow"
    assert all(action.split(":")[0] in ("iam", "account", "access-analyzer")
               and ("Get" in action or "List" in action or "Generate" in action)
               for action in statement["Action"])  # read-only, plus generating the credential report


def test_trust_is_the_scanning_account_with_the_external_id(capsys: pytest.CaptureFixture[str]) -> None:
    template = print_template(capsys)
    parameters = template["Parameters"]
    assert set(parameters) == {"ScanningAccountId", "ExternalId", "RoleName"}
    assert parameters["ScanningAccountId"]["AllowedPattern"] == r"^\d{12}$"
    assert (parameters["ExternalId"]["MinLength"], parameters["ExternalId"]["MaxLength"]) == (2, 1224)
    assert parameters["RoleName"]["Default"] == "OrgscanReadOnly"
    trust = template["Resources"]["OrgscanMemberRole"]["Properties"]["AssumeRolePolicyDocument"]
    [statement] = trust["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${ScanningAccountId}:root"}}
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}


def test_every_reference_in_the_template_resolves(capsys: pytest.CaptureFixture[str]) -> None:
    template = print_template(capsys)
    text = json.dumps(template)
    known = set(template["Parameters"]) | set(template["Resources"])
    refs = {part.split('"')[0] for part in text.split('{"Ref": "')[1:]}
    subs = {name for name in ("ScanningAccountId",) if "${" + name + "}" in text}
    assert refs | subs <= known
    assert template["Outputs"]["RoleArn"]["Value"] == {"Fn::GetAtt": ["OrgscanMemberRole", "Arn"]}


def test_role_name_option_sets_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    template = print_template(capsys, "--role-name", "SecurityAudit")
    assert template["Parameters"]["RoleName"]["Default"] == "SecurityAudit"
    with pytest.raises(ConfigError, match="not a valid IAM role name"):
        member_role_template("audit/role")


def test_cloudformation_and_caller_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["policy", "--cloudformation", "--caller"])
    assert info.value.code == 1
    assert "not allowed with argument" in capsys.readouterr().err
