"""The commands that hand results on: `push` (Security Hub, S3) and `policy` (the IAM policies orgscan needs)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from scanner.cli.common import fatal, print_push, whole_number
from scanner.config import load_config


def add_parsers(commands: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    push = commands.add_parser("push", help="send a run's findings to Security Hub, its evidence to S3")
    push.add_argument("run_dir", help="a run folder written by scan or demo")
    push.add_argument("--securityhub", action="store_true", help="import findings.asff.json into Security Hub")
    push.add_argument("--s3", metavar="s3://BUCKET/PREFIX",
                      help="upload the verified bundle, report.pdf and the manifest's SHA-256")
    push.add_argument("--object-lock-days", type=whole_number, metavar="N",
                      help="with --s3: keep each object in COMPLIANCE retention for N days (Object Lock bucket)")
    push.add_argument("--kms-key-id", metavar="KEY", help="with --s3: encrypt each object with this KMS key")
    push.add_argument("--region", help="region of Security Hub and S3 (default: the profile's)")
    push.add_argument("--profile", help="AWS profile that pushes")

    policy = commands.add_parser("policy", help="print the least-privilege IAM policy the scanner needs")
    kind = policy.add_mutually_exclusive_group()
    kind.add_argument("--caller", action="store_true",
                      help="the policy of the identity that runs the scan, not of the member role")
    kind.add_argument("--cloudformation", action="store_true",
                      help="a CloudFormation template (for a StackSet) that creates the member role")
    kind.add_argument("--push", action="store_true", help="the policy of the identity that runs `orgscan push`")
    policy.add_argument("--s3", metavar="s3://BUCKET/PREFIX", help="with --push: the objects it may write")
    policy.add_argument("--kms-key-id", metavar="KEY_ARN", help="with --push: the KMS key it encrypts with")
    policy.add_argument("--role-name", help="role assumed in members (default: OrganizationAccountAccessRole; "
                        "for --cloudformation, the role to create: OrgscanReadOnly)")
    return {"push": _run_push, "policy": _run_policy}


def _run_policy(args: argparse.Namespace) -> int:
    from scanner.permissions import caller_policy, member_role_policy, policy_json, push_policy

    if args.push:
        sys.stdout.write(policy_json(push_policy(args.s3, args.kms_key_id)))
        return 0
    if args.s3 or args.kms_key_id:
        fatal("policy: --s3 and --kms-key-id go with --push")
    if args.cloudformation:
        from scanner.policy_cfn import DEFAULT_STACK_ROLE_NAME, template_json

        sys.stdout.write(template_json(args.role_name or DEFAULT_STACK_ROLE_NAME))
        return 0
    role_name = args.role_name or "OrganizationAccountAccessRole"
    document = caller_policy(role_name) if args.caller else member_role_policy()
    sys.stdout.write(policy_json(document))
    return 0


def _run_push(args: argparse.Namespace) -> int:
    from scanner.aws.session import SessionFactory
    from scanner.push.command import PushRequest, run_push

    request = PushRequest.from_options(args.run_dir, securityhub=args.securityhub, s3_uri=args.s3,
                                       object_lock_days=args.object_lock_days, kms_key_id=args.kms_key_id)
    return print_push(run_push(SessionFactory(load_config(None, {"profile": args.profile, "region": args.region})),
                                request))
