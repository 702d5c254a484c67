"""Seeding cost and state isolation: the benchmark's organizations must be cheap to build."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from scanner.simulation.catalog import FIXED_ACCOUNT_COUNT
from scanner.simulation.seed import SeededOrganization, seed_organization
from scanner.simulation.server import SimulatedAws, reset_backends
from tests.simulation.helpers import NOW, member_client

logger = logging.getLogger(__name__)


def test_seeding_a_thousand_accounts_is_quick(
    sim: SimulatedAws, seed_org: Callable[[int], SeededOrganization], record_property: Callable[[str, object], None]
) -> None:
    started = time.perf_counter()
    seeded = seed_org(1000)
    seconds = time.perf_counter() - started
    record_property("seed_1000_seconds", round(seconds, 2))
    logger.info("seeded 1,000 accounts in %.2f s", seconds)
    assert len(seeded.accounts) == 1000
    last = seeded.accounts[-1]
    assert last.account_id == f"3{1000 - FIXED_ACCOUNT_COUNT:011d}"
    assert last.ou_path == "Root/Scale/Batch-10"
    summary = member_client(sim, last.account_id).get_account_summary()["SummaryMap"]
    assert summary["AccountMFAEnabled"] in (0, 1)


def test_too_small_an_organization_is_refused() -> None:
    with pytest.raises(ValueError, match=f"at least {FIXED_ACCOUNT_COUNT}"):
        seed_organization(FIXED_ACCOUNT_COUNT - 1)


def test_reset_forgets_the_organization(sim: SimulatedAws, organization: SeededOrganization) -> None:
    with pytest.raises(RuntimeError, match="reset_backends"):
        seed_organization(now=NOW)
    reset_backends()
    with pytest.raises(ClientError) as caught:
        sim.client("organizations").describe_organization()
    assert caught.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"
    assert sim.client("iam").list_users()["Users"] == []
