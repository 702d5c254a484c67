"""Reuse a fresh credential report; otherwise generate and poll with bounded backoff and a deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from scanner.collect.credential_report import ReportNotReady, collect_credential_report
from scanner.config import CredentialReportSettings

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
SETTINGS = CredentialReportSettings(max_age_hours=4, poll_interval_s=1, poll_max_interval_s=4, deadline_s=20)


def error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "GetCredentialReport")


def report(age: timedelta) -> dict[str, Any]:
    return {"Content": b"user,arn\n", "GeneratedTime": NOW - age}


class FakeIam:
    """Answers GetCredentialReport from a script and records every call."""

    def __init__(self, gets: list[Any], generates: list[Any] | None = None) -> None:
        self.gets, self.generates = gets, generates or [{"State": "STARTED"}] * 10
        self.calls: list[str] = []

    def _next(self, script: list[Any], name: str) -> Any:
        self.calls.append(name)
        item = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(item, Exception):
            raise item
        return item

    def get_credential_report(self) -> dict[str, Any]:
        return self._next(self.gets, "get")

    def generate_credential_report(self) -> dict[str, Any]:
        return self._next(self.generates, "generate")


class Clock:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def monotonic(self) -> float:
        return self.t


def collect(iam: FakeIam, clock: Clock, settings: CredentialReportSettings = SETTINGS) -> Any:
    now: Callable[[], datetime] = lambda: NOW  # noqa: E731
    return collect_credential_report(iam, settings, now=now, sleep=clock.sleep, monotonic=clock.monotonic)


def test_fresh_report_is_reused_without_generating() -> None:
    iam, clock = FakeIam([report(timedelta(hours=3, minutes=59))]), Clock()
    assert collect(iam, clock).generated_time == NOW - timedelta(hours=3, minutes=59)
    assert iam.calls == ["get"]


def test_stale_report_is_regenerated() -> None:
    iam, clock = FakeIam([report(timedelta(hours=5)), report(timedelta(0))]), Clock()
    assert collect(iam, clock).generated_time == NOW
    assert iam.calls == ["get", "generate", "get"]


def test_missing_report_is_generated_and_polled_with_growing_bounded_delays() -> None:
    gets = [error("ReportNotPresent"), error("ReportInProgress"), error("ReportInProgress"),
            error("ReportInProgress"), error("ReportInProgress"), report(timedelta(0))]
    iam, clock = FakeIam(gets), Clock()
    collect(iam, clock)
    assert clock.sleeps == [1, 2, 4, 4]
    assert iam.calls.count("generate") == 1


def test_expired_report_is_generated_again() -> None:
    iam, clock = FakeIam([error("ReportExpired"), error("ReportExpired"), report(timedelta(0))]), Clock()
    collect(iam, clock)
    assert iam.calls == ["get", "generate", "get", "generate", "get"]


def test_limit_exceeded_on_generate_keeps_polling() -> None:
    iam = FakeIam([error("ReportNotPresent"), report(timedelta(0))], [error("LimitExceeded")])
    collect(iam, Clock())
    assert iam.calls == ["get", "generate", "get"]


def test_report_never_ready_stops_at_the_deadline() -> None:
    iam, clock = FakeIam([error("ReportInProgress")]), Clock()
    with pytest.raises(ReportNotReady, match="credential report not ready after 20 s"):
        collect(iam, clock)
    assert clock.t == 20
    assert max(clock.sleeps) <= 4


def test_other_errors_are_errors_not_missing_reports() -> None:
    iam = FakeIam([error("AccessDenied")])
    with pytest.raises(ClientError):
        collect(iam, Clock())
    assert iam.calls == ["get"]
