"""The floor the scan benchmark measures orgscan against: a bare boto3 thread pool making orgscan's requests.

Per account, exactly what orgscan asks AWS, in the same order of dependence: AssumeRole (not for the caller's own
account); then, alongside each other, the credential report (GetCredentialReport, and when it is missing or older
than four hours GenerateCredentialReport and GetCredentialReport until it is ready) and the seven documents
(GetAccountSummary, GetAccountPasswordPolicy, ListVirtualMFADevices, GetAccountAuthorizationDetails for users and
groups and again for roles and customer managed policies, every page, ListSAMLProviders, ListServerCertificates).
Organization-level calls as orgscan makes them: ListAccounts (20 per page), the OU walk, ListOrganizationsFeatures.
It writes nothing, checks nothing and keeps nothing: whatever orgscan spends beyond this is the cost of being a
tool.

Run as its own process (like `orgscan scan`), so the two compete for the CPU alike:

    python bench/floor.py --workers 16          # AWS_ENDPOINT_URL and credentials from the environment
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROLE = "OrganizationAccountAccessRole"
NOT_READY = {"ReportInProgress", "ReportNotPresent", "ReportExpired"}


def _report(iam: Any) -> None:
    try:
        answer = iam.get_credential_report()
        if datetime.now(UTC) - answer["GeneratedTime"] <= timedelta(hours=4):
            return
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in NOT_READY:
            return
    iam.generate_credential_report()
    delay = 0.5
    for _ in range(20):
        try:
            iam.get_credential_report()
            return
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in NOT_READY:
                return
        time.sleep(delay)
        delay = min(delay * 2, 5.0)


def _password_policy(iam: Any) -> Any:
    try:
        return iam.get_account_password_policy()
    except ClientError as exc:
        return exc.response


def _document_calls(iam: Any) -> list[Any]:
    """The seven document calls, each on its own, as orgscan runs them alongside each other."""
    return [
        iam.get_account_summary,
        lambda: _password_policy(iam),
        lambda: list(iam.get_paginator("list_virtual_mfa_devices").paginate()),
        lambda: list(iam.get_paginator("get_account_authorization_details").paginate(Filter=["User", "Group"])),
        iam.list_saml_providers,
        lambda: list(iam.get_paginator("get_account_authorization_details").paginate(
            Filter=["Role", "LocalManagedPolicy"])),
        lambda: list(iam.get_paginator("list_server_certificates").paginate()),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    started = time.perf_counter()
    config = Config(retries={"mode": "standard", "total_max_attempts": 8},
                    max_pool_connections=args.workers * 6)
    session = boto3.session.Session(region_name="us-east-1")
    sts = session.client("sts", config=config)
    orgs = session.client("organizations", config=config)
    caller = sts.get_caller_identity()["Account"]
    orgs.describe_organization()
    accounts = [a for page in orgs.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 20})
                for a in page["Accounts"]]
    parents = [r["Id"] for r in orgs.list_roots()["Roots"]]
    while parents:  # the OU walk, one level at a time
        children: list[str] = []
        for parent in parents:
            list(orgs.get_paginator("list_accounts_for_parent").paginate(ParentId=parent))
            for page in orgs.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent):
                children += [ou["Id"] for ou in page["OrganizationalUnits"]]
        parents = children
    active = [a["Id"] for a in accounts if (a.get("State") or a.get("Status")) == "ACTIVE"]
    calls = ThreadPoolExecutor(args.workers * 5)

    def one(account_id: str) -> None:
        if account_id == caller:
            iam = session.client("iam", config=config)
        else:
            creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}",
                                    RoleSessionName=f"floor-{account_id}")["Credentials"]
            iam = session.client("iam", config=config, aws_access_key_id=creds["AccessKeyId"],
                                 aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"])
        documents = [calls.submit(call) for call in _document_calls(iam)]
        _report(iam)
        for document in documents:
            document.result()

    collect_started = time.perf_counter()
    cpu_started = time.process_time()
    with ThreadPoolExecutor(args.workers) as pool:
        for future in [pool.submit(one, account_id) for account_id in active]:
            try:
                future.result()
            except ClientError:
                pass  # a denied role: orgscan records it, the floor moves on
    collect = time.perf_counter() - collect_started
    cpu = time.process_time() - cpu_started
    try:
        session.client("iam", config=config).list_organizations_features()
    except ClientError:
        pass
    calls.shutdown()
    print(json.dumps({"accounts": len(active), "wall_s": round(time.perf_counter() - started, 3),
                      "collect_s": round(collect, 3), "collect_cpu_s": round(cpu, 3),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
