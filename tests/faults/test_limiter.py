"""In-flight limits: every request gives its slot back, whatever became of it; one account throttled slows itself."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError
from botocore.parsers import ResponseParserError

from scanner.aws.session import SessionFactory
from scanner.config import Config
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY, SimulatedAws
from tests.faults.helpers import BOXES, WORKERS, accounts, findings
from tests.integration.helpers import read_json, run_cli, run_folder
from tests.integration.test_scan import EXPECTED

THROTTLED = "210000000004"
# A hang is what a lost slot looks like; this bound only turns one into a failure instead of a stuck suite.
HANG = 120.0


def _factory(sim: SimulatedAws, **settings: Any) -> SessionFactory:
    config = Config(endpoint_url=sim.endpoint_url, region="us-east-1", **settings)
    return SessionFactory(config, static_credentials=(MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY))


def _every_other_parse_fails(events: Any) -> Callable[[], int]:
    """Make every second answer fail to parse before botocore's parser sees it; return how many did."""
    seen = Counter[str]()

    def fail(**_: Any) -> None:
        seen["answers"] += 1
        if seen["answers"] % 2 == 0:
            seen["failed"] += 1
            raise ResponseParserError("Unable to parse response (no element found), invalid XML received.")

    events.register("before-parse", fail)
    return lambda: seen["failed"]


def _in_thread(work: Callable[[], None]) -> bool:
    """Run `work`; True if it finished."""
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(HANG)
    return not thread.is_alive()


@pytest.mark.usefixtures("fast_backoff")
def test_answers_that_fail_to_parse_under_throttling_give_their_slots_back(
        sim: SimulatedAws, organization: SeededOrganization) -> None:
    factory = _factory(sim, workers=4, calls_per_account=4, max_attempts=3)
    sim.faults.throttle(1.0, action="GetAccountSummary", limit=12)  # shrinks the limit to its floor
    iam = factory.caller_client("iam")
    failed = _every_other_parse_fails(iam.meta.events)
    outcomes: Counter[str] = Counter()

    def calls() -> None:
        for _ in range(24):
            try:
                outcomes["summary" if iam.get_account_summary()["SummaryMap"] else "empty"] += 1
            except ResponseParserError:
                outcomes["parse failure"] += 1
            except ClientError as exc:
                outcomes[exc.response["Error"]["Code"]] += 1

    assert _in_thread(calls), f"calls stalled waiting for a request slot after {dict(outcomes)}"
    assert outcomes["parse failure"] == failed() >= 8
    assert outcomes["summary"] >= 8 and sum(outcomes.values()) == 24
    assert sim.faults.counter.faults()["throttle"] == 12
    assert factory.limiter.in_flight == 0
    assert factory.limiter.stats()["final_in_flight_limit"] >= 2


@pytest.mark.usefixtures("fast_backoff")
def test_every_kind_of_ending_gives_the_slot_back(sim: SimulatedAws, organization: SeededOrganization) -> None:
    factory = _factory(sim, workers=1, calls_per_account=2, max_attempts=2)  # two slots: one lost would show
    sim.faults.throttle(0.5, seed=2, action="GetAccountSummary")
    sim.faults.server_error("ListUsers")
    sim.faults.deny("ListRoles")
    sim.faults.drop_connection("ListGroups")
    sim.faults.cut_off(action="ListPolicies")
    iam = factory.caller_client("iam")
    failed = _every_other_parse_fails(iam.meta.events)
    outcomes: Counter[str] = Counter()
    operations = (iam.get_account_summary, iam.list_users, iam.list_roles, iam.list_groups, iam.list_policies)

    def calls() -> None:
        def worker() -> None:
            for _ in range(4):
                for operation in operations:
                    try:
                        operation()
                        outcomes["ok"] += 1
                    except ResponseParserError:
                        outcomes["parse failure"] += 1
                    except ConnectionClosedError:
                        outcomes["connection closed"] += 1
                    except ClientError as exc:
                        outcomes[exc.response["Error"]["Code"]] += 1

        workers = [threading.Thread(target=worker) for _ in range(3)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()

    assert _in_thread(calls), f"calls stalled waiting for a request slot after {dict(outcomes)}"
    assert sum(outcomes.values()) == 3 * 4 * len(operations)
    assert outcomes["parse failure"] == failed() > 0
    assert outcomes["AccessDenied"] > 0 and outcomes["ServiceFailure"] + outcomes["parse failure"] > 0
    assert outcomes["connection closed"] + outcomes["MalformedResponse"] > 0
    assert factory.limiter.in_flight == 0
    # Every attempt the server saw was let through the limit, and every one was given back.
    assert factory.limiter.stats()["requests"] == sim.faults.counter.total


def test_waiting_for_slots_that_never_come_back_is_bounded(
        sim: SimulatedAws, organization: SeededOrganization) -> None:
    factory = _factory(sim, workers=1, calls_per_account=2, connect_timeout_s=0.5, read_timeout_s=1.0)
    limiter, window = factory.limiter, factory.limiter.window("iam")  # the caller's own IAM calls
    for _ in range(window.limit):  # taken by threads that end without giving them back
        taker = threading.Thread(target=limiter.acquire, args=(window,))
        taker.start()
        taker.join()
    assert limiter.in_flight == window.limit == 2
    summary: dict[str, Any] = {}
    iam = factory.caller_client("iam")
    assert _in_thread(lambda: summary.update(iam.get_account_summary()))
    assert summary["SummaryMap"]["Users"] >= 1
    assert limiter.stats()["stalls"] == 1


@pytest.mark.usefixtures("fast_backoff")
def test_an_account_throttled_heavily_slows_itself_alone(
        sim: SimulatedAws, organization: SeededOrganization, tmp_path: Path) -> None:
    organization.install(sim.faults)
    sim.faults.throttle(0.6, seed=8, service="iam", account_id=THROTTLED)
    result = run_cli(sim, "scan", "--out", str(tmp_path), *WORKERS)
    assert result.code == 2, result.stderr

    folder = run_folder(tmp_path)
    api = read_json(folder / "run.json")["api"]  # type: ignore[index]
    injected = sim.faults.counter.faults()["throttle"]
    assert api["throttles"] == injected >= 5 and api["accounts_throttled"] == 1
    # Only that account's IAM window shrank; every other account, and the caller's STS, kept the full limit.
    [window] = api["throttled_windows"]
    assert (window["service"], window["account"], window["throttles"]) == ("iam", THROTTLED, injected)
    assert window["lowest_in_flight_limit"] < 4 * 4 // 2  # --workers 4, 4 calls per account
    assert api["final_in_flight_limit"] == window["final_in_flight_limit"]

    every, rows = findings(folder), accounts(folder)
    for account_id, expected in EXPECTED.items():
        statuses = tuple(every[(account_id, box)]["status"] for box in BOXES)
        if account_id != THROTTLED:
            assert statuses == expected, account_id
            continue
        assert rows[account_id]["scan_status"] == "scanned"
        for box, status, wanted in zip(BOXES, statuses, expected, strict=True):
            # What it would have been, or an ERROR that names the throttling that outlasted every attempt.
            assert status == wanted or "Throttling" in every[(account_id, box)]["detail"], box


def test_every_service_a_member_account_is_called_for_has_that_accounts_own_window() -> None:
    from scanner.aws.limiter import AdaptiveLimiter

    limiter = AdaptiveLimiter(8)
    for service in ("iam", "access-analyzer", "account"):
        assert limiter.window(service, "210000000001") is not limiter.window(service, "210000000002")
        assert limiter.window(service, "210000000001") is limiter.window(service, "210000000001")
    # The caller's own clients (STS, Organizations, its own IAM) share the caller's windows.
    assert limiter.window("sts") is limiter.window("sts", "")
