"""Member accounts share one client per service: each request must still be signed as the account it is for.

Every account is collected concurrently through the same IAM client. These scans watch, over HTTP, which key
signed each request (its SigV4 scope), whose evidence came back, and which in-flight window counted it.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from scanner.aws.limiter import current_account
from scanner.aws.session import AccountCredentials, NoAccountCredentials, SessionFactory
from scanner.config import load_config
from scanner.models import Caller
from scanner.pipeline import scan
from scanner.simulation.keys import decode_account
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY, SimulatedAws
from scanner.simulation.wire import signing_scope
from tests.faults.helpers import logging_restored, no_pdf
from tests.integration.helpers import MANAGEMENT, read_csv, read_json, run_folder

__all__ = ["no_pdf"]

# One call each per scanned account, whatever the account holds (the paginated ones fit one page here).
ONCE_PER_ACCOUNT = ("GetAccountSummary", "GetAccountPasswordPolicy", "ListVirtualMFADevices", "ListSAMLProviders",
                    "ListServerCertificates")
# The account of each user, group, role and policy the evidence lists (trust policies name other accounts), and of
# each credential report row.
_ARN_ACCOUNT = re.compile(r'(?:"Arn": "|^[^,\n]*,)arn:aws:iam::(\d{12}):', re.MULTILINE)


class WatchingFactory(SessionFactory):
    """Notes each account's assumed-role key, and for every request sent by a member account's client the account
    it was counted for and the key that signed it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assumed: dict[str, str] = {}
        self.sent: list[tuple[str, str]] = []  # (the account a request was counted for, the key that signed it)
        self._watch_lock = threading.Lock()

    def assume(self, caller: Caller, account_id: str) -> AccountCredentials:
        credentials = super().assume(caller, account_id)
        with self._watch_lock:
            assert account_id not in self.assumed, f"{account_id} assumed twice"
            self.assumed[account_id] = credentials.access_key
        return credentials

    def account_client(self, service: str, account_id: str, credentials: AccountCredentials | None,
                       region: str | None = None) -> Any:
        client = super().account_client(service, account_id, credentials, region)
        if credentials is not None:
            client.meta.events.register("before-send", self._sent, unique_id="test-watch-signing")
        return client

    def _sent(self, request: Any, **_: Any) -> None:
        scope = signing_scope({"HTTP_AUTHORIZATION": request.headers.get("Authorization", b"").decode()})
        with self._watch_lock:
            self.sent.append((current_account(), scope.access_key))


def _factory(sim: SimulatedAws, out: Path, **settings: Any) -> tuple[Any, WatchingFactory]:
    config = load_config(None, {"out": str(out), **settings})
    config = replace(config, endpoint_url=sim.endpoint_url, region="us-east-1", profile="")
    return config, WatchingFactory(config, static_credentials=(MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY))


@pytest.mark.usefixtures("no_pdf")
def test_accounts_collected_concurrently_sign_every_request_with_their_own_key(
        sim: SimulatedAws, seed_org: Any, tmp_path: Path) -> None:
    organization: SeededOrganization = seed_org(48)
    sim.faults.latency(0.002, 0.02)  # answers arrive out of order, so the accounts' calls interleave
    config, factory = _factory(sim, tmp_path, workers=16, calls_per_account=4)
    with logging_restored():
        outcome = scan(config, factory)
    folder = run_folder(tmp_path)
    scanned = [r["account_id"] for r in read_csv(folder / "accounts.csv") if r["scan_status"] == "scanned"]
    members = [a for a in scanned if a != MANAGEMENT]
    assert len(members) >= 30 and outcome.counts["scanned"] == len(scanned)

    # The client side: each member request went out signed with the key AssumeRole gave that very account, and was
    # counted in that account's window.
    assert set(factory.assumed) >= set(members)
    assert len({*factory.assumed.values()}) == len(factory.assumed)
    keys = {key: account for account, key in factory.assumed.items()}
    sent = Counter((account, keys.get(key, f"not an assumed key: {key}")) for account, key in factory.sent)
    assert {account for account, _ in sent} == set(members)
    assert all(account == signer for account, signer in sent), [k for k in sent if k[0] != k[1]]
    assert all(decode_account(key) == account for account, key in factory.sent)
    assert {account for service, account in factory.limiter.limits() if service == "iam"} >= set(members)

    # The server side: AWS answered each account's calls as that account (moto knows an account by its key), once
    # per document, and what was stored for an account names that account alone.
    calls = sim.faults.counter
    for account_id in scanned:
        assert [calls.calls_for(account_id, action) for action in ONCE_PER_ACCOUNT] == [1] * len(ONCE_PER_ACCOUNT)
        assert calls.calls_for(account_id, "GetAccountAuthorizationDetails") == 2
        raw = folder / "raw" / account_id
        texts = [(raw / name).read_text(encoding="utf-8")
                 for name in ("authorization_details.json", "roles_and_policies.json", "credential_report.csv")]
        assert {*_ARN_ACCOUNT.findall("".join(texts))} == {account_id}, account_id
        assert read_json(raw / "meta.json")["account_id"] == account_id  # type: ignore[index]
    assert organization.management_account_id == MANAGEMENT


def test_interleaved_pages_of_two_accounts_are_each_signed_as_their_account(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    """One thread walks two accounts' paginators turn about: each page is requested as its own account, and the
    thread holds no account's credentials between them."""
    _, factory = _factory(sim, tmp_path, workers=1)
    caller = factory.caller()
    first, second = "210000000001", "210000000007"  # two roles each: two pages of one
    clients = {a: factory.account_client("iam", a, factory.assume(caller, a)) for a in (first, second)}
    walks = {a: iter(c.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 1}))
             for a, c in clients.items()}
    roles: dict[str, list[str]] = {first: [], second: []}
    while walks:
        for account_id in list(walks):
            page = next(walks[account_id], None)
            if page is None:
                del walks[account_id]
                continue
            roles[account_id] += [role["Arn"] for role in page["Roles"]]
            assert current_account() == ""  # nothing left behind between pages
    for account_id, arns in roles.items():
        assert len(arns) >= 2 and {arn.split(":")[4] for arn in arns} == {account_id}
    signed = Counter((account, decode_account(key)) for account, key in factory.sent)
    assert set(signed) == {(first, first), (second, second)}
    assert signed[(first, first)] == sim.faults.counter.calls_for(first, "ListRoles") >= 2


def test_the_shared_client_refuses_a_request_made_for_no_account(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    """A member account's shared client never falls back to any credentials: outside an account's call it sends
    nothing."""
    _, factory = _factory(sim, tmp_path, workers=1)
    client = factory.account_client("iam", "210000000006", factory.assume(factory.caller(), "210000000006"))
    shared = client._shared.client  # the client behind every member account's
    before = sim.faults.counter.total
    with pytest.raises(NoAccountCredentials):
        shared.get_account_summary()
    assert sim.faults.counter.total == before
    assert client.get_account_summary()["SummaryMap"]
