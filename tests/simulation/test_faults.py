"""Each fault rule, seen from boto3 the way a scanner would meet it."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from scanner.simulation.credential_report import HEADER
from scanner.simulation.keys import decode_account
from scanner.simulation.rules import ApiRequest, MalformedReport, cut_off, throttle
from scanner.simulation.seed import SeededOrganization
from scanner.simulation.server import SimulatedAws
from tests.simulation.helpers import NO_RETRIES, member_client, member_session

DENIED = "210000000010"
SCP = "210000000012"


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_demo_denials(sim: SimulatedAws, organization: SeededOrganization) -> None:
    organization.install(sim.faults)
    with pytest.raises(ClientError) as caught:
        member_session(sim, DENIED, config=NO_RETRIES)
    code, status, message = _error(caught)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        "User: arn:aws:iam::123456789012:user/scanner is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{DENIED}:role/OrganizationAccountAccessRole"
    )

    iam = member_client(sim, SCP, config=NO_RETRIES)
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
    with pytest.raises(ClientError) as caught:
        iam.get_account_password_policy()
    code, status, message = _error(caught)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: arn:aws:sts::{SCP}:assumed-role/OrganizationAccountAccessRole/orgscan-test ")
    assert message.endswith(
        "iam:GetAccountPasswordPolicy on resource: * with an explicit deny in a service control policy"
    )
    # Other accounts are untouched.
    assert member_client(sim, "210000000002").get_account_password_policy()["PasswordPolicy"]
    assert sim.faults.counter.faults() == {"deny": 2}


def test_throttling_iam_and_organizations(sim: SimulatedAws, organization: SeededOrganization) -> None:
    sim.faults.throttle(1.0, action="GetAccountSummary")
    sim.faults.throttle(1.0, action="ListAccounts")
    with pytest.raises(ClientError) as caught:
        sim.client("iam", config=NO_RETRIES).get_account_summary()
    assert _error(caught)[:2] == ("Throttling", 400)
    with pytest.raises(ClientError) as caught:
        sim.client("organizations", config=NO_RETRIES).list_accounts()
    assert _error(caught)[:2] == ("TooManyRequestsException", 400)
    assert caught.value.response["Error"]["Message"] == "Rate exceeded"


def test_throttle_share_is_seeded(sim: SimulatedAws, organization: SeededOrganization) -> None:
    def outcomes() -> list[bool]:
        sim.faults.clear()
        sim.faults.throttle(0.5, seed=7, action="GetAccountSummary")
        iam = sim.client("iam", config=NO_RETRIES)
        results = []
        for _ in range(20):
            try:
                iam.get_account_summary()
                results.append(True)
            except ClientError:
                results.append(False)
        return results

    first = outcomes()
    assert outcomes() == first
    assert 3 <= first.count(False) <= 17


def test_second_page_throttled_then_recovers(sim: SimulatedAws, seed_org: Callable[[int], SeededOrganization]) -> None:
    seed_org(40)
    sim.faults.add(throttle(action="ListAccounts", paginated_only=True, limit=2))
    retrying = Config(retries={"max_attempts": 5, "mode": "standard"})
    orgs = sim.client("organizations", config=retrying)
    pages = list(orgs.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 20}))
    assert sum(len(p["Accounts"]) for p in pages) == 40
    assert pages[1]["ResponseMetadata"]["RetryAttempts"] == 2
    assert sim.faults.counter.calls_for("123456789012", "ListAccounts") == 4
    assert sim.faults.counter.faults() == {"throttle": 2}


def test_server_error(sim: SimulatedAws, organization: SeededOrganization) -> None:
    sim.faults.server_error("ListUsers")
    with pytest.raises(ClientError) as caught:
        sim.client("iam", config=NO_RETRIES).list_users()
    assert _error(caught)[:2] == ("ServiceFailure", 500)
    sim.faults.server_error("ListRoots")
    with pytest.raises(ClientError) as caught:
        sim.client("organizations", config=NO_RETRIES).list_roots()
    assert _error(caught)[:2] == ("InternalFailure", 500)


def test_report_in_progress_forever(sim: SimulatedAws, organization: SeededOrganization) -> None:
    sim.faults.report_in_progress("210000000002")
    iam = member_client(sim, "210000000002", config=NO_RETRIES)
    for _ in range(3):
        assert iam.generate_credential_report()["State"] == "INPROGRESS"
        with pytest.raises(ClientError) as caught:
            iam.get_credential_report()
        assert _error(caught)[:2] == ("ReportInProgress", 404)
    other = member_client(sim, "210000000003")
    assert other.generate_credential_report()["State"] == "STARTED"


@pytest.mark.parametrize("kind", ["wrong_header", "truncated", "binary"])
def test_malformed_reports(sim: SimulatedAws, organization: SeededOrganization, kind: str) -> None:
    sim.faults.malformed_report("210000000002", kind)  # type: ignore[arg-type]
    iam = member_client(sim, "210000000002")
    iam.generate_credential_report()
    content = iam.get_credential_report()["Content"]
    if kind == "binary":
        with pytest.raises(UnicodeDecodeError):
            content.decode("utf-8")
        return
    text = content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if kind == "wrong_header":
        assert tuple(rows[0]) != HEADER
        assert rows[1][0] == "<root_account>"
    else:
        assert tuple(rows[0]) == HEADER
        assert not text.endswith("\n")
        assert 1 < len(rows[-1]) < 22
    assert sim.faults.counter.faults() == {"malformed_report": 1}


def test_truncation_cuts_inside_the_last_row() -> None:
    rule = MalformedReport(report_kind="truncated")
    cut = rule.corrupt(b"a,b,c\n1,2,3\nlong,row,here\n").decode()
    assert cut == "a,b,c\n1,2,3\nlong,r"


def test_cut_off_answers_are_short_200s_that_only_parsing_can_tell(
        sim: SimulatedAws, organization: SeededOrganization) -> None:
    sim.faults.cut_off(action="GetAccountSummary", account_id="210000000002")
    iam = member_client(sim, "210000000002", config=NO_RETRIES)
    with pytest.raises(ResponseParserError, match="invalid XML received"):
        iam.get_account_summary()
    assert iam.list_users()["Users"] is not None  # other actions are untouched
    assert member_client(sim, "210000000003").get_account_summary()["SummaryMap"]  # and other accounts
    assert sim.faults.counter.faults() == {"cut_off": 1}


def test_an_assume_role_answer_cut_after_the_credentials_still_carries_them(
        sim: SimulatedAws, organization: SeededOrganization) -> None:
    sim.faults.cut_off(action="AssumeRole", after="</Credentials>")
    with pytest.raises(ResponseParserError) as caught:
        member_session(sim, "210000000002", config=NO_RETRIES)
    body = str(caught.value).partition("\n")[2]
    assert body.endswith("</Credentials>'") and "<AssumedRoleUser>" not in body
    assert "<SecretAccessKey>" in body and "<SessionToken>" in body


def test_a_cut_off_json_answer_is_not_an_error_to_botocore(
        sim: SimulatedAws, organization: SeededOrganization) -> None:
    # The JSON protocol's parser takes a body it cannot read for an empty answer: a page without accounts
    # and without a NextToken. A scanner must check JSON answers itself.
    sim.faults.cut_off(action="ListAccounts")
    page = sim.client("organizations", config=NO_RETRIES).list_accounts()
    assert "Accounts" not in page and "NextToken" not in page


def test_cut_off_share_is_seeded_and_spares_errors(sim: SimulatedAws, organization: SeededOrganization) -> None:
    def outcomes() -> list[bool]:
        sim.faults.clear()
        sim.faults.cut_off(0.5, seed=3, action="GetAccountSummary", limit=8)
        iam = sim.client("iam", config=NO_RETRIES)
        results = []
        for _ in range(24):
            try:
                iam.get_account_summary()
                results.append(True)
            except ResponseParserError:
                results.append(False)
        return results

    first = outcomes()
    assert outcomes() == first
    assert first.count(False) == 8  # the limit, reached within 24 calls at one in two

    sim.faults.clear()
    rule = sim.faults.cut_off(action="GetRole")  # moto's own error answer is left whole
    with pytest.raises(ClientError) as caught:
        sim.client("iam", config=NO_RETRIES).get_role(RoleName="no-such-role")
    assert _error(caught)[:2] == ("NoSuchEntity", 404)
    assert rule.fired == 0


def test_missing_field_takes_one_element_out_of_a_whole_answer(
        sim: SimulatedAws, organization: SeededOrganization) -> None:
    sim.faults.missing_field("SummaryMap", action="GetAccountSummary", account_id="210000000002")
    sim.faults.missing_field("Credentials", action="AssumeRole", account_id="210000000003")
    summary = member_client(sim, "210000000002", config=NO_RETRIES).get_account_summary()
    assert "SummaryMap" not in summary and summary["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert member_client(sim, "210000000004").get_account_summary()["SummaryMap"]
    answer = sim.client("sts", config=NO_RETRIES).assume_role(
        RoleArn="arn:aws:iam::210000000003:role/OrganizationAccountAccessRole", RoleSessionName="orgscan-test")
    assert "Credentials" not in answer and answer["AssumedRoleUser"]["Arn"].endswith("/orgscan-test")
    assert sim.faults.counter.faults() == {"missing_field": 2}
    with pytest.raises(ValueError, match="element name"):
        sim.faults.missing_field("<SummaryMap>")


def test_rules_match_on_service() -> None:
    rule = cut_off(service="iam", account_id="210000000001")
    request = ApiRequest(service="iam", action="GetAccountSummary", protocol="query",
                         calling_account="210000000001", principal_arn="arn:aws:sts::210000000001:assumed-role/R/s")
    assume = ApiRequest(service="sts", action="AssumeRole", protocol="query", calling_account="123456789012",
                        principal_arn="arn:aws:iam::123456789012:user/scanner", target_account="210000000001")
    assert rule.matches(request)
    assert not rule.matches(assume)
    with pytest.raises(ValueError, match="share"):
        cut_off(1.5)


def test_drop_connection(sim: SimulatedAws, organization: SeededOrganization) -> None:
    rule = sim.faults.drop_connection("ListUsers")
    iam = sim.client("iam", config=NO_RETRIES)
    with pytest.raises(ConnectionClosedError):
        iam.list_users()
    sim.faults.remove(rule)
    assert len(iam.list_users()["Users"]) == 3
    assert sim.faults.counter.faults() == {"drop_connection": 1}


def test_latency_runs_in_each_request_thread(sim: SimulatedAws, organization: SeededOrganization) -> None:
    sim.faults.latency(0.3, 0.3, action="ListUsers")
    clients = [sim.client("iam") for _ in range(4)]
    started = time.perf_counter()
    threads = [threading.Thread(target=c.list_users) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    assert 0.3 <= elapsed < 1.0


def test_counts_calls_per_account(sim: SimulatedAws, organization: SeededOrganization) -> None:
    iam = member_client(sim, "210000000004")
    iam.get_account_summary()
    iam.list_users()
    counter = sim.faults.counter
    assert counter.calls_for("210000000004") == 3
    assert counter.calls()[("210000000004", "AssumeRole")] == 1
    assert counter.by_account() == {"210000000004": 3}
    counter.reset()
    assert counter.total == 0


def test_stop_makes_calls_fail() -> None:
    server = SimulatedAws().start()
    iam = server.client("iam", config=NO_RETRIES)
    iam.list_users()
    server.stop()
    with pytest.raises(EndpointConnectionError):
        iam.list_users()


def test_moto_keys_decode_to_their_account(sim: SimulatedAws, organization: SeededOrganization) -> None:
    for account_id in ("210000000003", "210000000004"):
        key = member_session(sim, account_id)["aws_access_key_id"]
        assert decode_account(key) == account_id
    assert decode_account("not-a-key") is None


def test_rules_match_on_target_account_for_assume_role() -> None:
    rule = throttle(account_id="210000000001")
    assume = ApiRequest(
        service="sts",
        action="AssumeRole",
        protocol="query",
        calling_account="123456789012",
        principal_arn="arn:aws:iam::123456789012:user/scanner",
        target_account="210000000001",
    )
    other = ApiRequest(
        service="iam",
        action="ListUsers",
        protocol="query",
        calling_account="123456789012",
        principal_arn="arn:aws:iam::123456789012:user/scanner",
    )
    assert rule.matches(assume)
    assert not rule.matches(other)
