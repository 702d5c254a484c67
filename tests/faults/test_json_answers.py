"""JSON answers (Organizations, Account, Access Analyzer) are read once: one that is not JSON is unreadable."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from scanner.aws.malformed import MALFORMED_RESPONSE
from scanner.aws.session import SessionFactory
from scanner.config import Config
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY, SimulatedAws

MANAGEMENT = "123456789012"


def _factory(sim: SimulatedAws, **settings: Any) -> SessionFactory:
    config = Config(endpoint_url=sim.endpoint_url, region="us-east-1", **settings)
    return SessionFactory(config, static_credentials=(MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY))


@pytest.mark.usefixtures("fast_backoff")
def test_a_json_answer_cut_off_every_time_is_a_malformed_response(
        sim: SimulatedAws, organization: SeededOrganization) -> None:
    factory = _factory(sim, max_attempts=2)
    sim.faults.cut_off(action="ListAccounts")
    with pytest.raises(ClientError) as raised:
        factory.caller_client("organizations").list_accounts()
    error = raised.value.response["Error"]
    assert error["Code"] == MALFORMED_RESPONSE
    assert "HTTP 200" in error["Message"] and '"Accounts"' not in error["Message"]
    assert sim.faults.counter.calls_for(MANAGEMENT, "ListAccounts") == 2


def test_whole_json_answers_and_json_errors_read_as_botocore_reads_them(
        sim: SimulatedAws, organization: SeededOrganization) -> None:
    factory = _factory(sim, max_attempts=1)
    organizations = factory.caller_client("organizations")
    accounts = [a for page in organizations.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
    assert len(accounts) == len(organization.accounts) and accounts[0]["JoinedTimestamp"].tzinfo is not None
    sim.faults.deny("DescribeOrganization")
    with pytest.raises(ClientError) as raised:
        organizations.describe_organization()
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
