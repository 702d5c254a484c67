"""botocore's retry quota is kept per account: throttling in some accounts never takes another's retries away.

botocore (standard mode) spends a retry quota per client: 5 units for each retry of a throttled call, of which a
call that finally succeeds gives back only its last retry's 5. Member accounts share one client per service, so
with one quota for all, a few accounts throttled for a while would leave every other account's throttled calls
with a single attempt.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from scanner.aws.session import SessionFactory
from scanner.config import Config
from scanner.simulation.server import MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY, SimulatedAws

ATTEMPTS = 8
THROTTLED = ATTEMPTS - 1  # each account's GetAccountSummary succeeds at its last attempt: 30 units it keeps


@pytest.mark.usefixtures("fast_backoff")
def test_accounts_throttled_to_their_last_attempt_each_keep_every_attempt(
        sim: SimulatedAws, seed_org: Any) -> None:
    organization = seed_org(40)
    members = [a.account_id for a in organization.accounts
               if a.account_id != organization.management_account_id][:24]  # 24 x 30 units: more than 500
    for account_id in members:
        sim.faults.throttle(1.0, action="GetAccountSummary", account_id=account_id, limit=THROTTLED)
    config = Config(endpoint_url=sim.endpoint_url, region="us-east-1", workers=8, max_attempts=ATTEMPTS)
    factory = SessionFactory(config, static_credentials=(MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY))
    caller = factory.caller()

    def summary(account_id: str) -> str:
        iam = factory.account_client("iam", account_id, factory.assume(caller, account_id))
        try:
            iam.get_account_summary()
        except iam.exceptions.ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        outcomes = dict(zip(members, pool.map(summary, members), strict=True))
    assert outcomes == dict.fromkeys(members, "ok")
    assert [sim.faults.counter.calls_for(a, "GetAccountSummary") for a in members] == [ATTEMPTS] * len(members)
    assert factory.limiter.stats()["throttles"] == THROTTLED * len(members)
