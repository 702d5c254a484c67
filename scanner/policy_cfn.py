"""`orgscan policy --cloudformation`: a StackSet-ready template that creates the member role everywhere.

The role's policy is `member_role_policy()`, generated from what the collectors declare, so the template
cannot drift from the code. The trust lets only the scanning account assume the role, and only with the
external id; both are parameters so one template serves every member account of a StackSet. JSON is
valid CloudFormation and needs no YAML library.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.config import ROLE_NAME
from scanner.errors import ConfigError
from scanner.permissions import member_role_policy

DEFAULT_STACK_ROLE_NAME = "OrgscanReadOnly"
SESSION_SECONDS = 3600  # the scanner's default session_duration_s


def member_role_template(role_name: str = DEFAULT_STACK_ROLE_NAME) -> dict[str, Any]:
    """The CloudFormation template as a document; `role_name` is the RoleName parameter's default."""
    if "/" in role_name.strip("/") or not ROLE_NAME.match(role_name):
        raise ConfigError(f"--role-name: '{role_name}' is not a valid IAM role name for the template")
    policy = member_role_policy()
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "orgscan member role: read-only IAM access for the IAM Security Status scan, assumable "
                       "only from the scanning account with the external id.",
        "Parameters": {
            "ScanningAccountId": {
                "Type": "String",
                "Description": "12-digit id of the account the scan runs from (management or delegated "
                               "administrator).",
                "AllowedPattern": r"^\d{12}$",
                "ConstraintDescription": "a 12-digit AWS account id",
            },
            "ExternalId": {
                "Type": "String",
                "Description": "External id the scanner passes (orgscan scan --external-id).",
                "MinLength": 2,
                "MaxLength": 1224,
                "AllowedPattern": r"^[\w+=,.@:/-]+$",
            },
            "RoleName": {
                "Type": "String",
                "Description": "Name of the role to create (orgscan scan --role-name).",
                "Default": role_name,
                "AllowedPattern": r"^[\w+=,.@-]{1,64}$",
            },
        },
        "Resources": {
            "OrgscanMemberRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": {"Ref": "RoleName"},
                    "Description": "Assumed by orgscan to read IAM security posture (read-only).",
                    "MaxSessionDuration": SESSION_SECONDS,
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Sid": "OrgscanScanningAccount",
                            "Effect": "Allow",
                            "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${ScanningAccountId}:root"}},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}},
                        }],
                    },
                    "Policies": [{"PolicyName": "OrgscanReadIam", "PolicyDocument": policy}],
                    "Tags": [{"Key": "managed-by", "Value": "orgscan"}],
                },
            },
        },
        "Outputs": {
            "RoleArn": {"Description": "ARN of the orgscan member role.",
                        "Value": {"Fn::GetAtt": ["OrgscanMemberRole", "Arn"]}},
        },
    }


def template_json(role_name: str = DEFAULT_STACK_ROLE_NAME) -> str:
    return json.dumps(member_role_template(role_name), indent=2) + "\n"
