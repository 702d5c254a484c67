"""Discover the accounts to scan: ListAccounts (all pages), OU paths from one walk of the OU tree."""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from scanner.aws.paginate import pages
from scanner.aws.session import SessionFactory, api_error
from scanner.config import Config
from scanner.errors import ConfigError, DiscoveryError
from scanner.models import Account, Caller, Discovery, Organization

log = logging.getLogger(__name__)

TREE_WORKERS = 8

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


def _children(client: Any, parent_id: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The account ids directly under `parent_id`, and its child OUs (all pages of each)."""
    accounts = [a["Id"] for page in pages(client, "list_accounts_for_parent", ParentId=parent_id)
                for a in page.get("Accounts", [])]
    ous = [ou for page in pages(client, "list_organizational_units_for_parent", ParentId=parent_id)
           for ou in page.get("OrganizationalUnits", [])]
    return accounts, ous


def _walk_tree(client: Any, pool: Executor) -> dict[str, _Placement]:
    """Account id -> OU path (`Root/Prod/Payments`) and the ids of every parent above it.

    Sibling OUs are listed concurrently: the walk takes as many round trips as the tree is deep (times
    the pages of its largest OU), not as many as it has OUs.
    """
    placements: dict[str, _Placement] = {}
    roots = [root for page in pages(client, "list_roots") for root in page.get("Roots", [])]
    pending: dict[Future[tuple[list[str], list[dict[str, Any]]]], tuple[str, frozenset[str]]] = {
        pool.submit(_children, client, root["Id"]): (root.get("Name") or "Root", frozenset({root["Id"]}))
        for root in roots
    }
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            path, ancestors = pending.pop(future)
            account_ids, ous = future.result()
            for account_id in account_ids:
                placements[account_id] = _Placement(path, ancestors)
            for ou in ous:
                child = pool.submit(_children, client, ou["Id"])
                pending[child] = (f"{path}/{ou['Name']}", ancestors | {ou["Id"]})
    return placements


def _list_accounts(client: Any) -> list[dict[str, Any]]:
    return [a for page in pages(client, "list_accounts", PaginationConfig={"PageSize": 20})
            for a in page.get("Accounts", [])]


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
        # ListAccounts pages one after another; the OU tree is walked alongside it.
        with ThreadPoolExecutor(max_workers=TREE_WORKERS, thread_name_prefix="discover") as pool:
            listing = pool.submit(_list_accounts, client)
            placements = _walk_tree(client, pool)
            listed = listing.result()
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
