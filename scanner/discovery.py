"""Discover the accounts to scan: ListAccounts (all pages), OU paths from one walk of the OU tree."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from scanner.aws.paginate import pages
from scanner.aws.session import SessionFactory, api_error
from scanner.config import Config
from scanner.errors import ConfigError, DiscoveryError
from scanner.models import Account, Caller, Discovery, Organization

log = logging.getLogger(__name__)

PERMISSIONS = (
    "sts:GetCallerIdentity",
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "organizations:ListRoots",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListAccountsForParent",
)


@dataclass(frozen=True)
class _Placement:
    path: str
    ancestors: frozenset[str]


def _walk_tree(client: Any) -> dict[str, _Placement]:
    """Account id -> OU path (`Root/Prod/Payments`) and the ids of every parent above it."""
    placements: dict[str, _Placement] = {}
    roots = [root for page in pages(client, "list_roots") for root in page.get("Roots", [])]
    stack = [(root["Id"], root.get("Name") or "Root", frozenset({root["Id"]})) for root in roots]
    while stack:
        parent_id, path, ancestors = stack.pop()
        for page in pages(client, "list_accounts_for_parent", ParentId=parent_id):
            for account in page.get("Accounts", []):
                placements[account["Id"]] = _Placement(path, ancestors)
        for page in pages(client, "list_organizational_units_for_parent", ParentId=parent_id):
            for ou in page.get("OrganizationalUnits", []):
                stack.append((ou["Id"], f"{path}/{ou['Name']}", ancestors | {ou["Id"]}))
    return placements


def _select(accounts: list[Account], placements: dict[str, _Placement], config: Config) -> list[Account]:
    known = {a.account_id for a in accounts}
    for account_id in config.accounts:
        if account_id not in known:
            raise ConfigError(f"--accounts: {account_id} is not an account of this organization")
    if config.ous:
        all_ids = set().union(*(p.ancestors for p in placements.values())) if placements else set()
        for ou in config.ous:
            if ou not in all_ids:
                raise ConfigError(f"--ou: {ou} is not an organizational unit of this organization")
    chosen = []
    for account in accounts:
        if config.accounts and account.account_id not in config.accounts:
            continue
        if account.account_id in config.exclude:
            continue
        if config.ous:
            placement = placements.get(account.account_id)
            if placement is None or not placement.ancestors.intersection(config.ous):
                continue
        chosen.append(account)
    return chosen


def discover(factory: SessionFactory, config: Config) -> Discovery:
    """Everything the scan needs to know before touching member accounts."""
    caller = factory.caller()
    client = factory.caller_client("organizations")
    try:
        org = client.describe_organization()["Organization"]
    except ClientError as exc:
        if api_error(exc).code == "AWSOrganizationsNotInUseException":
            log.info("caller %s is not in an organization; scanning its own account", caller.account_id)
            return _single_account(caller, config)
        raise DiscoveryError(f"cannot describe the organization: {api_error(exc)}") from None
    except BotoCoreError as exc:
        raise DiscoveryError(f"cannot reach AWS Organizations: {exc}") from None
    try:
        listed = [a for page in pages(client, "list_accounts", PaginationConfig={"PageSize": 20})
                  for a in page.get("Accounts", [])]
        placements = _walk_tree(client)
    except ClientError as exc:
        raise DiscoveryError(f"cannot list the organization's accounts: {api_error(exc)}") from None
    except BotoCoreError as exc:
        raise DiscoveryError(f"cannot list the organization's accounts: {exc}") from None
    accounts = sorted(
        (
            Account(
                account_id=str(a["Id"]).zfill(12),
                account_name=a.get("Name", ""),
                email=a.get("Email", ""),
                status=a.get("Status", ""),
                ou_path=placements[a["Id"]].path if a["Id"] in placements else "",
            )
            for a in listed
        ),
        key=lambda a: a.account_id,
    )
    management_id = org.get("MasterAccountId", "")
    names = {a.account_id: a.account_name for a in accounts}
    organization = Organization(org.get("Id", ""), management_id, names.get(management_id, ""))
    log.info("discovered %d accounts in %s", len(accounts), organization.organization_id)
    return Discovery(caller, organization, tuple(_select(accounts, placements, config)))


def _single_account(caller: Caller, config: Config) -> Discovery:
    if config.ous:
        raise ConfigError("--ou: the caller's account is not in an organization")
    account = Account(caller.account_id, status="ACTIVE")
    accounts = _select([account], {}, config)
    return Discovery(caller, Organization(), tuple(accounts))
