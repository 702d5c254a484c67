"""The IAM permissions the scanner needs, generated from what discovery and the collectors declare."""

from __future__ import annotations

import json
from typing import Any

from scanner.collect import ACCOUNT_PERMISSIONS
from scanner.collect.organization import ORGANIZATION_PERMISSIONS
from scanner.discovery import PERMISSIONS as DISCOVERY_PERMISSIONS
from scanner.push.s3 import KMS_PERMISSIONS, OBJECT_LOCK_PERMISSIONS, S3_PERMISSIONS, S3Destination
from scanner.push.securityhub import SECURITYHUB_PERMISSIONS

CALLER_PERMISSIONS: tuple[str, ...] = (*DISCOVERY_PERMISSIONS, *ORGANIZATION_PERMISSIONS)


def member_role_policy() -> dict[str, Any]:
    """The policy of the role assumed in every account (read-only IAM calls)."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "OrgscanReadIam", "Effect": "Allow", "Action": list(ACCOUNT_PERMISSIONS),
                       "Resource": "*"}],
    }


def caller_policy(role_name: str = "OrganizationAccountAccessRole", partition: str = "*") -> dict[str, Any]:
    """The policy of the identity that runs the scan in the management (or delegated admin) account.

    The role ARN's partition is a wildcard by default, so the same policy works in `aws`, `aws-us-gov` and
    `aws-cn`.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "OrgscanDiscover", "Effect": "Allow", "Action": list(CALLER_PERMISSIONS), "Resource": "*"},
            {"Sid": "OrgscanAssumeRole", "Effect": "Allow", "Action": ["sts:AssumeRole"],
             "Resource": f"arn:{partition}:iam::*:role/{role_name}"},
            {"Sid": "OrgscanOwnAccount", "Effect": "Allow", "Action": list(ACCOUNT_PERMISSIONS), "Resource": "*"},
        ],
    }


def push_policy(s3_uri: str | None = None, kms_key_id: str | None = None, partition: str = "*") -> dict[str, Any]:
    """The policy of the identity that runs `orgscan push`: Security Hub, and S3 under `s3_uri` when given
    (any bucket otherwise); kms:GenerateDataKey only where a key is given."""
    objects = "*"
    if s3_uri:
        destination = S3Destination.parse(s3_uri)
        objects = f"arn:{partition}:s3:::{destination.bucket}/{destination.key('*')}"
    statements: list[dict[str, Any]] = [
        {"Sid": "OrgscanPushSecurityHub", "Effect": "Allow", "Action": list(SECURITYHUB_PERMISSIONS),
         "Resource": "*"},
        {"Sid": "OrgscanPushS3", "Effect": "Allow", "Action": [*S3_PERMISSIONS, *OBJECT_LOCK_PERMISSIONS],
         "Resource": objects},
    ]
    if kms_key_id:
        statements.append({"Sid": "OrgscanPushKms", "Effect": "Allow", "Action": list(KMS_PERMISSIONS),
                           "Resource": kms_key_id})
    return {"Version": "2012-10-17", "Statement": statements}


def permissions_markdown() -> str:
    """The README's permission list, so it cannot drift from the code."""
    lines = ["Role assumed in each member account (`orgscan policy` prints it as JSON):", ""]
    lines += [f"- `{action}`" for action in ACCOUNT_PERMISSIONS]
    lines += ["", "Identity that runs the scan (management or delegated administrator account):", ""]
    lines += [f"- `{action}`" for action in CALLER_PERMISSIONS]
    lines += ["- `sts:AssumeRole` on `arn:*:iam::*:role/<role name>` (any partition)",
              "- the member-role actions above, for its own account (scanned without assuming a role)"]
    return "\n".join(lines) + "\n"


def push_permissions_markdown() -> str:
    """The README's list for `orgscan push`, generated like the scan's."""
    lines = ["Identity that runs `orgscan push` (`orgscan policy --push` prints it as JSON):", ""]
    lines += [f"- `{action}` (`--securityhub`)" for action in SECURITYHUB_PERMISSIONS]
    lines += [f"- `{action}` (`--s3`)" for action in S3_PERMISSIONS]
    lines += [f"- `{action}` (`--s3` with `--object-lock-days`)" for action in OBJECT_LOCK_PERMISSIONS]
    lines += [f"- `{action}` on the key (`--s3` with `--kms-key-id`)" for action in KMS_PERMISSIONS]
    return "\n".join(lines) + "\n"


def policy_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"
