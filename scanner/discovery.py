"""Discover the accounts to scan: ListAccounts (all pages), OU paths from one walk of the OU tree."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from scanner.aws.paginate import pages
from scanner.aws.session import SessionFactory, api_error
from scanner.config import Config
from scanner.errors import ConfigError, DiscoveryError
from scanner.models import Account, Caller, Discovery, Organization, is_account_id

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


def account_state(listed: dict[str, Any]) -> str:
    """The account's state: `State` (AWS's answers since 2026-09-09 carry it alone), else the retired `Status`
    (older answers), else "" (neither: the account is attempted, never skipped for it)."""
    for key in ("State", "Status"):
        value = listed.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _account(listed: dict[str, Any], ou_path: str = "") -> Account:
    account_id = str(listed.get("Id", ""))
    if not is_account_id(account_id):
        raise DiscoveryError(f"Organizations named an account whose id is not 12 digits: {account_id[:40]!r}")
    return Account(
        account_id=account_id,
        account_name=listed.get("Name", ""),
        email=listed.get("Email", ""),
        status=account_state(listed),
        ou_path=ou_path,
    )


def _warn_unknown_states(accounts: list[Account]) -> None:
    for account in accounts:
        if not account.status:
            log.warning("account %s: Organizations gave no state (neither State nor Status); attempting it",
                        account.account_id)
        elif not account.state_known:
            log.warning("account %s: state %r is not one orgscan knows; attempting it", account.account_id,
                        account.status)


def _list_accounts(client: Any, on_page: Callable[[list[dict[str, Any]]], None]) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = []
    for page in pages(client, "list_accounts", PaginationConfig={"PageSize": 20}):
        accounts = page.get("Accounts", [])
        listed.extend(accounts)
        on_page(accounts)
    return listed


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


@dataclass(frozen=True)
class Identity:
    """Who is scanning and in which organization (None: the caller is in none)."""

    caller: Caller
    organization: dict[str, Any] | None


def identify(factory: SessionFactory) -> Identity:
    """The first, fast step: anything wrong with credentials or Organizations access shows here."""
    caller = factory.caller()
    try:
        org = factory.caller_client("organizations").describe_organization()["Organization"]
    except ClientError as exc:
        if api_error(exc).code == "AWSOrganizationsNotInUseException":
            log.info("caller %s is not in an organization; scanning its own account", caller.account_id)
            return Identity(caller, None)
        raise DiscoveryError(f"cannot describe the organization: {api_error(exc)}") from None
    except BotoCoreError as exc:
        raise DiscoveryError(f"cannot reach AWS Organizations: {exc}") from None
    return Identity(caller, org)


def discover(
    factory: SessionFactory,
    config: Config,
    identity: Identity | None = None,
    on_account: Callable[[Account], None] | None = None,
) -> Discovery:
    """Every account of the organization with its OU path, filtered by the configuration.

    With `on_account`, each selected account that can be scanned is handed over as soon as a
    ListAccounts page names it (without its OU path, which only the end of the walk knows), so that
    collection overlaps the pagination of a large organization. Filters that must see the whole
    organization first (`--accounts`, `--ou`) hand accounts over once discovery is complete.
    """
    identity = identity or identify(factory)
    deliver = on_account or (lambda _account: None)
    if identity.organization is None:
        discovery = _single_account(identity.caller, config)
        for account in discovery.accounts:
            deliver(account)
        return discovery
    streaming = on_account is not None and not (config.accounts or config.ous)

    caller_id = identity.caller.account_id

    def on_page(accounts: list[dict[str, Any]]) -> None:
        if streaming:
            for listed in accounts:
                account = _account(listed)
                if (account.scannable or account.account_id == caller_id) and account.account_id not in config.exclude:
                    deliver(account)

    client = factory.caller_client("organizations")
    try:
        # ListAccounts pages one after another; the OU tree is walked alongside it.
        with ThreadPoolExecutor(max_workers=TREE_WORKERS, thread_name_prefix="discover") as pool:
            listing = pool.submit(_list_accounts, client, on_page)
            placements = _walk_tree(client, pool)
            listed = listing.result()
    except ClientError as exc:
        raise DiscoveryError(f"cannot list the organization's accounts: {api_error(exc)}") from None
    except BotoCoreError as exc:
        raise DiscoveryError(f"cannot list the organization's accounts: {exc}") from None
    accounts = sorted(
        (_account(a, placements[a["Id"]].path if a.get("Id") in placements else "") for a in listed),
        key=lambda a: a.account_id,
    )
    _warn_unknown_states(accounts)
    org = identity.organization
    management_id = org.get("MasterAccountId", "")
    names = {a.account_id: a.account_name for a in accounts}
    organization = Organization(org.get("Id", ""), management_id, names.get(management_id, ""))
    log.info("discovered %d accounts in %s", len(accounts), organization.organization_id)
    discovery = Discovery(identity.caller, organization, tuple(_select(accounts, placements, config)))
    if not streaming:
        for account in discovery.accounts:
            if discovery.assesses(account):
                deliver(account)
    return discovery


def _single_account(caller: Caller, config: Config) -> Discovery:
    if config.ous:
        raise ConfigError("--ou: the caller's account is not in an organization")
    account = Account(caller.account_id, status="ACTIVE")
    accounts = _select([account], {}, config)
    return Discovery(caller, Organization(), tuple(accounts))
