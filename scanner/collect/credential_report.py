"""The IAM credential report: reuse a fresh one, otherwise generate it and poll with a deadline."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from scanner.aws.session import api_error
from scanner.config import CredentialReportSettings

log = logging.getLogger(__name__)

CREDENTIAL_REPORT_PERMISSIONS = ("iam:GenerateCredentialReport", "iam:GetCredentialReport")

# GetCredentialReport errors that mean "no usable report yet", not "we may not read it".
_NOT_READY = {"ReportInProgress", "ReportNotPresent", "ReportExpired"}


class ReportNotReady(Exception):
    """The report did not become available before the deadline."""

    code = "ReportNotReady"


@dataclass(frozen=True)
class CredentialReport:
    content: bytes
    generated_time: datetime


def _get(iam: Any) -> CredentialReport:
    response = iam.get_credential_report()
    generated = response["GeneratedTime"]
    if generated.tzinfo is None:
        generated = generated.replace(tzinfo=UTC)
    return CredentialReport(response["Content"], generated)


def collect_credential_report(
    iam: Any,
    settings: CredentialReportSettings,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> CredentialReport:
    """Raise ClientError for errors other than "not ready", ReportNotReady past the deadline."""
    try:
        report = _get(iam)
        if now() - report.generated_time <= timedelta(hours=settings.max_age_hours):
            return report
        log.debug("credential report from %s is stale; generating", report.generated_time)
    except ClientError as exc:
        if api_error(exc).code not in _NOT_READY:
            raise
    deadline = monotonic() + settings.deadline_s
    delay = settings.poll_interval_s
    generate = True
    while True:
        if generate:
            try:
                iam.generate_credential_report()
            except ClientError as exc:
                # LimitExceeded: a generation is already running; keep polling for its result.
                if api_error(exc).code != "LimitExceeded":
                    raise
            generate = False
        try:
            return _get(iam)
        except ClientError as exc:
            code = api_error(exc).code
            if code not in _NOT_READY:
                raise
            generate = code in ("ReportNotPresent", "ReportExpired")
        remaining = deadline - monotonic()
        if remaining <= 0:
            raise ReportNotReady(f"credential report not ready after {settings.deadline_s:g} s")
        sleep(min(delay, remaining))
        delay = min(delay * 2, settings.poll_max_interval_s)
