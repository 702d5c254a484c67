"""Collect every piece of evidence from one account and write it to the run folder as it arrives."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from scanner import rundir
from scanner.aws.limiter import set_current_account
from scanner.aws.session import SessionFactory, api_error
from scanner.collect.access_analyzer import access_analyzer_collector
from scanner.collect.credential_report import ReportNotReady, collect_credential_report
from scanner.collect.documents import DOCUMENT_COLLECTORS, DocumentCollector
from scanner.config import Config
from scanner.errors import OutputError
from scanner.models import Account, AccountResult, ApiError, Caller, ScanStatus
from scanner.rundir import RunFolder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CollectContext:
    """What every account worker shares: the factory, settings, the run folder and the call pool."""

    factory: SessionFactory
    config: Config
    caller: Caller
    folder: RunFolder
    calls: Executor


def _failure(exc: Exception, account_id: str, what: str) -> ApiError:
    """The collector boundary: whatever went wrong becomes the error stored in place of `what`.

    An AWS or connection error is expected and logged by its code; anything else (an answer without a
    member the collector reads, a bug) is logged with its traceback. Both are redacted, here and in the log.
    """
    error = api_error(exc)
    if isinstance(exc, (ClientError, BotoCoreError)):
        log.info("account %s: %s failed: %s", account_id, what, error.code)
    else:
        log.warning("account %s: %s failed: %s", account_id, what, error, exc_info=True)
    return error


def _collect_document(
    collector: DocumentCollector, iam: Any, folder: RunFolder, account_id: str,
) -> ApiError | None:
    """Store the document, or the error that took its place; return that error."""
    set_current_account(account_id)
    error: ApiError | None = None
    try:
        document = collector.fetch(iam)
    except OutputError:
        raise
    except Exception as exc:
        error = _failure(exc, account_id, collector.name)
        document = error.to_json()
    folder.write_raw(account_id, collector.filename, rundir.dumps(document))
    return error


def _collect_report(iam: Any, ctx: CollectContext, account_id: str) -> tuple[datetime | None, ApiError | None]:
    """Store the report, or the error that took its place; return its generation time or that error."""
    try:
        report = collect_credential_report(iam, ctx.config.credential_report)
    except ReportNotReady as exc:
        error = ApiError(exc.code, str(exc))
        log.info("account %s: credential report failed: %s", account_id, error.code)
    except OutputError:
        raise
    except Exception as exc:
        error = _failure(exc, account_id, "credential report")
    else:
        ctx.folder.write_raw(account_id, rundir.CREDENTIAL_REPORT, report.content)
        return report.generated_time, None
    ctx.folder.write_raw(account_id, rundir.CREDENTIAL_REPORT_ERROR, rundir.dumps(error.to_json()))
    return None, error


def collect_account(account: Account, ctx: CollectContext) -> AccountResult:
    """Assume the role (unless this is the caller's own account) and collect; errors become the result.

    An account where every call failed (the endpoint went away, or the role may do nothing) could not be
    assessed at all: it is recorded as an error, like a denied AssumeRole, and gets no meta.json, which
    marks a complete account. Its error documents stay on disk.
    """
    account_id = account.account_id
    set_current_account(account_id)
    try:
        credentials = None if account_id == ctx.caller.account_id else ctx.factory.assume(ctx.caller, account_id)
        iam = ctx.factory.account_client("iam", account_id, credentials)
    except OutputError:
        raise
    except Exception as exc:  # the collector boundary: any failure to enter is the account's recorded error
        error = api_error(exc)
        log.warning("account %s: cannot access: %s", account_id, error,
                    exc_info=not isinstance(exc, (ClientError, BotoCoreError)))
        return AccountResult(account, ScanStatus.ERROR, str(error))
    # The document calls do not depend on each other or on the report: run them alongside its polling.
    collectors = list(DOCUMENT_COLLECTORS)
    if ctx.config.access_analyzer:
        collectors.append(access_analyzer_collector(
            lambda service, region: ctx.factory.account_client(service, account_id, credentials, region)))
    futures: list[Future[ApiError | None]] = [
        ctx.calls.submit(_collect_document, c, iam, ctx.folder, account_id) for c in collectors
    ]
    generated, report_error = _collect_report(iam, ctx, account_id)
    errors = [future.result() for future in futures] + [report_error]
    if all(errors):
        first = next(e for e in errors if e is not None)
        log.warning("account %s: nothing could be collected: %s", account_id, first)
        return AccountResult(account, ScanStatus.ERROR, str(first))
    meta = {
        "account_id": account_id,
        "partition": ctx.caller.partition,
        "credential_report_generated_time": rundir.iso(generated) if generated else None,
        "collected_at": rundir.iso(datetime.now(UTC)),
    }
    # meta.json marks the account complete, so the evidence must be on disk before it is.
    ctx.folder.sync()
    ctx.folder.write_raw(account_id, rundir.META_JSON, rundir.dumps(meta), durable=True)
    log.info("account %s: collected", account_id)
    return AccountResult(account, ScanStatus.SCANNED)
